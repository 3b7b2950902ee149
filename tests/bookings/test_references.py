"""Visit references (besöksnummer): unambiguous characters, unique per provider, drawn again
when taken, and given to existing bookings by a migration of a few statements."""

import datetime
import importlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.bookings import references, services
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec

migration = importlib.import_module("tenant_apps.bookings.migrations.0002_booking_reference")

AMBIGUOUS = "01ILOU"


def invite(cast, n: int = 1, **kwargs) -> Booking:
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": in_days(2),
    }
    return services.invite(**{**values, **kwargs})


# -- the characters -------------------------------------------------------------------------------


def test_references_use_only_unambiguous_characters():
    drawn = {references.new_reference() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(len(reference) == 6 for reference in drawn)
    used = set("".join(drawn))
    assert used <= set(references.ALPHABET) and not used & set(AMBIGUOUS)
    assert used == set(references.ALPHABET)  # every character in use (2000 × 6 draws)
    assert not set(AMBIGUOUS + AMBIGUOUS.lower()) & set(references.ALPHABET)


def test_a_reference_is_shown_with_a_dash_and_read_back_in_any_form():
    assert references.display("K7F2Q9") == "K7F-2Q9"
    for typed in ("K7F2Q9", "k7f2q9", "K7F-2Q9", "k7f-2Q9", " K7F 2Q9 "):
        assert references.normalize(typed) == "K7F2Q9", typed
    for typed in ("K7F2Q", "K7F2Q9A", "K7F2Q0", "K7F2QO", "K7F2QI", "K7F2Q1", "K7F2QL", ""):
        assert references.normalize(typed) is None, typed


def test_a_new_booking_gets_a_reference_and_keeps_it_when_rescheduled(ready):
    booking = invite(ready)
    assert re.fullmatch(f"[{references.ALPHABET}]{{6}}", booking.reference)
    assert booking.visit_reference == references.display(booking.reference)
    moved = services.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    assert moved.reference == booking.reference


# -- unique per provider --------------------------------------------------------------------------


def test_two_bookings_of_a_provider_never_share_a_reference(ready):
    first = invite(ready, 1)
    second = invite(ready, 2, starts_at=in_days(3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=second.pk).update(reference=first.reference)


def test_another_provider_may_use_the_same_reference(beta, ready):
    booking = invite(ready)
    with schema_context(beta.schema_name):
        bert = beta.admin
        profiles.update_consultation(bert, title="Läkare", description="")
        visit_type = profiles.create_visit_type(
            bert, title="Samtal", duration_minutes=20, kind="video"
        )
        profiles.activate_booking(bert)
        theirs = services.invite(
            actor=bert,
            clinician=bert,
            visit_type=visit_type,
            provider=beta.provider,
            patients=[patient_spec(7)],
            starts_at=in_days(2),
        )
        Booking.objects.filter(pk=theirs.pk).update(reference=booking.reference)
        assert Booking.objects.get(pk=theirs.pk).reference == booking.reference


def test_a_taken_reference_is_drawn_again(ready, monkeypatch):
    taken = invite(ready, 1).reference
    draws = iter([taken, taken, "WXYZ23"])
    monkeypatch.setattr(services, "new_reference", lambda: next(draws))
    booking = invite(ready, 2, starts_at=in_days(3))
    assert booking.reference == "WXYZ23"
    assert Booking.objects.filter(reference=taken).count() == 1


def test_an_overlap_is_still_told_as_one_when_references_are_drawn(ready):
    invite(ready, 1)
    with pytest.raises(ValidationError, match="krockar"):
        invite(ready, 2)


# -- existing bookings: the migration -------------------------------------------------------------


def _bookings(clinician: User, count: int) -> None:
    """`count` cancelled bookings (cancelled ones hold no time), as they were before references."""
    visit_type = profiles.create_visit_type(
        clinician, title="Gammalt besök", duration_minutes=15, kind="video"
    )
    start = clock.now() - datetime.timedelta(days=400)
    Booking.objects.bulk_create(
        Booking(
            clinician=clinician,
            visit_type=visit_type,
            starts_at=start + datetime.timedelta(minutes=15 * n),
            ends_at=start + datetime.timedelta(minutes=15 * n + 15),
            status=BookingStatus.CANCELLED,
            created_by=clinician,
            created_at=start,
        )
        for n in range(count)
    )


def test_the_migration_gives_every_existing_booking_a_reference_in_a_few_statements(committed):
    provider = committed.provider("besoksnummer")
    schema = provider.schema_name
    with schema_context(schema):
        _bookings(User.objects.get(), 3000)
    call_command("migrate_schemas", "bookings", "0001", schema_name=schema, verbosity=0)
    try:
        with CaptureQueriesContext(connection) as queries:
            call_command("migrate_schemas", "bookings", schema_name=schema, verbosity=0)
    finally:
        connection.set_schema_to_public()
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE bookings_booking")]
    # The draw for every row, then rounds for shared ones until a round finds none: 3,000
    # bookings rarely share one (1 in 160), so two statements, seldom three, never 3,000.
    assert 2 <= len(updates) <= 4, updates
    with schema_context(schema):
        stored = list(Booking.objects.values_list("reference", flat=True))
    assert len(stored) == 3000 and len(set(stored)) == 3000
    assert all(references.normalize(reference) == reference for reference in stored)


def test_the_backfill_draws_again_until_no_reference_is_shared(in_alfa):
    """With an alphabet of two characters (64 references) 40 bookings are sure to draw taken
    ones; the backfill draws again until every booking has its own."""
    _bookings(in_alfa.clinician, 40)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the inserts' checks, before ALTER
        cursor.execute("ALTER TABLE bookings_booking DROP CONSTRAINT booking_reference_unique")
        cursor.execute("ALTER TABLE bookings_booking ALTER COLUMN reference DROP NOT NULL")
        cursor.execute("UPDATE bookings_booking SET reference = NULL")
        statements = migration.backfill(cursor, alphabet="AB", length=6)
    stored = list(Booking.objects.values_list("reference", flat=True))
    assert len(stored) == 40 and len(set(stored)) == 40
    assert all(re.fullmatch("[AB]{6}", reference) for reference in stored)
    assert statements > 2  # it did have to draw again
