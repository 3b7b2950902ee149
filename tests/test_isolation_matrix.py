"""Tenant and role isolation, route by route: every route of the URL confs, every operation of
the OpenAPI schema and every WebSocket route, its ids filled with the other side's real ones
(tests/isolation.py), sent by everyone who must not see that side's data.

The other side is provider alfa and the people in it; the attackers are alfa's own patient and
clinicians (against what is not theirs), provider beta's admin and patient (their sessions, their
API keys, on their own host and on alfa's), nobody, and the platform's operator and support (on
the public host and with their cookies on alfa's). Each request runs in a savepoint that is
rolled back; it fails on a server error, on the other side's names, personnummer, mobile
numbers, messages, titles or photos in the answer (whatever the status), and on a write to the
other side's rows.
"""

import io
import random
from dataclasses import dataclass

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django_tenants.utils import schema_context
from PIL import Image

from careplatform import clock
from careplatform.health import record_heartbeat
from careplatform.sms.models import OutboxMessage
from tenant_apps.accounts.models import ConsentVersion, User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.api.models import ApiToken
from tenant_apps.api.services import issue_token
from tenant_apps.bookings import calendar
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking, CalendarFeed, Participant
from tenant_apps.inbox import kinds
from tenant_apps.inbox.models import Notice
from tenant_apps.inbox.services import notify
from tenant_apps.notifications.callbacks import webhook_token
from tenant_apps.notifications.models import SmsMessage
from tenant_apps.profiles import services as profiles
from tenant_apps.profiles.models import ClinicianProfile, VisitType
from tenants.models import CareProvider, Domain, ProvisioningJob
from tenants.routing import host_cache
from tests import isolation
from tests.bookings.helpers import in_days
from tests.console.provisioning import provisioned
from tests.support import personnummer
from tests.video.live import Client as RoomPage
from tests.video.live import book_video, session_for, wait_until_rooms_empty

PUBLIC_HOST = "localhost"


# -- the other side: alfa with its people, bookings, keys, feeds, photos and SMS ---------------


@dataclass
class Side:
    """Alfa as the matrix attacks it, and beta's people who attack it."""

    alfa: object
    beta: object
    people: dict[str, User]  # alfa's, by role word
    bookings: dict[str, Booking]
    visit_types: dict[str, VisitType]
    keys: dict[str, tuple[ApiToken, str]]  # alfa's and beta's API keys, by role word
    feeds: dict[str, str]  # calendar feed tokens
    photos: dict[str, bytes]  # a piece of each stored photo
    sms: SmsMessage
    notices: dict[str, Notice]  # a notice for each clinician, by name
    job: ProvisioningJob  # the console's job that provisioned alfa


RENAMED = {  # cast member -> (first, last, mobile): names and numbers found nowhere else
    "admin": ("Almaviva", "Adminova", "0701110001"),
    "clinician": ("Klarissa", "Klinikova", "0701110002"),
    "colleague": ("Kallisto", "Kollegova", "0701110003"),
    "patient": ("Perikles", "Patientova", "0701110004"),
}
MESSAGES = {
    "pia": "Meddelande-till-Pialotta-7731",
    "group": "Meddelande-till-gruppen-7732",
    "kim": "Meddelande-till-Kimberlina-7733",
}
NOTES = {  # what a patient who cannot come wrote, in each clinician's notice
    "klara": "Anteckning-till-Klarissa-7734",
    "kalle": "Anteckning-till-Kallisto-7735",
}


def _spec(personnummer: str, first: str, last: str, mobile: str) -> bookings.PatientSpec:
    return bookings.PatientSpec(personnummer, first, last, mobile)


