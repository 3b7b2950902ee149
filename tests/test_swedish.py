"""Swedish all the way: every page of every role and every SMS kind, with visits in all twelve
months and on all seven weekdays, writes dates and times in Swedish — no English month or
weekday name (Jan–Dec, January–December, Mon–Sun, Monday–Sunday) and no AM/PM; visit kinds are
called what the manual calls them; a count of one takes the singular.

The pages come from the URL confs (tests/isolation.py walks them and fills their ids with the
world's real ones), so a new page is rendered as it is; a route that no role can open (and that
is not POST only) fails the test until NOT_PAGES says why it is not a page."""

import datetime
import io
import re

import pytest
import time_machine
from babel.dates import get_day_names, get_month_names
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context
from PIL import Image

from careplatform.health import record_heartbeat
from careplatform.sms.models import OutboxMessage
from careplatform.timeutil import LOCAL, local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.api.services import issue_token
from tenant_apps.bookings import calendar
from tenant_apps.bookings import services as bookings
from tenant_apps.inbox import kinds
from tenant_apps.inbox.services import notify
from tenant_apps.notifications.callbacks import webhook_token
from tenant_apps.notifications.models import SmsKind, SmsMessage
from tenant_apps.notifications.texts import compose, compose_first_admin
from tenant_apps.profiles import services as profiles
from tenant_apps.profiles.models import VisitKind
from tenants.models import CareProvider, Domain
from tests import isolation
from tests.bookings.helpers import group_specs, in_days, patient_spec
from tests.clients import PUBLIC, logged_in
from tests.console.provisioning import provisioned
from tests.notifications.helpers import at, dispatch, sweep

# English month and weekday names, wide and short (Babel's data), the other short forms, AM/PM.
ENGLISH_NAMES = sorted(
    {
        *(name for names in (get_month_names, get_day_names) for width in ("wide", "abbreviated")
          for name in names(width, locale="en").values()),
        "Sept", "Tues", "Thur", "Thurs", "AM", "PM",
    }
)  # fmt: skip
# Whole words, as English writes them (capitalised): Swedish writes its names in lower case,
# so "Nov" is Django's English-looking "M" even in Swedish, while "nov." is Swedish.
ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH_NAMES) + r")\b|\b[ap]\.m\.")

# The world's "now": December 2026; its visits fall in every month of 2027.
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)

# Routes that answer GET with neither a page nor 405 (POST only), and why; every other route
# must render (200) for at least one role.
NOT_PAGES = {
    "b/<str:reference>": "a redirect to the visit (or to login), no page of its own",
    "b/<str:reference>/": "a redirect to the visit (or to login), no page of its own",
    "bankid-simulator/^rp/(?P<rest>.*)$": "the simulator's 404 for RP API paths it does not have",
    "konsol/signera/<str:token>/": (
        "the signing page of an action pending in the operator's own session (404 without one; "
        "tests/console/test_signing.py renders it)"
    ),
}


def _weekday_in_month(month: int) -> datetime.date:
    """A day of `month` 2027 whose weekday is (month - 1) % 7: Monday in January, Tuesday in
    February … so that twelve visits fall on all seven weekdays."""
    day = datetime.date(2027, month, 1)
    return day + datetime.timedelta(days=((month - 1) % 7 - day.weekday()) % 7)


def _photo(user: User) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 60)).save(buffer, "PNG")
    profiles.set_photo(user, SimpleUploadedFile("bild.png", buffer.getvalue(), "image/png"))


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def _book(cast, starts_at: datetime.datetime | None, **kwargs):
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(5, first_name="Vera", last_name="Veckodag")],
        "starts_at": starts_at,
    }
    return bookings.invite(**{**values, **kwargs})


