"""The Min profil pages (manual 2.1–2.4): each saves through its service and shows a refusal
next to the field it concerns, in Swedish, saving nothing."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.profiles import services
from tenant_apps.profiles.models import VisitType
from tests.profiles.support import in_schema, new_user, publish

NEW = "/min-profil/bokningsbara-besok/nytt/"


def profile_of(cast, user):
    return in_schema(cast, services.get_profile, user)


def visit_types_of(cast, user) -> list[VisitType]:
    with schema_context(cast.provider.schema_name):
        return list(VisitType.objects.filter(clinician=user))


def make_visit(cast, user, **fields) -> VisitType:
    values = {"title": "Återbesök", "duration_minutes": 20, "kind": "video", **fields}
    return in_schema(cast, services.create_visit_type, user, **values)


# -- Min profil and Konsultation ---------------------------------------------------------------


def test_min_profil_shows_the_four_steps_and_what_is_done(as_clinician, alfa):
    in_schema(alfa, services.update_consultation, alfa.clinician, title="Läkare", description="")
    page = as_clinician.get("/min-profil/").content.decode()
    for label in ["Konsultation", "Bilder", "Bokningsbara besök", "Aktivera bokningsfunktion"]:
        assert label in page
    steps = as_clinician.get("/min-profil/").context["steps"]
    assert [step["done"] for step in steps] == [True, False, False, False]
    assert steps[0]["url"] == "/min-profil/konsultation/"


def test_konsultation_saves_yrkestitel_and_description(as_clinician, alfa):
    response = as_clinician.post(
        "/min-profil/konsultation/", {"title": "Barnmorska", "description": "Hej!"}
    )
    assert response.status_code == 302
    profile = profile_of(alfa, alfa.clinician)
    assert (profile.title, profile.description) == ("Barnmorska", "Hej!")
    page = as_clinician.get("/min-profil/konsultation/").content.decode()
    assert "Konsultation är sparad." in page and 'value="Barnmorska"' in page


def test_konsultation_refuses_emptying_yrkestitel_while_published(as_clinician, alfa):
    publish(alfa, alfa.clinician, title="Läkare")
    response = as_clinician.post("/min-profil/konsultation/", {"title": "", "description": "x"})
    assert response.status_code == 200
    assert response.context["form"]["title"].errors == [
        "Yrkestiteln behövs så länge bokningsfunktionen är aktiv."
    ]
    assert profile_of(alfa, alfa.clinician).description == ""


def test_konsultation_refuses_too_long_description(as_clinician, alfa):
    response = as_clinician.post(
        "/min-profil/konsultation/", {"title": "Läkare", "description": "x" * 2001}
    )
    assert response.context["form"]["description"].errors
    assert profile_of(alfa, alfa.clinician).title == ""


# -- Bokningsbara besök ------------------------------------------------------------------------


def test_new_one_to_one_visit_is_saved_and_listed(as_clinician, alfa):
    data = {"title": "Återbesök", "duration_minutes": "20", "kind": "video", "max_patients": ""}
    response = as_clinician.post(NEW, data)
    assert response.status_code == 302 and response["Location"] == "/min-profil/bokningsbara-besok/"
    [saved] = visit_types_of(alfa, alfa.clinician)
    assert (saved.title, saved.duration_minutes, saved.kind, saved.max_patients) == (
        "Återbesök", 20, "video", 1,
    )  # fmt: skip
    page = as_clinician.get("/min-profil/bokningsbara-besok/").content.decode()
    assert "Återbesök" in page and "20 minuter" in page and "Videobesök (1-1 möte)" in page


def test_new_group_visit_is_saved_with_its_maximum(as_clinician, alfa):
    data = {"title": "Grupp", "duration_minutes": "60", "kind": "video_group", "max_patients": "3"}
    as_clinician.post(NEW, data)
    [saved] = visit_types_of(alfa, alfa.clinician)
    assert (saved.kind, saved.max_patients) == ("video_group", 3)
    page = as_clinician.get("/min-profil/bokningsbara-besok/").content.decode()
    assert "Videogruppbesök" in page and "högst 3 patienter" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"duration_minutes": "0"}, "duration_minutes", "mellan 5 och 240 minuter"),
        ({"duration_minutes": "500"}, "duration_minutes", "mellan 5 och 240 minuter"),
        ({"duration_minutes": "tjugo"}, "duration_minutes", "hela minuter"),
        ({"duration_minutes": ""}, "duration_minutes", "hur länge besöket ska pågå"),
        ({"kind": "video_group", "max_patients": "1"}, "max_patients", "2–3 patienter"),
        ({"kind": "video_group", "max_patients": "4"}, "max_patients", "2–3 patienter"),
        ({"kind": "video_group", "max_patients": ""}, "max_patients", "2–3 patienter"),
        ({"title": ""}, "title", "Ange en titel."),
        ({"kind": "telefon"}, "kind", "Välj typ av besök."),
        ({"kind": "video_group", "max_patients": "två"}, "max_patients", "som en siffra"),
    ],
    ids=["0-min", "500-min", "not-a-number", "no-length", "group-of-1", "group-of-4",
         "group-blank", "no-title", "unknown-kind", "group-not-a-number"],
)  # fmt: skip
def test_new_visit_refusal_is_shown_next_to_the_field(as_clinician, alfa, changes, field, message):
    data = {"title": "Återbesök", "duration_minutes": "20", "kind": "video", **changes}
    response = as_clinician.post(NEW, data)
    assert response.status_code == 200
    errors = response.context["form"][field].errors
    assert errors and message in errors[0]
    assert message in response.content.decode()
    assert visit_types_of(alfa, alfa.clinician) == []


def test_edit_changes_the_visit_type(as_clinician, alfa):
    visit = make_visit(alfa, alfa.clinician)
    page = as_clinician.get(f"/min-profil/bokningsbara-besok/{visit.pk}/").content.decode()
    assert 'value="Återbesök"' in page
    data = {"title": "Nybesök", "duration_minutes": "45", "kind": "video_group", "max_patients": 2}
    response = as_clinician.post(f"/min-profil/bokningsbara-besok/{visit.pk}/", data)
    assert response.status_code == 302
    [saved] = visit_types_of(alfa, alfa.clinician)
    assert (saved.title, saved.duration_minutes, saved.max_patients) == ("Nybesök", 45, 2)


def test_refused_edit_saves_nothing(as_clinician, alfa):
    visit = make_visit(alfa, alfa.clinician)
    data = {"title": "Nybesök", "duration_minutes": "500", "kind": "video"}
    response = as_clinician.post(f"/min-profil/bokningsbara-besok/{visit.pk}/", data)
    assert "mellan 5 och 240 minuter" in response.context["form"]["duration_minutes"].errors[0]
    [saved] = visit_types_of(alfa, alfa.clinician)
    assert (saved.title, saved.duration_minutes) == ("Återbesök", 20)


def test_visit_type_can_be_deactivated_and_activated_again(as_clinician, alfa):
    visit = make_visit(alfa, alfa.clinician)
    path = f"/min-profil/bokningsbara-besok/{visit.pk}/aktiv/"
    assert as_clinician.post(path, {"active": "0"}).status_code == 302
    assert not visit_types_of(alfa, alfa.clinician)[0].is_active
    assert (
        "Besöket är inaktiverat."
        in as_clinician.get("/min-profil/bokningsbara-besok/").content.decode()
    )
    as_clinician.post(path, {"active": "1"})
    assert visit_types_of(alfa, alfa.clinician)[0].is_active


def test_deactivating_the_last_visit_turns_booking_off_and_says_so(as_clinician, alfa):
    publish(alfa, alfa.clinician)
    [visit] = visit_types_of(alfa, alfa.clinician)
    as_clinician.post(f"/min-profil/bokningsbara-besok/{visit.pk}/aktiv/", {"active": "0"})
    assert not profile_of(alfa, alfa.clinician).booking_enabled
    page = as_clinician.get("/min-profil/bokningsbara-besok/").content.decode()
    assert "Bokningsfunktionen är avstängd" in page


def test_active_flag_must_be_0_or_1(as_clinician, alfa):
    visit = make_visit(alfa, alfa.clinician)
    path = f"/min-profil/bokningsbara-besok/{visit.pk}/aktiv/"
    assert as_clinician.post(path, {"active": "ja"}).status_code == 400
    assert visit_types_of(alfa, alfa.clinician)[0].is_active


def test_a_colleagues_visit_type_is_404(as_clinician, alfa):
    theirs = make_visit(alfa, alfa.colleague)
    assert as_clinician.get(f"/min-profil/bokningsbara-besok/{theirs.pk}/").status_code == 404
    path = f"/min-profil/bokningsbara-besok/{theirs.pk}/aktiv/"
    assert as_clinician.post(path, {"active": "0"}).status_code == 404
    assert visit_types_of(alfa, alfa.colleague)[0].is_active


def test_a_visit_type_of_another_provider_is_404(as_clinician, alfa, beta):
    bettan = new_user(beta, "Bettan", "201", is_clinician=True)
    with schema_context(beta.provider.schema_name):
        theirs = VisitType.objects.create(
            pk=900002, clinician=bettan, title="Beta", duration_minutes=30, kind="video"
        )
    with schema_context(alfa.provider.schema_name):
        assert not VisitType.objects.filter(pk=theirs.pk).exists()
    assert as_clinician.get(f"/min-profil/bokningsbara-besok/{theirs.pk}/").status_code == 404
    data = {"title": "Kapad", "duration_minutes": "30", "kind": "video"}
    assert (
        as_clinician.post(f"/min-profil/bokningsbara-besok/{theirs.pk}/", data).status_code == 404
    )
    path = f"/min-profil/bokningsbara-besok/{theirs.pk}/aktiv/"
    assert as_clinician.post(path, {"active": "0"}).status_code == 404
    with schema_context(beta.provider.schema_name):
        stored = VisitType.objects.get(pk=theirs.pk)
        assert (stored.title, stored.is_active) == ("Beta", True)


def test_a_missing_visit_type_is_404(as_clinician):
    assert as_clinician.get("/min-profil/bokningsbara-besok/987654/").status_code == 404
    path = "/min-profil/bokningsbara-besok/987654/aktiv/"
    assert as_clinician.post(path, {"active": "0"}).status_code == 404


# -- Aktivera bokningsfunktion -----------------------------------------------------------------

BOOKING = "/min-profil/bokningsfunktion/"


def test_booking_page_lists_what_is_missing_with_links(as_clinician):
    page = as_clinician.get(BOOKING).content.decode()
    assert "Bokningsfunktionen är inte aktiv." in page
    assert '<a href="/min-profil/konsultation/">Fyll i Yrkestitel under Konsultation.</a>' in page
    assert (
        '<a href="/min-profil/bokningsbara-besok/">Skapa minst ett bokningsbart besök.</a>' in page
    )


def test_activating_without_yrkestitel_and_visit_type_is_refused_with_reasons(as_clinician, alfa):
    response = as_clinician.post(BOOKING, {"action": "activate"})
    assert response.status_code == 200
    assert response.context["refused"] == [
        "Fyll i Yrkestitel under Konsultation.",
        "Skapa minst ett bokningsbart besök.",
    ]
    assert "Bokningsfunktionen kunde inte aktiveras" in response.content.decode()
    assert not profile_of(alfa, alfa.clinician).booking_enabled


def test_activating_without_an_active_visit_type_is_refused(as_clinician, alfa):
    in_schema(alfa, services.update_consultation, alfa.clinician, title="Läkare", description="")
    response = as_clinician.post(BOOKING, {"action": "activate"})
    assert response.context["refused"] == ["Skapa minst ett bokningsbart besök."]
    assert not profile_of(alfa, alfa.clinician).booking_enabled


def test_booking_function_is_activated_and_turned_off_again(as_clinician, alfa):
    in_schema(alfa, services.update_consultation, alfa.clinician, title="Läkare", description="")
    make_visit(alfa, alfa.clinician)
    assert as_clinician.post(BOOKING, {"action": "activate"}).status_code == 302
    assert profile_of(alfa, alfa.clinician).booking_enabled
    page = as_clinician.get(BOOKING).content.decode()
    assert "Bokningsfunktionen är aktiv." in page and "Stäng av bokningsfunktionen" in page
    assert as_clinician.post(BOOKING, {"action": "deactivate"}).status_code == 302
    assert not profile_of(alfa, alfa.clinician).booking_enabled


def test_booking_page_refuses_an_unknown_action(as_clinician, alfa):
    assert as_clinician.post(BOOKING, {"action": "publicera"}).status_code == 400
    assert not profile_of(alfa, alfa.clinician).booking_enabled