def _photo(user: User, seed: int) -> bytes:
    """A photo of noise (so that its bytes are its own) stored for `user`; a piece of it."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 64), random.Random(seed).randbytes(64 * 64 * 3)).save(buffer, "PNG")
    profile = profiles.set_photo(
        user, SimpleUploadedFile("bild.png", buffer.getvalue(), "image/png")
    )
    with profile.photo.open("rb") as stored:
        data = stored.read()
    return data[len(data) // 2 : len(data) // 2 + 48]


def _ready(user: User, title: str, visit_type: str, kind="video", **extra) -> VisitType:
    profiles.update_consultation(user, title=title, description=f"Beskrivning av {title}")
    created = profiles.create_visit_type(
        user, title=visit_type, duration_minutes=30, kind=kind, **extra
    )
    profiles.activate_booking(user)
    return created


def _book(cast, clinician, visit_type, patients, days, message) -> Booking:
    booking = bookings.invite(
        actor=clinician,
        clinician=clinician,
        visit_type=visit_type,
        provider=cast.provider,
        patients=patients,
        starts_at=in_days(days),
        message=message,
    )
    for participant in booking.participants.select_related("user"):
        give_consent(participant.user, current_consent_version(), "127.0.0.1")
        booking = bookings.confirm(booking, participant.user)
    return booking


def _build_alfa(alfa) -> dict:
    for role, (first, last, mobile) in RENAMED.items():
        user = getattr(alfa, role)
        User.objects.filter(pk=user.pk).update(first_name=first, last_name=last, mobile=mobile)
        user.refresh_from_db()
    klara, kalle, per = alfa.clinician, alfa.colleague, alfa.patient
    types = {
        "klara": _ready(klara, "Yrkestitel-Klarissa-5511", "Klarissas-besok-4411"),
        "kalle": _ready(kalle, "Yrkestitel-Kallisto-5512", "Kallistos-besok-4413"),
    }
    types["group"] = profiles.create_visit_type(
        klara, title="Klarissas-grupp-4412", duration_minutes=60, kind="video_group", max_patients=3
    )
    photos = {"klara": _photo(klara, 1), "kalle": _photo(kalle, 2)}
    booked = {
        "pia": _book(alfa, klara, types["klara"], [
            _spec(personnummer("19920303", "303"), "Pialotta", "Privatova", "0701110005")
        ], 2, MESSAGES["pia"]),
        "group": _book(alfa, klara, types["group"], [
            _spec(per.personnummer, per.first_name, per.last_name, per.mobile),
            _spec(personnummer("19930404", "404"), "Gunvora", "Gruppova", "0701110006"),
        ], 3, MESSAGES["group"]),
        "kim": _book(alfa, kalle, types["kalle"], [
            _spec(personnummer("19940505", "505"), "Kimberlina", "Kimova", "0701110007")
        ], 2, MESSAGES["kim"]),
    }  # fmt: skip
    profiles.deactivate_booking(kalle)  # Kallisto is not in the public listing
    pia = User.objects.get(first_name="Pialotta")
    sms = SmsMessage.objects.create(
        booking=booked["pia"], kind="invited", booking_version=1, recipient=pia, to=pia.mobile,
        sender="Alfa", language="sv", text="Du är inbjuden till ett videobesök.", segments=1,
        status="failed", error="Okänt nummer", gateway_id="gw-pialotta-1", created_at=clock.now(),
        next_attempt_at=clock.now(), expires_at=booked["pia"].starts_at,
    )  # fmt: skip
    notices = {
        "klara": notify(
            klara, kinds.DECLINED, booking=booked["pia"], actor=pia, note=NOTES["klara"]
        ),
        "kalle": notify(kalle, kinds.DECLINED, booking=booked["kim"], note=NOTES["kalle"]),
    }
    return {
        "notices": notices,
        "people": {
            "admin": alfa.admin,
            "clinician": klara,
            "colleague": kalle,
            "patient": per,
            "pia": pia,
            "gunvor": User.objects.get(first_name="Gunvora"),
            "kim": User.objects.get(first_name="Kimberlina"),
        },  # fmt: skip
        "bookings": booked,
        "visit_types": types,
        "keys": {role: issue_token(getattr(alfa, role), "Integration") for role in RENAMED},
        "feeds": {"klara": calendar.new_feed_token(klara), "kalle": calendar.new_feed_token(kalle)},
        "photos": photos,
        "sms": sms,
    }


def _build_beta(beta) -> dict:
    bert, olle = beta.admin, beta.patient
    visit_type = _ready(bert, "Yrkestitel-Bert", "Berts-besok")
    olle_spec = _spec(olle.personnummer, olle.first_name, olle.last_name, olle.mobile)
    _book(beta, bert, visit_type, [olle_spec], 2, "Till Olle")
    return {"beta admin": issue_token(bert, "Integration"), "beta patient": issue_token(olle, "Ig")}


@pytest.fixture
def healthy(settings, live_server_process):
    """Health and login as in production: a worker's heartbeat, and BankID (the simulator of
    the live server) answering, so that every 5xx is a fault."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    record_heartbeat()