def _build(cast) -> dict:
    """Klara's visits in every month of 2027 (Per's confirmed, Vera's waiting for her answer),
    a group visit, a test visit with her colleague Kalle, a Boka nu visit open now, one moved
    and one cancelled; every SMS these send, a reminder among them; keys, feed and photo."""
    klara, per = cast.clinician, cast.patient
    per_spec = patient_spec(
        9, personnummer=per.personnummer, first_name=per.first_name, last_name=per.last_name,
        mobile=per.mobile,
    )  # fmt: skip
    monthly = {}
    for month in range(1, 13):
        starts_at = _at(_weekday_in_month(month))
        if month % 2:
            monthly[month] = bookings.confirm(_book(cast, starts_at, patients=[per_spec]), per)
        else:
            monthly[month] = _book(cast, starts_at)
    world = {
        "monthly": monthly,
        "group": _book(
            cast, _at(datetime.date(2027, 3, 20), 14), visit_type=cast.group,
            patients=group_specs(3),
        ),
        "colleague": _book(
            cast, _at(datetime.date(2027, 4, 21), 8), patients=[], colleague=cast.colleague
        ),
        "instant": _book(cast, None, patients=[per_spec], instant=True),
        "moved": bookings.reschedule(
            monthly[2], actor=klara, provider=cast.provider,
            starts_at=_at(datetime.date(2027, 2, 27), 9, 30),
        ),
        "cancelled": bookings.cancel(monthly[5], actor=klara, reason="Sjuk"),
    }  # fmt: skip
    dispatch()
    with at(monthly[1].starts_at - datetime.timedelta(minutes=29)):
        sweep()  # the reminder of Per's January visit
    _photo(klara)
    world["token"] = issue_token(klara, "Journalkoppling")[0]
    world["feed"] = calendar.new_feed_token(klara)
    world["sms"] = SmsMessage.objects.filter(booking=monthly[1]).first()
    for kind in (kinds.CONFIRMED, kinds.DECLINED, kinds.WAITING):
        world["notice"] = notify(klara, kind, booking=monthly[1], actor=per, note="Feber")
    return world


@pytest.fixture
def world(ready, media_root):
    CareProvider.objects.filter(pk=ready.provider.pk).update(clinician_listing_enabled=True)
    with time_machine.travel(NOW, tick=False):
        record_heartbeat()  # /healthz answers 200 (JSON), as with a worker running
        built = _build(ready)
        connection.set_schema_to_public()
        built["job"] = provisioned(ready.provider)
        yield ready, built


def _values(cast, world) -> dict[str, list]:
    """Every kind of thing a route names, filled with the world's own (each role opens what
    is theirs; the rest answers 404 to them and is opened by someone else)."""
    shown = ("group", "colleague", "instant", "moved", "cancelled")
    return {
        "booking": [world["monthly"][1].pk, *(world[name].pk for name in shown)],
        "booking_reference": [world["monthly"][1].reference],
        "sms": [world["sms"].pk],
        "notice": [world["notice"].pk],
        "staff": [cast.clinician.pk],
        "patient": [cast.patient.pk],
        "visit_type": [cast.one_to_one.pk],
        "clinician": [cast.clinician.pk],
        "api_token": [world["token"].pk],
        "calendar_token": [world["feed"]],
        "schema": [cast.schema_name],
        "sms_webhook_token": [webhook_token(cast.schema_name)],
        "text": ["v6.0/notify"],
        # Its subdomain: the remove page says it stays.
        "domain": [Domain.objects.get(tenant=cast.provider, is_primary=True).pk],
        "provisioning_job": [world["job"].public_id],
        "subdomain": [cast.provider.subdomain],
        "signing_token": ["ej-en-signering"],
    }


def _roles(cast, world) -> dict[str, tuple]:
    """Who opens the pages: (client, host) per role."""
    with schema_context(cast.schema_name):
        newcomer = User.objects.get(first_name="Ingrid")  # invited, has not consented yet
    public = {
        "operator": _public_user("is_operator"),
        "support": _public_user("is_support"),
    }
    return {
        "anonymous": (logged_in(None, cast), cast.host),
        "admin": (logged_in(cast.admin, cast), cast.host),
        "clinician": (logged_in(cast.clinician, cast), cast.host),
        "colleague": (logged_in(cast.colleague, cast), cast.host),
        "patient": (logged_in(cast.patient, cast), cast.host),
        "patient before consent": (logged_in(newcomer, cast, consented=False), cast.host),
        "anonymous on the public host": (logged_in(None, PUBLIC), PUBLIC.host),
        **{name: (logged_in(user, PUBLIC), PUBLIC.host) for name, user in public.items()},
    }


def _public_user(flag: str) -> User:
    connection.set_schema_to_public()
    return User.objects.get(**{flag: True})


def english_in(text: str) -> list[str]:
    """The English month and weekday names (and AM/PM) in `text`, each with its surroundings."""
    return [text[max(m.start() - 30, 0) : m.end() + 30] for m in ENGLISH.finditer(text)]


def _text(response) -> str | None:
    kind = response.get("Content-Type", "")
    if kind.startswith("image/") or getattr(response, "streaming", False):
        return None
    return response.content.decode("utf-8", errors="replace")


