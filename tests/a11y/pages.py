"""Every page of both URL confs, who opens it, and a provider with something on every page.

PAGES names each route that shows a page, with the people (and states) it is opened as;
NOT_PAGES (and NOT_PAGE_PREFIXES) names every other route and why it is not a page. A route in
neither fails tests/a11y/test_page_list.py, naming it; so does a route in NOT_PAGES that answers
anyone's GET with an HTML page. A new page is therefore checked by axe as soon as it exists.

A route's path parameters are filled by kind, as the isolation matrix fills them
(tests/isolation.py FILL); `Visit.things` picks which thing of a kind (default: the first).
A new page: its route and who opens it in PAGES, and in build() whatever it needs to show.
"""

import datetime
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.administration.services import PATIENT_DETAIL
from tenant_apps.api.services import issue_token
from tenant_apps.audit.services import record_access
from tenant_apps.bookings import calendar
from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.callbacks import webhook_token
from tenant_apps.notifications.models import SmsMessage
from tenant_apps.profiles import services as profiles
from tenants.models import CareProvider, Domain, ProvisioningJob, Usage, UsageMetric
from tests import isolation
from tests.bookings.helpers import in_days
from tests.clients import PUBLIC
from tests.console.provisioning import provisioned
from tests.support import personnummer
from tests.video.live import session_for

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}

PROVIDER, PUBLIC_HOST = "provider", "public"

# Who opens pages, on which host and screen. Patients use phones; so may anyone arriving from
# an SMS (the provider's start page, login, clinician listing).
PEOPLE = {
    "anonymous": (PROVIDER, PHONE),
    "patient": (PROVIDER, PHONE),
    "new patient": (PROVIDER, PHONE),  # invited, has not given consent yet
    "clinician": (PROVIDER, DESKTOP),
    "admin": (PROVIDER, DESKTOP),  # the provider's first admin, also a clinician
    "visitor": (PUBLIC_HOST, DESKTOP),
    "operator": (PUBLIC_HOST, DESKTOP),
    "operator on a phone": (PUBLIC_HOST, PHONE),  # the console's tables as cards
    "support": (PUBLIC_HOST, DESKTOP),
}


@dataclass(frozen=True)
class Visit:
    who: str
    status: int = 200
    things: dict[str, str] = field(default_factory=dict)  # kind -> name of the thing
    form_errors: bool = False  # also send the page's form empty and check the errors
    ready: str = ""  # what shows that the page's script has drawn it
    skip_link: bool = True  # False: nothing repeated comes before <main> (say why)


def staff(*who: str, **options) -> list[Visit]:
    return [Visit(person, **options) for person in who]