@pytest.fixture
def side(alfa, beta, media_root, healthy) -> Side:
    CareProvider.objects.filter(pk=alfa.provider.pk).update(clinician_listing_enabled=True)
    host_cache.clear()
    with schema_context(alfa.provider.schema_name):
        built = _build_alfa(alfa)
    with schema_context(beta.provider.schema_name):
        built["keys"].update(_build_beta(beta))
    OutboxMessage.objects.create(
        provider_id=alfa.provider.schema_name, sender="Alfa", to=built["people"]["pia"].mobile,
        text="Du är inbjuden till ett videobesök.",
    )  # fmt: skip
    connection.set_schema_to_public()
    return Side(alfa, beta, job=provisioned(alfa.provider), **built)


# -- what must not come back, and the values that fill the routes ------------------------------


def _markers_of_everything(side: Side) -> dict[str, str]:
    markers = {}
    for user in side.people.values():
        markers |= isolation.person_markers(user)
    for name, text in MESSAGES.items():
        markers[text] = f"the message of the {name} booking"
    for visit_type in side.visit_types.values():
        markers[visit_type.title] = f"visit type {visit_type.title}"
    with schema_context(side.alfa.provider.schema_name):
        for profile in ClinicianProfile.objects.all():
            markers[profile.title] = f"{profile.user.full_name}'s yrkestitel"
            markers[profile.description] = f"{profile.user.full_name}'s description"
    for name, text in NOTES.items():
        markers[text] = f"the note in {name}'s notice"
    markers["centralen Alfa"] = "alfa's name"
    # An empty text marks nothing (it is "in" every answer): e.g. the description of a profile
    # that an earlier test's page view made for alfa's admin, committed by the live server.
    return {text: label for text, label in markers.items() if text}


def _published(side: Side, markers: dict[str, str]) -> dict[str, str]:
    """What anyone may see on alfa's own host: its name and the listed clinician (Klarissa)."""
    klara = side.people["clinician"]
    with schema_context(side.alfa.provider.schema_name):
        profile = klara.profile
    public = {"centralen Alfa", klara.first_name, klara.last_name, profile.title}
    public.add(profile.description)
    return {text: label for text, label in markers.items() if text not in public}


