"""The API keeps its OpenAPI contract: schemathesis, with every check, against the live ASGI server
(uvicorn, real PostgreSQL and Redis), calling every operation with an admin's API key on a
provider of its own. Any server error or contract mismatch fails the test.

Bounded in time: a fixed seed and few examples per operation and phase (about a minute here).
The only refusals it lets through are listed in REFUSALS below: a 400 for a schema-valid request,
where the JSON error names only fields whose rule the schema cannot state (a check digit, what
is in the database, what time it is).
"""

import json
import uuid
from dataclasses import dataclass

import pytest
import schemathesis
from django_tenants.utils import schema_context
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from tenant_apps.accounts.models import User
from tenant_apps.api.services import issue_token
from tenant_apps.profiles import services as profiles

pytestmark = pytest.mark.server

SEED = 20261128
EXAMPLES = 10  # per operation and phase

PERSONNUMMER = "the personnummer's check digit and date (the pattern gives only its shape)"
MOBILE = "that the number exists and is a mobile number (the pattern gives only its shape)"
BOOKING_TIME = (
    "the start must be in the future, at most two years ahead, free in the clinician's calendar,"
    " and exist once on a DST night"
)

# operation -> {field the 400 may name: the rule beyond the schema}
REFUSALS: dict[str, dict[str, str]] = {
    "GET /api/v1/bookings/": {"to": "`to` may not be before `from`"},
    "POST /api/v1/bookings/": {
        "visit_type": "an active visit type of the clinician, by its id in the database",
        "clinician": "a clinician of the provider whose booking function is on",
        "colleague": "an active colleague, not the clinician",
        "patients": f"{PERSONNUMMER}; {MOBILE}; the visit type's number of patients",
        "starts_at": BOOKING_TIME,
        "time": BOOKING_TIME,
        "instant": "either a time or Boka nu",
        "non_field_errors": "either patients or a colleague",
        "detail": "only admins book for another clinician",
    },
    "POST /api/v1/bookings/{id}/reschedule/": {"starts_at": BOOKING_TIME, "time": BOOKING_TIME},
    "POST /api/v1/patients/": {
        "personnummer": f"{PERSONNUMMER}; unique at the provider",
        "mobile": MOBILE,
    },
    "PATCH /api/v1/patients/{id}/": {"mobile": MOBILE},
    "POST /api/v1/staff/": {
        "personnummer": f"{PERSONNUMMER}; unique at the provider",
        "mobile": MOBILE,
        "roles": "at least one of is_admin and is_clinician",
        "detail": "at least one of is_admin and is_clinician",
    },
    "PATCH /api/v1/staff/{id}/": {
        "mobile": MOBILE,
        "roles": "at least one role; the provider keeps an active admin",
        "detail": "at least one role; the provider keeps an active admin",
    },
    "POST /api/v1/staff/{id}/deactivate/": {"detail": "the provider keeps an active admin"},
    "POST /api/v1/visit-types/": {"max_patients": "a group visit takes 2–3 patients"},
    "PATCH /api/v1/visit-types/{id}/": {"max_patients": "a group visit takes 2–3 patients"},
}


@dataclass(frozen=True)
class Finding:
    operation: str
    check: str
    title: str
    status: int | None
    body: str
    curl: str

    def __str__(self) -> str:
        head = f"{self.operation} [{self.check}] {self.title} ({self.status})"
        return f"{head}\n{self.body[:500]}\n{self.curl}"


def allowed(finding: Finding) -> bool:
    """A schema-valid request refused for a rule listed in REFUSALS."""
    if finding.check != "positive_data_acceptance" or finding.status != 400:
        return False
    try:
        named = set(json.loads(finding.body)) - {"code"}
    except ValueError:
        return False
    return bool(named) and named <= set(REFUSALS.get(finding.operation, {}))


def run(schema) -> tuple[list[Finding], set[str]]:
    """Every check's failures, and the operations that were called."""
    found, called = [], set()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            found += _failed_checks(event.recorder)
            called |= {node.value.operation.label for node in event.recorder.cases.values()}
        elif isinstance(event, events.NonFatalError | events.FatalError):
            found.append(Finding("(engine)", "error", repr(event)[:2000], None, "", ""))
    return found, called


def _failed_checks(recorder) -> list[Finding]:
    found = []
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.status != Status.FAILURE or node.failure_info is None:
                continue
            failure = node.failure_info.failure
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            case = recorder.cases[case_id].value
            found.append(
                Finding(
                    operation=failure.operation or case.operation.label,
                    check=node.name,
                    title=f"{failure.title}: {failure.message[:300]}",
                    status=response.status_code if response else None,
                    body=response.content.decode(errors="replace") if response else "",
                    curl=case.as_curl_command(),
                )
            )
    return found


@pytest.fixture
def api_schema(live_server_process, committed):
    """The schema of a new provider whose admin (also a clinician, booking function on) calls
    with an API key."""
    provider = committed.provider(f"kontrakt-{uuid.uuid4().hex[:8]}", name="Kontraktskliniken")
    with schema_context(provider.schema_name):
        admin = User.objects.get()
        profiles.update_consultation(admin, title="Läkare", description="")
        profiles.create_visit_type(admin, title="Återbesök", duration_minutes=30, kind="video")
        profiles.activate_booking(admin)
        _token, key = issue_token(admin, "Kontraktstest")
    server = live_server_process
    host = server.host(provider.subdomain)
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": f"http://127.0.0.1:{server.port}",
            # Python clients do not resolve *.localhost: the provider is in the Host header.
            "headers": {"Host": host, "Authorization": f"Token {key}"},
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "request-timeout": 10,
            "continue-on-failure": True,
            "cache": {"enabled": False},
        }
    )
    return schemathesis.openapi.from_url(
        f"http://127.0.0.1:{server.port}/api/schema/?format=json",
        config=config,
        headers={"Host": host},
        timeout=10,
    )


def test_api_keeps_its_openapi_contract(api_schema):
    found, called = run(api_schema)
    unexplained: dict[str, Finding] = {}
    for finding in found:
        if not allowed(finding):
            unexplained.setdefault(str(finding).split("\n")[0], finding)
    assert not unexplained, "\n\n".join(map(str, unexplained.values()))
    operations = {result.ok().label for result in api_schema.get_all_operations()}
    assert operations and operations <= called