PAGES: dict[tuple[str, str], list[Visit]] = {
    (PROVIDER, ""): staff("anonymous"),
    (PROVIDER, "login/"): staff("anonymous"),
    (PROVIDER, "oversikt/"): staff("clinician", "admin"),
    (PROVIDER, "mina-besok/"): staff("patient"),
    (PROVIDER, "samtycke/"): staff("new patient"),
    (PROVIDER, "min-profil/"): staff("clinician"),
    (PROVIDER, "min-profil/konsultation/"): staff("clinician"),
    (PROVIDER, "min-profil/bilder/"): staff("clinician"),
    (PROVIDER, "min-profil/bokningsbara-besok/"): staff("clinician"),
    (PROVIDER, "min-profil/bokningsbara-besok/nytt/"): staff("clinician", form_errors=True),
    (PROVIDER, "min-profil/bokningsbara-besok/<int:pk>/"): staff("clinician"),
    (PROVIDER, "min-profil/bokningsfunktion/"): staff("clinician"),
    (PROVIDER, "vardpersonal/"): staff("anonymous"),
    (PROVIDER, "administration/"): staff("admin"),
    (PROVIDER, "administration/vardpersonal/"): staff("admin"),
    (PROVIDER, "administration/vardpersonal/ny/"): staff("admin", form_errors=True),
    (PROVIDER, "administration/vardpersonal/<int:pk>/"): staff("admin"),
    (PROVIDER, "administration/patienter/"): staff("admin"),
    (PROVIDER, "administration/patienter/ny/"): staff("admin", form_errors=True),
    (PROVIDER, "administration/patienter/<int:pk>/"): staff("admin"),
    (PROVIDER, "administration/patienter/<int:pk>/andra/"): staff("admin"),
    (PROVIDER, "administration/installningar/"): staff("admin"),
    (PROVIDER, "administration/granskningslogg/"): staff("admin"),
    (PROVIDER, "administration/granskningslogg/patient/<int:pk>/"): staff("admin"),
    (PROVIDER, "bokningar/"): staff("clinician", "admin"),
    (PROVIDER, "bokningar/dag/"): staff("clinician", "admin"),
    (PROVIDER, "bokningar/vecka/"): staff("clinician", "admin"),
    (PROVIDER, "notiser/"): staff("clinician", "admin"),
    (PROVIDER, "bokningar/ny/"): [
        Visit("clinician", form_errors=True),
        Visit("admin"),
    ],
    (PROVIDER, "bokningar/kollega/"): staff("clinician", form_errors=True),
    (PROVIDER, "bokningar/<int:pk>/"): [
        Visit("clinician", things={"booking": "unconfirmed"}),
        Visit("admin", things={"booking": "confirmed"}),  # with its SMS and "Skicka igen"
        Visit("patient", things={"booking": "unconfirmed"}),
        Visit("patient", things={"booking": "cancelled"}),
    ],
    (PROVIDER, "kalenderflode/"): staff("clinician"),
    (PROVIDER, "testa-video/"): staff("clinician", "patient"),
    (PROVIDER, "besok/<int:pk>/"): [
        Visit("clinician", things={"booking": "open"}),
        Visit("patient", things={"booking": "open"}),
        Visit("patient", things={"booking": "unconfirmed"}),  # not open yet
        Visit("admin", status=403, things={"booking": "open"}),  # not in this visit
    ],
    # Swagger UI: before its <main> only the schema link and Authorize of its own heading.
    (PROVIDER, "api/docs/"): staff("clinician", ready=".swagger-ui .opblock", skip_link=False),
    (PROVIDER, "api-nycklar/"): staff("clinician", form_errors=True),
    (PROVIDER, "support/"): staff("anonymous", "new patient"),
    (PUBLIC_HOST, ""): staff("visitor"),
    (PUBLIC_HOST, "login/"): staff("visitor"),
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/domaner/<int:pk>/ta-bort/"): staff("operator"),
    (PUBLIC_HOST, "konsol/ny/"): staff("operator", form_errors=True),
    (PUBLIC_HOST, "konsol/ny/<uuid:job>/"): [
        Visit("operator", things={"provisioning_job": "done"}),
        Visit("operator", things={"provisioning_job": "running"}, ready=".step-active"),
    ],
    (PUBLIC_HOST, "konsol/support-kontakt/"): staff("operator", form_errors=True),
    (PUBLIC_HOST, "konsol/"): staff("operator", "operator on a phone"),
    (PUBLIC_HOST, "support/"): staff("support"),
    (PUBLIC_HOST, "sms/utkorg/"): staff("operator"),
    (PUBLIC_HOST, "konsol/logg/"): staff("operator"),
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/"): [
        Visit("operator", things={"subdomain": "active"}, form_errors=True),
        Visit("operator", things={"subdomain": "suspended"}),
    ],
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/stang-av/"): staff(
        "operator", form_errors=True
    ),
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/ateraktivera/"): [
        Visit("operator", things={"subdomain": "suspended"}, form_errors=True),
        Visit("operator", things={"subdomain": "active"}),  # refused: says why, no form
    ],
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/avsluta/"): [
        Visit("operator", things={"subdomain": "suspended"}, form_errors=True),
    ],
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/angra-avslut/"): staff("operator"),
    (PUBLIC_HOST, "konsol/signera/<str:token>/"): [
        Visit("operator", things={"signing_token": "pending"}),
        Visit("operator", status=404, things={"signing_token": "gone"}),
    ],
    (PUBLIC_HOST, "bankid-simulator/app/"): staff("visitor"),
}