def _forged(token: str) -> str:
    """A calendar link one character off: on its own host the link itself is the key."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _values(
    side: Side, *, bookings, staff, patients, visit_type, clinician, key, feed, search, notices
):
    return {
        "notice": [side.notices[name].pk for name in notices],
        "booking": [side.bookings[name].pk for name in bookings],
        "booking_reference": [side.bookings[name].reference for name in bookings],
        "staff": [side.people[name].pk for name in staff],
        "patient": [side.people[name].pk for name in patients],
        "visit_type": [side.visit_types[visit_type].pk],
        "clinician": [side.people[name].pk for name in clinician],
        "api_token": [side.keys[key][0].pk],
        "calendar_token": [feed],
        "schema": [side.alfa.provider.schema_name],
        "sms_webhook_token": [webhook_token(side.beta.provider.schema_name)],
        "sms": [side.sms.pk],
        "text": ["v6.0/notify"],
        "search": [search],
        "domain": [Domain.objects.get(tenant=side.alfa.provider).pk],
        "provisioning_job": [side.job.public_id],
        "subdomain": [side.alfa.provider.subdomain],
        "signing_token": ["ej-en-signering"],
    }


USER_COLUMNS = (
    "pk", "first_name", "last_name", "mobile", "email", "personnummer", "language", "is_active",
    "is_admin", "is_clinician", "is_patient",
)  # fmt: skip
BOOKING_COLUMNS = ("pk", "status", "starts_at", "version", "message", "clinician", "visit_type")
PROFILE_COLUMNS = ("pk", "title", "description", "photo", "booking_enabled")
PROVIDER_COLUMNS = (
    "name", "status", "clinician_listing_enabled", "patient_confirmation_required",
    "sms_sender_name",
)  # fmt: skip


def _snapshot(side: Side, mine: set[int], *, provider_row: bool = True):
    """The other side's rows as they are: alfa's people, bookings, visit types, profiles, keys,
    feeds, consent texts and SMS, and alfa's provider row (unless `provider_row` is False: the
    operators', whose console changes its settings); without the attacker's own (`mine`: user
    ids, whose bookings and keys are theirs to change) and without rows made later."""
    schema = side.alfa.provider.schema_name
    with schema_context(schema):
        users = set(User.objects.exclude(pk__in=mine).values_list("pk", flat=True))
        booked = set(
            Booking.objects.exclude(clinician__in=mine)
            .exclude(participants__user__in=mine)
            .values_list("pk", flat=True)
        )
    parts = [
        (schema, User, USER_COLUMNS, "pk", users),
        (schema, Booking, BOOKING_COLUMNS, "pk", booked),
        (schema, Participant, ("pk", "user", "role"), "booking", booked),
        (schema, VisitType, ("pk", "title", "duration_minutes", "is_active"), "clinician", users),
        (schema, ClinicianProfile, PROFILE_COLUMNS, "user", users),
        (schema, ApiToken, ("pk", "revoked_at"), "user", users),
        (schema, CalendarFeed, ("user", "token_hash"), "user", users),
        (schema, ConsentVersion, ("version", "text"), None, None),
        (schema, SmsMessage, ("pk", "status", "delivered_at"), None, None),
        (schema, Notice, ("pk", "read_at"), "recipient", users),
        ("public", ProvisioningJob, ("pk", "status", "provider"), None, None),
    ]
    if provider_row:
        parts.append(("public", CareProvider, PROVIDER_COLUMNS, "pk", {side.alfa.provider.pk}))

    return lambda: isolation.digest(parts)


def _hostile_body(side: Side, target: isolation.Target) -> dict:
    """A form or JSON body that would be a valid change for someone allowed to make it."""
    day = in_days(5).date()
    return {
        "first_name": "Inkrakt", "last_name": "Inkraktova", "mobile": "0709998877",
        "email": "inkrakt@example.com", "language": "en", "personnummer":
        personnummer("19991231", "123"), "roles": ["admin", "clinician"], "is_admin": True,
        "is_clinician": True, "title": "Inkrakt", "description": "Inkrakt",
        "duration_minutes": 45, "kind": "video", "max_patients": 1, "date": day.isoformat(),
        "time": "11:00", "starts_at": in_days(5, 11).isoformat(), "reason": "Inkrakt",
        "message": "Inkrakt", "name": "Inkrakt", "action": "off",
        "visit_type": target.values["visit_type"][0], "colleague": target.values["staff"][0],
        "clinician_listing_enabled": "", "sms_sender_name": "Inkrakt",
        "consent_text": "Inkrakt", "id": side.sms.gateway_id, "status": "delivered",
        "confirmed": "1", "note": "Inkrakt", "sms_when_patient_waits": "on",
    }  # fmt: skip


# -- who attacks -------------------------------------------------------------------------------


def _logged_in(user: User, schema: str, host: str, name: str) -> isolation.Attacker:
    who = isolation.attacker(name, host)
    with schema_context(schema):
        who.client.force_login(user)
    who.keep_cookies()
    return who


def _cookies_of(user: User, schema: str):
    return _logged_in(user, schema, PUBLIC_HOST, "").cookies


def _public_user(flag: str) -> User:
    connection.set_schema_to_public()
    return User.objects.get(**{flag: True})


OWN = {  # alfa's own people: (marked people, people whose contact data is marked, bookings)
    "patient": (("pia", "gunvor", "kim"), ("admin", "clinician", "colleague"), ("pia", "kim")),
    "colleague": (("pia", "gunvor", "patient"), ("admin", "clinician"), ("pia", "group")),
    "clinician": (("kim",), ("admin", "colleague"), ("kim",)),
}
NOT_THEIR_NOTICES = {
    "patient": ("klara", "kalle"),
    "colleague": ("klara",),
    "clinician": ("kalle",),
}
OWN_VALUES = {
    "patient": dict(
        bookings=("pia", "kim", "group"), staff=("clinician", "admin"), patients=("pia", "gunvor"),
        visit_type="kalle", clinician=("colleague",), key="clinician", search="Privat",
        notices=("klara", "kalle"),
    ),
    "colleague": dict(
        bookings=("pia", "group"), staff=("admin", "clinician"), patients=("pia", "patient"),
        visit_type="klara", clinician=("clinician",), key="clinician", search="Privat",
        notices=("klara",),
    ),
    "clinician": dict(
        bookings=("kim",), staff=("admin", "colleague"), patients=("kim",), visit_type="kalle",
        clinician=("colleague",), key="colleague", search="Kimov", notices=("kalle",),
    ),
}  # fmt: skip
FEED_OF = {"patient": "klara", "colleague": "klara", "clinician": "kalle"}
STRANGER_VALUES = dict(  # one of each kind: to a stranger, an id is an id
    bookings=("pia",), staff=("clinician",), patients=("pia",), visit_type="klara",
    clinician=("colleague",), key="clinician", search="Privat", notices=("klara",),
)  # fmt: skip


def _own(side: Side, role: str, *, by_key: bool = False):
    """One of alfa's people, logged in on alfa (or with their API key), against the others."""
    user = side.people[role]
    marked, contacts, messages = OWN[role]
    markers = {}
    for name in marked:
        markers |= isolation.person_markers(side.people[name])
    for name in contacts:
        markers |= isolation.contact_markers(side.people[name])
    markers |= {MESSAGES[name]: f"the message of the {name} booking" for name in messages}
    markers |= {NOTES[name]: f"the note in {name}'s notice" for name in NOT_THEIR_NOTICES[role]}
    values = _values(side, feed=_forged(side.feeds[FEED_OF[role]]), **OWN_VALUES[role])
    target = isolation.Target(values, markers, _snapshot(side, {user.pk}))
    host, schema = side.alfa.host, side.alfa.provider.schema_name
    if by_key:
        return isolation.attacker(f"alfa {role}'s API key", host, token=side.keys[role][1]), target
    return _logged_in(user, schema, host, f"alfa {role}"), target


