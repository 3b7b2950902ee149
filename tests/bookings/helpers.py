"""Bookings test helpers: logged-in clients, patient specs, days ahead on the clock, and
what of a person a page must not show."""

import datetime

from careplatform import clock
from tenant_apps.bookings import services
from tenant_apps.bookings.services import PatientSpec
from tests.support import personnummer


def patient_spec(n: int = 1, **overrides) -> PatientSpec:
    values = {
        "personnummer": personnummer("19700101", f"{100 + n:03d}"),
        "first_name": f"Patient{n}",
        "last_name": "Testsson",
        "mobile": f"07012345{n:02d}",
    }
    values.update(overrides)
    return PatientSpec(**values)


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    local = clock.now().astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    day = local.date() + datetime.timedelta(days=days)
    from careplatform.timeutil import local_datetime

    return local_datetime(day, datetime.time(hour, 0))


# Three patients of a group visit, with names found nowhere else on the pages.
GROUP_PATIENTS = [("Ingrid", "Blomqvist"), ("Torbjörn", "Sandell"), ("Majvor", "Ekdahl")]


def group_specs(count: int = 3) -> list[PatientSpec]:
    return [
        patient_spec(n, first_name=first, last_name=last)
        for n, (first, last) in enumerate(GROUP_PATIENTS[:count], start=1)
    ]


def traces(user) -> list[str]:
    """Every way a page, file or message could show who `user` is: names, the mobile as stored
    and as written in Sweden, the personnummer in its usual forms."""
    import phonenumbers

    from careplatform.validators import format_personnummer

    number = phonenumbers.parse(user.mobile, "SE")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    personnummer = user.personnummer
    return [
        user.first_name,
        user.last_name,
        user.mobile,
        national,
        national.replace("-", "").replace(" ", ""),
        personnummer,
        format_personnummer(personnummer),
        format_personnummer(personnummer)[2:],
        personnummer[2:],
    ]


def leaked(text: str, *users) -> list[str]:
    """What of these users' identities appears in `text` (empty: nothing)."""
    return [trace for user in users for trace in traces(user) if trace in text]


def person(user) -> tuple:
    """What an invite must not change about a user: name, mobile and roles."""
    user.refresh_from_db()
    return (user.first_name, user.last_name, user.mobile, user.is_admin, user.is_clinician,
            user.is_patient)  # fmt: skip


def colleague_test_visit(cast, days: int = 2):
    """Klara invites her colleague Kalle to a test visit (Bjud in intern vårdpersonal):
    confirmed at once, Klara's booking, Kalle its only participant."""
    from tenant_apps.bookings import services

    return services.invite(
        actor=cast.clinician,
        clinician=cast.clinician,
        visit_type=cast.one_to_one,
        provider=cast.provider,
        colleague=cast.colleague,
        starts_at=in_days(days),
    )


def invite(cast, **kwargs):
    """The cast's clinician invites one patient to a 1-1 visit in two days (or as told)."""
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec()],
        "starts_at": in_days(2),
    }
    values.update(kwargs)
    return services.invite(**values)