POST_ONLY = "a form's action: POST only"
JSON = "JSON for the page's script"
NOT_PAGES: dict[tuple[str, str], str] = {
    (PROVIDER, "healthz"): "health check (JSON)",
    (PROVIDER, "login/start/"): JSON,
    (PROVIDER, "login/status/"): JSON,
    (PROVIDER, "login/cancel/"): JSON,
    (PROVIDER, "logout/"): POST_ONLY,
    (PROVIDER, "sprak/"): POST_ONLY,
    (PROVIDER, "min-profil/bilder/ta-bort/"): POST_ONLY,
    (PROVIDER, "min-profil/bokningsbara-besok/<int:pk>/aktiv/"): POST_ONLY,
    (PROVIDER, "profilbild/<int:user_id>/"): "an image",
    (PROVIDER, "administration/vardpersonal/<int:pk>/inaktivera/"): POST_ONLY,
    (PROVIDER, "administration/vardpersonal/<int:pk>/aktivera/"): POST_ONLY,
    (PROVIDER, "bokningar/<int:pk>/ny-tid/"): POST_ONLY,
    (PROVIDER, "bokningar/<int:pk>/kan-inte-komma/"): POST_ONLY,
    (PROVIDER, "notiser/markera-lasta/"): POST_ONLY,
    (PROVIDER, "notiser/<int:pk>/"): POST_ONLY,
    (PROVIDER, "min-profil/sms/"): POST_ONLY,
    (PROVIDER, "b/<str:reference>"): "a redirect (the visit link of an SMS)",
    (PROVIDER, "b/<str:reference>/"): "a redirect (the visit link of an SMS)",
    (PROVIDER, "bokningar/<int:pk>/avboka/"): POST_ONLY,
    (PROVIDER, "bokningar/<int:pk>/bekrafta/"): POST_ONLY,
    (PROVIDER, "bokningar/<int:pk>/sms/<int:sms_pk>/skicka-igen/"): POST_ONLY,
    (PROVIDER, "bokningar/<int:pk>/kalender.ics"): "a calendar file",
    (PROVIDER, "kalender/<str:token>.ics"): "a calendar feed",
    (PROVIDER, "besok/<int:pk>/avsluta/"): POST_ONLY,
    (PROVIDER, "api-nycklar/<int:pk>/aterkalla/"): POST_ONLY,
    (PUBLIC_HOST, "healthz"): "health check (JSON)",
    (PUBLIC_HOST, "login/start/"): JSON,
    (PUBLIC_HOST, "login/status/"): JSON,
    (PUBLIC_HOST, "login/cancel/"): JSON,
    (PUBLIC_HOST, "logout/"): POST_ONLY,
    (PUBLIC_HOST, "sprak/"): POST_ONLY,
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/installningar/"): POST_ONLY,
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/domaner/"): POST_ONLY,
    (PUBLIC_HOST, "konsol/vardgivare/<str:subdomain>/administratorer/"): POST_ONLY,
    (PUBLIC_HOST, "konsol/ny/<uuid:job>/status/"): JSON,
    (PUBLIC_HOST, "sms/leveransrapport/<str:schema_name>/<str:token>/"): "SMS delivery reports",
    (PUBLIC_HOST, "konsol/signera/<str:token>/start/"): JSON,
    (PUBLIC_HOST, "konsol/signera/<str:token>/status/"): JSON,
    (PUBLIC_HOST, "konsol/signera/<str:token>/avbryt/"): JSON,
}
NOT_PAGE_PREFIXES: dict[tuple[str, str], str] = {
    (PROVIDER, "api/v1/"): "the REST API (JSON)",
    (PROVIDER, "api/schema/"): "the OpenAPI document",
    # but its phone, app/, which is in PAGES
    (PUBLIC_HOST, "bankid-simulator/"): "the simulated BankID: its RP API, the app's actions",
}


@dataclass(frozen=True)
class ErrorPage:
    who: str
    path: str
    status: int
    host: str = ""  # another provider's subdomain: "unknown" or "suspended" (Site.hosts)


