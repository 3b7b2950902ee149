"""A provider's host names: its subdomain (<subdomain>.<BASE_DOMAIN>, the primary, never
removed) and extra host names an operator adds, e.g. video.vardcentralen.se.

A host name is routed as soon as its row commits: saving or deleting a Domain publishes a
routing-cache invalidation to every process (tenants.models.RoutedByHost). Each host name belongs
to one provider (unique in PostgreSQL). Every change is written to the operator log in the same
transaction.
"""

import ipaddress
import re
from typing import Any

import idna
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from tenants import operator_log
from tenants.db import connection
from tenants.models import CareProvider, Domain, OperatorActionKind

HOST_MAX_LENGTH = 253
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def subdomain_host(provider: CareProvider) -> str:
    return f"{provider.subdomain}.{settings.BASE_DOMAIN}"


def is_removable(provider: CareProvider, domain: Domain) -> bool:
    """The subdomain host is the provider's address on the platform: it stays."""
    return not domain.is_primary and domain.domain != subdomain_host(provider)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"domain": message})


def _looks_like_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _to_ascii(text: str) -> str:
    """The host name as browsers send it: IDNA 2008 (UTS 46 mapping), lower case, punycode."""
    try:
        return idna.encode(text, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        raise _refuse(_("”%(host)s” är inte ett giltigt värdnamn.") % {"host": text}) from None


def normalize_host(value: str, provider: CareProvider) -> str:
    """The extra host name to store (punycode, lower case), or ValidationError naming why not."""
    text = (value or "").strip().lower().rstrip(".")
    if not text:
        raise _refuse(_("Ange ett värdnamn, t.ex. video.vardcentralen.se."))
    if "://" in text or "/" in text or "@" in text or any(c.isspace() for c in text):
        raise _refuse(_("Ange bara värdnamnet, utan https:// och utan sökväg."))
    if "*" in text:
        raise _refuse(_("Jokertecken (*) går inte att använda; ange hela värdnamnet."))
    if _looks_like_ip(text):
        raise _refuse(_("En IP-adress går inte att använda; ange ett värdnamn."))
    if ":" in text:
        raise _refuse(_("Ange värdnamnet utan portnummer."))
    host = _to_ascii(text)
    base = settings.BASE_DOMAIN
    if host == subdomain_host(provider):
        raise _refuse(_("Vårdgivarens subdomän finns redan bland domänerna."))
    if host == base or host.endswith("." + base) or host in settings.PUBLIC_HOSTS:
        raise _refuse(
            _(
                "Adresser under %(base)s är plattformens egna; ange vårdgivarens eget "
                "värdnamn, t.ex. video.vardcentralen.se."
            )
            % {"base": base}
        )
    labels = host.split(".")
    if (
        len(host) > HOST_MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
    ):
        raise _refuse(_("”%(host)s” är inte ett giltigt värdnamn.") % {"host": text})
    if not _TOP_LEVEL.match(labels[-1]):
        # 10.0.0.300 and the like: not an address, and no top-level domain is all digits.
        raise _refuse(_("En IP-adress går inte att använda; ange ett värdnamn."))
    return host


def _taken(host: str, provider: CareProvider) -> ValidationError:
    owner = Domain.objects.filter(domain=host).values_list("tenant_id", flat=True).first()
    if owner == provider.pk:
        return _refuse(_("%(host)s finns redan bland vårdgivarens domäner.") % {"host": host})
    return _refuse(_("%(host)s används redan av en annan vårdgivare.") % {"host": host})


def provider_domains(provider: CareProvider) -> list[Domain]:
    """The subdomain first, then the extra host names in alphabetical order."""
    connection.set_schema_to_public()
    domains = list(Domain.objects.filter(tenant=provider).order_by("domain"))
    domains.sort(key=lambda domain: is_removable(provider, domain))
    return domains


def domain_of(provider: CareProvider, pk: int) -> Domain:
    """One of the provider's host names, or 404 (another provider's is not this page's)."""
    connection.set_schema_to_public()
    domain = Domain.objects.filter(pk=pk, tenant=provider).first()
    if domain is None:
        raise Http404
    return domain


def add_domain(
    provider: CareProvider, value: str, *, actor: AbstractBaseUser, ip_address: str | None
) -> Domain:
    """Route `value` to the provider from the moment this commits, in every process."""
    connection.set_schema_to_public()
    host = normalize_host(value, provider)
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk, is_template=False)
        if Domain.objects.filter(domain=host).exists():
            raise _taken(host, locked)
        try:
            with transaction.atomic():
                domain = Domain.objects.create(domain=host, tenant=locked, is_primary=False)
        except IntegrityError:  # added by someone else a moment ago
            raise _taken(host, locked) from None
        operator_log.record(
            OperatorActionKind.DOMAIN_ADDED,
            actor=actor,
            provider=locked,
            ip_address=ip_address,
            after={"domain": host},
        )
    return domain


def remove_domain(
    provider: CareProvider,
    domain: Domain,
    *,
    actor: AbstractBaseUser,
    ip_address: str | None,
    signature: dict[str, Any] | None,
) -> None:
    """Stop routing an extra host name to the provider, in every process, once this commits.

    A destructive action: the operator signs it with BankID first and `signature` is that
    signature's completion data, kept in the operator log."""
    if not signature:
        raise _refuse(_("Att ta bort en domän måste signeras med BankID."))
    connection.set_schema_to_public()
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk, is_template=False)
        row = Domain.objects.select_for_update().filter(pk=domain.pk, tenant=locked).first()
        if row is None:
            raise _refuse(_("Domänen finns inte längre hos vårdgivaren."))
        if not is_removable(locked, row):
            raise _refuse(_("Vårdgivarens subdomän kan inte tas bort."))
        host = row.domain
        row.delete()
        operator_log.record(
            OperatorActionKind.DOMAIN_REMOVED,
            actor=actor,
            provider=locked,
            ip_address=ip_address,
            before={"domain": host},
            signature=signature,
        )


def readable_host(host: str) -> str:
    """The host name as people write it (vårdcentralen.se for xn--vrdcentralen-tcb.se)."""
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError):
        return host