def _stranger_on_alfa(side: Side, name: str, *, cookies=None, token: str = ""):
    """Someone who is nobody on alfa's host: only what alfa shows everyone may come back."""
    values = _values(side, feed=_forged(side.feeds["klara"]), **STRANGER_VALUES)
    markers = _published(side, _markers_of_everything(side))
    photo = {side.photos["kalle"]: "Kallisto's (unlisted) photo"}
    target = isolation.Target(values, markers, _snapshot(side, set()), photo)
    return isolation.attacker(name, side.alfa.host, cookies=cookies, token=token), target


def _elsewhere(
    side: Side, who: isolation.Attacker, *, shown: dict | None = None, operator: bool = False
):
    """Someone on another host, with alfa's ids: nothing of alfa may come back."""
    values = _values(side, feed=side.feeds["klara"], **STRANGER_VALUES)
    markers = _markers_of_everything(side)
    for text in shown or {}:
        markers.pop(text, None)
    photos = {side.photos["klara"]: "Klarissa's photo", side.photos["kalle"]: "Kallisto's photo"}
    snapshot = _snapshot(side, set(), provider_row=not operator)
    return who, isolation.Target(values, markers, snapshot, photos)


def _beta(side: Side, role: str) -> isolation.Attacker:
    user = side.beta.admin if role == "admin" else side.beta.patient
    if role == "patient":
        with schema_context(side.beta.provider.schema_name):
            give_consent(user, current_consent_version(), "127.0.0.1")
    return _logged_in(user, side.beta.provider.schema_name, side.beta.host, f"beta {role}")