# The error pages a person can meet, and how. The server error page (500) is rendered by
# careplatform.errors.server_error and checked in tests/a11y/test_states.py.
ERROR_PAGES: dict[str, ErrorPage] = {
    "not found, provider host": ErrorPage("anonymous", "/finns-inte/", 404),
    "not found, public host": ErrorPage("visitor", "/finns-inte/", 404),
    "wrong role": ErrorPage("patient", "/oversikt/", 403),
    "bad request": ErrorPage("clinician", "/bokningar/?q=%00", 400),
    "unknown provider": ErrorPage("anonymous", "/", 404, host="unknown"),
    "suspended provider": ErrorPage("anonymous", "/", 403, host="suspended"),
}


def routes() -> dict[tuple[str, str], isolation.Route]:
    found = {}
    for host, urlconf in ((PROVIDER, settings.ROOT_URLCONF),
                          (PUBLIC_HOST, settings.PUBLIC_SCHEMA_URLCONF)):  # fmt: skip
        for route in isolation.walk(urlconf):
            found[(host, route.template)] = route
    return found


def why_not_a_page(key: tuple[str, str]) -> str | None:
    if key in NOT_PAGES:
        return NOT_PAGES[key]
    host, template = key
    for (prefix_host, prefix), reason in NOT_PAGE_PREFIXES.items():
        if host == prefix_host and template.startswith(prefix) and key not in PAGES:
            return reason
    return None


# -- the provider and its people ---------------------------------------------------------------


@dataclass
class Site:
    """A provider with something on every page, and a logged-in session per person."""

    provider: CareProvider
    people: dict[str, User]
    things: dict[str, dict[str, object]]  # kind -> name -> value (an id, a token)
    sessions: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=lambda: {"unknown": "finnsinte"})

    def host(self, who: str) -> str:
        return self.provider.subdomain if PEOPLE[who][0] == PROVIDER else ""

    def path(self, route: isolation.Route, visit: Visit) -> str:
        values = {}
        for slot in route.params:
            kind = isolation.FILL[slot]
            named = self.things[kind]
            values[slot[1]] = str(named[visit.things.get(kind, next(iter(named)))])
        return route.path(values)


def _patient(first: str, last: str, serial: str) -> bookings.PatientSpec:
    return bookings.PatientSpec(personnummer("19910101", serial), first, last, "0701234567")


