"""Min profil rules (manual section 2): yrkestitel, visit types, the booking function and who
may invite. Every refusal changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from tenant_apps.profiles import services
from tenant_apps.profiles.models import ClinicianProfile, VisitType
from tests.profiles.support import new_user, publish

NO_TITLE = "Fyll i Yrkestitel under Konsultation."
NO_VISIT = "Skapa minst ett bokningsbart besök."
NOT_ACTIVE = "Aktivera bokningsfunktionen under Min profil."


@pytest.fixture
def klara(alfa):
    """Alfa's clinician, with the connection in alfa's schema."""
    with schema_context(alfa.provider.schema_name):
        yield alfa.clinician


def video(user, **fields) -> VisitType:
    values = {"title": "Återbesök", "duration_minutes": 20, "kind": "video", **fields}
    return services.create_visit_type(user, **values)


def test_consultation_saves_yrkestitel_and_description_trimmed(klara):
    services.update_consultation(klara, title="  Barnmorska ", description=" Om mig \n")
    profile = ClinicianProfile.objects.get(user=klara)
    assert (profile.title, profile.description) == ("Barnmorska", "Om mig")


def test_description_longer_than_2000_characters_is_refused(klara):
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(klara, title="Läkare", description="x" * 2001)
    assert refused.value.message_dict["description"] == [
        "Beskrivningen får vara högst 2000 tecken."
    ]
    assert services.get_profile(klara).title == ""


def test_yrkestitel_longer_than_100_characters_is_refused(klara):
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(klara, title="L" * 101, description="")
    assert "title" in refused.value.message_dict
    assert services.get_profile(klara).title == ""


def test_yrkestitel_cannot_be_emptied_while_the_booking_function_is_active(klara):
    services.update_consultation(klara, title="Läkare", description="")
    video(klara)
    services.activate_booking(klara)
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(klara, title=" ", description="")
    assert refused.value.message_dict["title"] == [
        "Yrkestiteln behövs så länge bokningsfunktionen är aktiv."
    ]
    assert ClinicianProfile.objects.get(user=klara).title == "Läkare"


@pytest.mark.parametrize("minutes", [5, 240])
def test_visit_type_of_5_to_240_minutes_is_saved(klara, minutes):
    visit_type = video(klara, duration_minutes=minutes)
    assert VisitType.objects.get(pk=visit_type.pk).duration_minutes == minutes


@pytest.mark.parametrize("minutes", [0, 4, 241, 500, None])
def test_visit_type_outside_5_to_240_minutes_is_refused(klara, minutes):
    with pytest.raises(ValidationError) as refused:
        video(klara, duration_minutes=minutes)
    assert refused.value.message_dict["duration_minutes"] == [
        "Längden måste vara mellan 5 och 240 minuter."
    ]
    assert not VisitType.objects.filter(clinician=klara).exists()


def test_visit_type_needs_a_title(klara):
    with pytest.raises(ValidationError) as refused:
        video(klara, title="   ")
    assert refused.value.message_dict["title"] == ["Ange en titel."]


def test_visit_type_needs_a_known_kind(klara):
    with pytest.raises(ValidationError) as refused:
        video(klara, kind="telefon")
    assert refused.value.message_dict["kind"] == ["Välj typ av besök."]


@pytest.mark.parametrize("patients", [2, 3])
def test_group_visit_takes_2_or_3_patients(klara, patients):
    visit_type = video(klara, kind="video_group", max_patients=patients)
    assert VisitType.objects.get(pk=visit_type.pk).max_patients == patients


@pytest.mark.parametrize("patients", [1, 4, None])
def test_group_visit_with_another_maximum_is_refused(klara, patients):
    with pytest.raises(ValidationError) as refused:
        video(klara, kind="video_group", max_patients=patients)
    assert "max_patients" in refused.value.message_dict
    assert not VisitType.objects.filter(clinician=klara).exists()


def test_one_to_one_visit_always_has_one_patient(klara):
    visit_type = video(klara, max_patients=3)
    assert VisitType.objects.get(pk=visit_type.pk).max_patients == 1


def test_refused_update_leaves_the_stored_visit_type_as_it_was(klara):
    visit_type = video(klara)
    with pytest.raises(ValidationError):
        services.update_visit_type(
            visit_type, title="Ny", duration_minutes=500, kind="video", max_patients=None
        )
    stored = VisitType.objects.get(pk=visit_type.pk)
    assert (stored.title, stored.duration_minutes) == ("Återbesök", 20)


def test_update_turns_a_visit_into_a_group_visit(klara):
    visit_type = video(klara)
    services.update_visit_type(
        visit_type, title="Grupp", duration_minutes=60, kind="video_group", max_patients=3
    )
    stored = VisitType.objects.get(pk=visit_type.pk)
    assert (stored.title, stored.kind, stored.max_patients) == ("Grupp", "video_group", 3)


def test_publishing_without_yrkestitel_and_visit_type_names_both(klara):
    with pytest.raises(ValidationError) as refused:
        services.activate_booking(klara)
    assert refused.value.messages == [NO_TITLE, NO_VISIT]
    assert not services.get_profile(klara).booking_enabled


def test_publishing_without_yrkestitel_is_refused(klara):
    video(klara)
    with pytest.raises(ValidationError) as refused:
        services.activate_booking(klara)
    assert refused.value.messages == [NO_TITLE]


def test_publishing_with_only_an_inactive_visit_type_is_refused(klara):
    services.update_consultation(klara, title="Läkare", description="")
    services.set_visit_type_active(video(klara), False)
    with pytest.raises(ValidationError) as refused:
        services.activate_booking(klara)
    assert refused.value.messages == [NO_VISIT]
    assert not services.get_profile(klara).booking_enabled


def test_booking_function_turns_on_and_off(klara):
    services.update_consultation(klara, title="Läkare", description="")
    video(klara)
    assert services.activate_booking(klara).booking_enabled
    assert services.booking_blockers(klara) == []
    assert not services.deactivate_booking(klara).booking_enabled


def test_deactivating_the_last_active_visit_type_turns_the_booking_function_off(alfa, klara):
    publish(alfa, klara)
    only = VisitType.objects.get(clinician=klara)
    services.set_visit_type_active(only, False)
    assert not services.get_profile(klara).booking_enabled
    services.set_visit_type_active(only, True)
    assert not services.get_profile(klara).booking_enabled  # turning on again is a choice


def test_deactivating_one_of_two_visit_types_keeps_the_booking_function(alfa, klara):
    publish(alfa, klara)
    services.set_visit_type_active(video(klara, title="Nybesök"), False)
    assert services.get_profile(klara).booking_enabled


def test_invite_blockers_name_every_missing_step_until_published(alfa, klara):
    assert services.invite_blockers(klara) == [NO_TITLE, NO_VISIT, NOT_ACTIVE]
    assert [b.step for b in services.missing_for_inviting(klara)] == [
        "consultation",
        "visit_types",
        "booking",
    ]
    services.update_consultation(klara, title="Läkare", description="")
    video(klara)
    assert services.invite_blockers(klara) == [NOT_ACTIVE]
    services.activate_booking(klara)
    assert services.invite_blockers(klara) == []


def test_only_active_clinicians_may_invite(alfa):
    with schema_context(alfa.provider.schema_name):
        assert services.invite_blockers(alfa.patient) == [
            "Bara vårdpersonal kan bjuda in till besök."
        ]
        publish(alfa, alfa.colleague)
        alfa.colleague.is_active = False
        alfa.colleague.save()
        assert services.invite_blockers(alfa.colleague) == [
            "Bara vårdpersonal kan bjuda in till besök."
        ]


def test_profile_steps_report_what_is_done(alfa, klara):
    assert services.profile_steps(klara) == {
        "consultation": False,
        "photo": False,
        "visit_types": False,
        "booking": False,
    }
    publish(alfa, klara)
    steps = services.profile_steps(klara)
    assert steps["consultation"] and steps["visit_types"] and steps["booking"]
    assert not steps["photo"]


def test_published_clinicians_are_active_clinicians_with_the_booking_function_on(alfa, klara):
    publish(alfa, klara)
    publish(alfa, alfa.colleague)
    former = new_user(alfa, "Före", "101", is_clinician=True)
    publish(alfa, former)
    with schema_context(alfa.provider.schema_name):
        former.is_active = False
        former.save()
        no_longer = new_user(alfa, "Roll", "102", is_clinician=True)
        publish(alfa, no_longer)
        no_longer.is_clinician = False
        no_longer.save()
        new_user(alfa, "Opublicerad", "103", is_clinician=True)
        names = [user.first_name for user in services.published_clinicians()]
    assert names == ["Klara", "Kalle"]  # by last name: Kliniker, Kollega