def _operator_shown(side: Side) -> dict:
    """The SMS outbox is the operators' page: alfa's name and Pialotta's number are on it. The
    console's provider page names alfa's admins (never their personnummer or whole number)."""
    admin = side.people["admin"]
    return {
        "centralen Alfa": "",
        admin.first_name: "",
        admin.last_name: "",
        **isolation.mobile_markers(side.people["pia"].mobile, ""),
    }


SCENARIOS = {
    "alfa patient": lambda s: _own(s, "patient"),
    "alfa patient's API key": lambda s: _own(s, "patient", by_key=True),
    "alfa colleague": lambda s: _own(s, "colleague"),
    "alfa colleague's API key": lambda s: _own(s, "colleague", by_key=True),
    "alfa clinician": lambda s: _own(s, "clinician"),
    "anonymous on alfa": lambda s: _stranger_on_alfa(s, "anonymous"),
    "beta admin's session on alfa": lambda s: _stranger_on_alfa(
        s, "beta admin's cookie", cookies=_beta(s, "admin").cookies
    ),
    "beta patient's session on alfa": lambda s: _stranger_on_alfa(
        s, "beta patient's cookie", cookies=_beta(s, "patient").cookies
    ),
    "beta admin's API key on alfa": lambda s: _stranger_on_alfa(
        s, "beta admin's API key", token=s.keys["beta admin"][1]
    ),
    "beta patient's API key on alfa": lambda s: _stranger_on_alfa(
        s, "beta patient's API key", token=s.keys["beta patient"][1]
    ),
    "operator's session on alfa": lambda s: _stranger_on_alfa(
        s, "operator's cookie", cookies=_cookies_of(_public_user("is_operator"), "public")
    ),
    "support's session on alfa": lambda s: _stranger_on_alfa(
        s, "support's cookie", cookies=_cookies_of(_public_user("is_support"), "public")
    ),
    "beta admin on beta": lambda s: _elsewhere(s, _beta(s, "admin")),
    "beta patient on beta": lambda s: _elsewhere(s, _beta(s, "patient")),
    "beta admin's API key on beta": lambda s: _elsewhere(
        s, isolation.attacker("beta admin's API key", s.beta.host, token=s.keys["beta admin"][1])
    ),
    "anonymous on beta": lambda s: _elsewhere(s, isolation.attacker("anonymous", s.beta.host)),
    "anonymous on the public host": lambda s: _elsewhere(
        s, isolation.attacker("anonymous", PUBLIC_HOST)
    ),
    "operator on the public host": lambda s: _elsewhere(
        s,
        _logged_in(_public_user("is_operator"), "public", PUBLIC_HOST, "operator"),
        shown=_operator_shown(s),
        operator=True,
    ),
    "support on the public host": lambda s: _elsewhere(
        s, _logged_in(_public_user("is_support"), "public", PUBLIC_HOST, "support")
    ),
}


# -- the matrix --------------------------------------------------------------------------------


_SCHEMA: dict[str, dict] = {}


def _schema(side: Side) -> dict:
    """The OpenAPI document, as a provider host serves it (the same for every scenario)."""
    if "document" not in _SCHEMA:
        response = Client(HTTP_HOST=side.alfa.host).get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        _SCHEMA["document"] = response.json()
    return _SCHEMA["document"]