def build(provider: CareProvider) -> Site:
    """In the provider's schema: Karin (clinician) with visit types and her booking function
    on; Pelle (patient, consented) with an unconfirmed, a confirmed, a cancelled and an open
    visit (Boka nu); Nina, invited and not yet consented; SMS, an API key, a calendar feed and a
    host name of its own (the console's provider page)."""
    CareProvider.objects.filter(pk=provider.pk).update(clinician_listing_enabled=True)
    extra_domain = Domain.objects.create(
        domain=f"video.{provider.subdomain}-klinik.se", tenant=provider, is_primary=False
    )
    with schema_context(provider.schema_name):
        admin = User.objects.get(is_admin=True)
        karin = User.objects.create_user(
            personnummer("19750315", "242"), "Karin", "Kliniker", mobile="0709876543",
            is_clinician=True,
        )  # fmt: skip
        profiles.update_consultation(karin, title="Sjuksköterska", description="Diabetes.")
        one = profiles.create_visit_type(
            karin, title="Återbesök", duration_minutes=30, kind="video"
        )
        profiles.create_visit_type(
            karin, title="Gruppsamtal", duration_minutes=60, kind="video_group", max_patients=3
        )
        profiles.activate_booking(karin)
        pelle = _patient("Pelle", "Persson", "123")

        def invite(specs, **when):
            return bookings.invite(
                actor=karin, clinician=karin, visit_type=one, provider=provider,
                patients=specs, message="Ta med din medicinlista.", **when,
            )  # fmt: skip

        unconfirmed = invite([pelle], starts_at=in_days(3))
        patient = User.objects.get(personnummer=pelle.personnummer)
        give_consent(patient, current_consent_version(), "127.0.0.1")
        confirmed = bookings.confirm(invite([pelle], starts_at=in_days(2)), patient)
        cancelled = bookings.cancel(invite([pelle], starts_at=in_days(4)), actor=karin)
        open_now = invite([pelle], instant=True)
        invite([_patient("Nina", "Nilsson", "234")], starts_at=in_days(5))
        nina = User.objects.get(first_name="Nina")
        # The invitation SMS failed for good (a worker running alongside may have sent it).
        sms, _created = SmsMessage.objects.update_or_create(
            booking=confirmed, kind="invited", booking_version=1, recipient=patient,
            defaults=dict(
                to=patient.mobile, sender="Vården", language="sv", segments=1,
                text="Du är inbjuden till ett videobesök.", status="failed", error="Okänt nummer",
                gateway_id="gw-1", created_at=clock.now(), next_attempt_at=clock.now(),
                expires_at=confirmed.starts_at + datetime.timedelta(days=1),
            ),
        )  # fmt: skip
        api_token, _key = issue_token(karin, "Journalsystemet")
        feed = calendar.new_feed_token(karin)
        record_access(admin, patient, PATIENT_DETAIL, "127.0.0.1")
        people = {"patient": patient, "new patient": nina, "clinician": karin, "admin": admin}
        things = {
            "booking": {
                "unconfirmed": unconfirmed.pk,
                "confirmed": confirmed.pk,
                "cancelled": cancelled.pk,
                "open": open_now.pk,
            },
            "booking_reference": {"own": unconfirmed.reference},
            "notice": {"any": 1},  # its route answers POST only
            "staff": {"karin": karin.pk},
            "patient": {"pelle": patient.pk},
            "visit_type": {"one": one.pk},
            "clinician": {"karin": karin.pk},
            "sms": {"failed": sms.pk},
            "api_token": {"karin": api_token.pk},
            "calendar_token": {"karin": feed},
            "schema": {"own": provider.schema_name},
            "sms_webhook_token": {"own": webhook_token(provider.schema_name)},
            "text": {"auth": "v6.0/auth"},
            "domain": {"extra": extra_domain.pk},
            # conftest adds the suspended provider's subdomain
            "subdomain": {"active": provider.subdomain},
            "signing_token": {"pending": SIGNING_TOKEN, "gone": "ej-en-signering"},
        }
        sessions = {who: session_for(provider, user) for who, user in people.items()}
    with schema_context("public"):
        done = provisioned(provider)
        running = provisioned(provider)
        ProvisioningJob.objects.filter(pk=running.pk).update(
            status="running", step="admin", provider=None, message="", finished_at=None
        )
        things["provisioning_job"] = {"done": done.public_id, "running": running.public_id}
        people_of_the_platform = (
            ("operator", "is_operator"), ("operator on a phone", "is_operator"),
            ("support", "is_support"),
        )  # fmt: skip
        for who, flag in people_of_the_platform:
            user = User.objects.filter(**{flag: True}).first()
            people[who] = user
            sessions[who] = session_for(PUBLIC, user)
        _pending_signature(sessions["operator"], people["operator"], provider)
        # The console's figures (tenants.usage fills them).
        today = clock.today_local()
        Usage.objects.bulk_create(
            Usage(provider=provider, day=today, metric=metric, value=value)
            for metric, value in zip(UsageMetric.values, (3, 12, 95, 1234, 250), strict=True)
        )
    return Site(provider, people, things, sessions)


SIGNING_TOKEN = "a11y-signering"


def _pending_signature(session_key: str, operator: User, provider: CareProvider) -> None:
    """The operator's session has an action waiting for their signature (the signing page)."""
    from django.contrib.sessions.backends.db import SessionStore

    from public_site.signing import SESSION_KEY, PendingAction

    store = SessionStore(session_key=session_key)
    store[SESSION_KEY] = asdict(
        PendingAction(
            token=SIGNING_TOKEN,
            kind="suspend",
            provider_id=provider.pk,
            params={"reason": "Obetald faktura"},
            text=f"Jag stänger av {provider}. Skäl: Obetald faktura",
            operator_id=operator.pk,
            # Pending for the whole run, however long the pages before it take.
            created_at=(clock.now() + datetime.timedelta(days=1)).timestamp(),
        )
    )
    store.save()
