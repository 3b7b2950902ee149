"""The client's mutual TLS for real: the simulator served over HTTPS by a server that requires a
client certificate from our throwaway CA."""

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from careplatform.bankid import errors
from careplatform.bankid.client import BankIDClient, CollectStatus
from tests.bankid.helpers import IP, PERSONNUMMER, RP
from tests.bankid.tls import CertificateAuthority, Issued, MutualTLSServer

pytestmark = pytest.mark.server


class Setup:
    def __init__(self, directory: Path):
        self.ca = CertificateAuthority(directory, "careplatform-test-ca")
        self.server_cert = self.ca.issue("server", server=True)
        self.client_cert = self.ca.issue("rp-client", server=False)
        self.stranger_cert = CertificateAuthority(directory, "other-ca").issue(
            "stranger", server=False
        )
        self.server = MutualTLSServer(self.server_cert, client_ca=self.ca.files.cert)

    @property
    def url(self) -> str:
        return f"{self.server.base_url}{RP}"

    def client(self, cert: Issued | None, ca: Path | None = None) -> BankIDClient:
        return BankIDClient(
            self.url,
            cert=str(cert.cert) if cert else None,
            key=str(cert.key) if cert else None,
            ca=str(ca or self.ca.files.cert),
            timeout=5,
        )


@pytest.fixture(scope="module")
def tls(tmp_path_factory, django_db_setup, django_db_blocker) -> Iterator[Setup]:
    with django_db_blocker.unblock():
        setup = Setup(tmp_path_factory.mktemp("bankid-tls"))
    yield setup
    setup.server.stop()


def test_login_over_mutual_tls(tls, phone):
    client = tls.client(tls.client_cert)
    order = client.auth(IP)
    assert client.collect(order.order_ref).hint_code == "outstandingTransaction"

    # The phone talks to the plain server: both processes share the orders through Redis.
    assert phone.approve(order.order_ref, PERSONNUMMER).status_code == 200
    assert client.collect(order.order_ref).hint_code == "userSign"
    result = client.collect(order.order_ref)
    assert result.status == CollectStatus.COMPLETE
    assert result.completion_data is not None
    assert result.completion_data.user.personal_number == PERSONNUMMER
    client.close()


def test_client_without_a_certificate_is_refused(tls):
    with pytest.raises(errors.BankIDUnavailable) as excinfo:
        tls.client(None).auth(IP)
    assert excinfo.value.http_status is None
    assert excinfo.value.user_message("sv") == "Internt tekniskt fel. Försök igen."


def test_client_with_a_certificate_from_another_ca_is_refused(tls):
    with pytest.raises(errors.BankIDUnavailable):
        tls.client(tls.stranger_cert).auth(IP)


def test_server_not_signed_by_the_configured_ca_is_refused(tls):
    other_ca = tls.stranger_cert.cert.parent / "other-ca.pem"
    with pytest.raises(errors.BankIDUnavailable) as excinfo:
        tls.client(tls.client_cert, ca=other_ca).auth(IP)
    assert "CERTIFICATE_VERIFY_FAILED" in excinfo.value.details


def test_the_server_itself_requires_the_certificate(tls):
    context = ssl.create_default_context(cafile=str(tls.ca.files.cert))
    with pytest.raises(httpx.HTTPError):
        httpx.post(f"{tls.url}/auth", json={"endUserIp": IP}, verify=context)
    context.load_cert_chain(str(tls.client_cert.cert), str(tls.client_cert.key))
    assert httpx.post(f"{tls.url}/auth", json={"endUserIp": IP}, verify=context).is_success