def run_matrix(side: Side, who: isolation.Attacker, target: isolation.Target, routes=None):
    """Every route of the attacker's host with the target's values, every method: what went
    wrong, one line each."""
    every_route = routes is None
    routes = isolation.http_routes(who.host) if every_route else routes
    schema = isolation.Schema(_schema(side))
    problems = schema.problems()
    before = target.snapshot()
    body = _hostile_body(side, target)
    sent, operations = set(), set()
    for route in routes:
        try:
            paths = isolation.filled_paths(route, target)
        except isolation.Unfillable as error:
            problems.append(str(error))
            continue
        for filled in paths:
            for request in isolation.requests_for(route, filled, target, schema):
                if request.key in sent:
                    continue
                sent.add(request.key)
                operations.add((isolation.schema_path(route), request.method))
                outcome = isolation.send(who, request, body, target)
                shown_ok = isolation.shown_by_design(route)
                problems += isolation.findings(outcome, target, before, shown_ok=shown_ok)
    if every_route and who.host != PUBLIC_HOST:
        missing = schema.operations() - operations
        problems += [
            f"schema operation {method.upper()} {path} not sent" for path, method in missing
        ]
    return problems


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_of_the_other_side_comes_back(side, scenario):
    who, target = SCENARIOS[scenario](side)
    problems = run_matrix(side, who, target)
    assert not problems, "\n".join(problems)


# -- the matrix can fail -----------------------------------------------------------------------


def test_a_route_whose_parameter_nobody_fills_is_named(side):
    """A new route naming a new kind of thing fails every matrix test, naming the route."""

    class NewRoutes:
        urlpatterns = [path("dokument/<int:pk>/ladda-ner/", lambda request, pk: HttpResponse())]

    who, target = SCENARIOS["anonymous on alfa"](side)
    problems = run_matrix(side, who, target, routes=isolation.walk(NewRoutes))
    assert problems == [
        "route 'dokument/<int:pk>/ladda-ner/': no entry for slot ('dokument/', 'pk') in FILL "
        "(tests/isolation.py): say which kind of thing it names"
    ]


def test_the_matrix_finds_a_route_that_shows_everyone_and_one_that_breaks(side, settings):
    """tests/tenant_urls.py adds /probe/users/ (every user's name, to anyone) and /probe/error/."""
    settings.ROOT_URLCONF = "tests.tenant_urls"
    probes = [r for r in isolation.http_routes(side.alfa.host) if r.template.startswith("probe/")]
    who, target = SCENARIOS["anonymous on alfa"](side)
    problems = "\n".join(run_matrix(side, who, target, routes=probes))
    assert "GET alfa.localhost/probe/users/ -> 200: shows " in problems
    assert "Pialotta Privatova's first name" in problems
    assert "GET alfa.localhost/probe/error/ -> 500: server error" in problems


# -- WebSockets: a real server, and providers of their own with committed data -----------------


def _public_session(user: User) -> str:
    with schema_context("public"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key


def _renamed(first: str, last: str, mobile: str) -> User:
    """The provisioned admin (a clinician too), with a name found nowhere else."""
    user = User.objects.get()
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last, mobile=mobile)
    user.refresh_from_db()
    return user


def _rooms(committed) -> dict:
    """Provider isoa: Wilhelmina's Boka nu visit with Wanja (open now), a patient and a
    clinician who are not in it. Provider isob: Bodil's visit with Bror."""
    a = committed.provider("isoa", name="Isoleringskliniken A")
    b = committed.provider("isob", name="Isoleringskliniken B")
    with schema_context(a.schema_name):
        wilma = _renamed("Wilhelmina", "Wsvardova", "0701120001")
        wanja_spec = _spec(
            personnummer("19950606", "606"), "Wanjalina", "Wspatientova", "0701120002"
        )
        booking = book_video(a, wilma, [wanja_spec])
        wanja = booking.participants.get().user
        outsider = User.objects.create_user(
            personnummer("19960707", "707"), "Ulrika", "Utanfor", mobile="0701120003",
            is_patient=True,
        )  # fmt: skip
        colleague = User.objects.create_user(
            personnummer("19970808", "808"), "Vera", "Vardkollega", mobile="0701120004",
            is_clinician=True,
        )  # fmt: skip
        for user in (wanja, outsider):
            give_consent(user, current_consent_version(), "127.0.0.1")
    with schema_context(b.schema_name):
        bodil = _renamed("Bodil", "Betadmin", "0701120005")
        bror_spec = _spec(personnummer("19980909", "909"), "Bror", "Betapatient", "0701120006")
        bror = book_video(b, bodil, [bror_spec]).participants.get().user
        give_consent(bror, current_consent_version(), "127.0.0.1")
    return {
        "a": a, "b": b, "booking": booking.pk, "wilma": wilma, "wanja": wanja,
        "outsider": outsider, "colleague": colleague, "bodil": bodil, "bror": bror,
    }  # fmt: skip