def test_every_page_of_every_role_writes_dates_in_swedish(world):
    cast, built = world
    values = _values(cast, built)
    target = isolation.Target({kind: [str(v) for v in found] for kind, found in values.items()}, {})
    problems, rendered, post_only, texts = [], set(), set(), []
    with time_machine.travel(NOW, tick=False):
        for role, (client, host) in _roles(cast, built).items():
            for route in isolation.http_routes(host):
                for path in isolation.filled_paths(route, target):
                    response = client.get(path)
                    if response.status_code == 405:
                        post_only.add(route.template)
                    if response.status_code != 200:
                        continue
                    rendered.add(route.template)
                    text = _text(response)
                    if text is None:
                        continue
                    texts.append(text)
                    problems += [f"[{role}] GET {host}{path}: …{hit}…" for hit in english_in(text)]
    routes = {r.template for host in (cast.host, PUBLIC.host) for r in isolation.http_routes(host)}
    unrendered = sorted(routes - rendered - post_only - set(NOT_PAGES))
    assert not problems, "\n".join(problems)
    assert not unrendered, (
        f"no role could open these routes (or add them to NOT_PAGES): {unrendered}"
    )
    # The world was wide enough: every Swedish month and weekday was on some page.
    everything = "\n".join(texts)
    months = set(get_month_names("abbreviated", locale="sv").values())
    weekdays = set(get_day_names("abbreviated", locale="sv").values())
    missing = {
        name for name in months | weekdays if not re.search(rf"\b{re.escape(name)}", everything)
    }
    assert not missing, missing


def test_every_sms_kind_writes_dates_in_swedish(world):
    """Every SMS the world sent (each kind, the reminder too) as stored and as the outbox got
    it, and every way a text is composed, on every day of 2027."""
    cast, _built = world
    with schema_context(cast.schema_name):
        sent = list(SmsMessage.objects.values_list("kind", "text"))
    # The clinician's "a patient waits" SMS needs a room, the first admin's a provisioning:
    # composed below instead.
    assert {kind for kind, _text in sent} | {"waiting", "first_admin"} == set(SmsKind.values)
    texts = [text for _kind, text in sent]
    texts += list(OutboxMessage.objects.values_list("text", flat=True))
    day = datetime.datetime(2027, 1, 1, 9, 30, tzinfo=LOCAL)
    for days in range(365):
        starts_at = day + datetime.timedelta(days=days)
        for kind in ("invited", "rescheduled", "cancelled", "reminder", "waiting"):
            for instant, confirm in ((False, False), (False, True), (True, False)):
                texts.append(compose(kind, language="sv", provider_name="Vårdcentralen Alfa",
                                     link="https://alfa.careplatform.se/", starts_at=starts_at,
                                     instant=instant, needs_confirmation=confirm))  # fmt: skip
    texts.append(compose_first_admin(language="sv", provider_name="Vårdcentralen Alfa",
                                     link="https://alfa.careplatform.se/login/"))  # fmt: skip
    problems = [hit for text in texts for hit in english_in(text)]
    assert not problems, problems


def test_the_check_finds_english_names_and_lets_swedish_ones_be():
    assert english_in("mån 30 Nov 2026 15:45")  # Django's "M" in Swedish
    assert english_in("Monday 30 November")
    assert english_in("kl. 3:45 PM")
    assert english_in("Tue 1 Dec")
    swedish = "mån 30 nov. 2026 15:45, tisdag 1 december kl. 14.30, fre 1 okt., sön 3 maj"
    assert english_in(swedish) == []


# Manual 2.3: "Du väljer sedan Videobesök (1-1 möte) eller Videogruppbesök (flerpartssamtal)
# under typ av besök".
MANUAL_KINDS = ("Videobesök (1-1 möte)", "Videogruppbesök (flerpartssamtal)")


def test_visit_kinds_are_called_what_the_manual_calls_them(ready):
    assert tuple(str(label) for label in VisitKind.labels) == MANUAL_KINDS
    klara = logged_in(ready.clinician, ready)
    form = klara.get("/min-profil/bokningsbara-besok/nytt/").content.decode()
    assert all(kind in form for kind in MANUAL_KINDS)
    invite = klara.get("/bokningar/ny/").content.decode()
    assert "Återbesök (30 min, Videobesök)" in invite
    assert "Gruppsamtal (60 min, Videogruppbesök)" in invite
    assert "Patient 2 (Videogruppbesök)" in invite
    assert not re.search(r"\bgrupp\)|\(gruppbesök\)|1-1\)", invite)


def test_counts_take_the_singular_for_one(ready):
    with pytest.raises(ValidationError) as refused:
        bookings.invite(
            actor=ready.clinician, clinician=ready.clinician, visit_type=ready.one_to_one,
            provider=ready.provider, patients=[patient_spec(1), patient_spec(2)],
            starts_at=in_days(3),
        )  # fmt: skip
    assert refused.value.message_dict["patients"] == ["Besöket tar högst 1 patient."]
    page = logged_in(ready.clinician, ready).get("/min-profil/bokningsbara-besok/")
    assert "högst 3 patienter" in page.content.decode()