def _socket_attackers(rooms: dict) -> list[tuple[str, str | None, str, str | None]]:
    """(who, subdomain of the host they connect to, session, other origin)."""
    a, b = rooms["a"], rooms["b"]
    return [
        ("anonymous", "isoa", "", None),
        ("a patient not in the visit", "isoa", session_for(a, rooms["outsider"]), None),
        ("a colleague not in the visit", "isoa", session_for(a, rooms["colleague"]), None),
        ("isob's admin's cookie", "isoa", session_for(b, rooms["bodil"]), None),
        ("isob's patient's cookie", "isoa", session_for(b, rooms["bror"]), None),
        ("isob's admin on isob", "isob", session_for(b, rooms["bodil"]), None),
        ("isob's patient on isob", "isob", session_for(b, rooms["bror"]), None),
        ("operator's cookie", "isoa", _public_session(_public_user("is_operator")), None),
        ("support's cookie", "isoa", _public_session(_public_user("is_support")), None),
        ("operator on the public host", None, _public_session(_public_user("is_operator")), None),
        ("anonymous on the public host", None, "", None),
        ("Wanjalina's cookie from a page on isob", "isoa", session_for(a, rooms["wanja"]), "isob"),
    ]


@pytest.mark.server
def test_websocket_routes_admit_nobody_from_the_other_side(live_server_process, committed):
    """Every WebSocket route with isoa's open visit: nobody but its participants gets in or
    hears a name, and the page in the visit is told of nobody joining."""
    server = live_server_process
    rooms = _rooms(committed)
    target = isolation.Target(
        {"booking": [rooms["booking"]]},
        {**isolation.person_markers(rooms["wilma"]), **isolation.person_markers(rooms["wanja"])},
    )
    victim = RoomPage(server, "isoa", rooms["booking"], session_for(rooms["a"], rooms["wilma"]))
    try:
        # The room is open and says who is in it to those who belong there.
        wanja = session_for(rooms["a"], rooms["wanja"])
        path = f"/ws/visits/{rooms['booking']}/"
        allowed = isolation.ws_attempt(server.port, server.host("isoa"), path, session=wanja)
        assert allowed.types[0] == "welcome" and allowed.shown(target)
        victim.recv_type("peer-joined")
        problems = []
        for name, subdomain, session, origin in _socket_attackers(rooms):
            host = server.host(subdomain)
            for route in isolation.websocket_routes():
                for filled in isolation.filled_paths(route, target):
                    victim.send({"type": "ping"})
                    origin_host = f"http://{server.host(origin)}" if origin else ""
                    got = isolation.ws_attempt(
                        server.port, host, filled, session=session, origin=origin_host
                    )
                    if shown := got.shown(target):
                        problems.append(f"[{name}] {got.label}: shows {', '.join(shown)}")
                    if subdomain == "isoa" and route.params and "welcome" in got.types:
                        problems.append(f"[{name}] {got.label}: admitted to the visit")
        joined = [m for m in victim.drain() if m["type"] == "peer-joined"]
        assert not problems, "\n".join(problems)
        assert joined == [], "the visit's page was told of someone joining"
    finally:
        RoomPage.close_all()
        wait_until_rooms_empty([rooms["a"], rooms["b"]])
