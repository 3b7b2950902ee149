"""Översikt's "Bjud in till besök" card (manual 3): inviting is impossible until the booking
function is active, and the card says why, linking to the Min profil step that fixes it."""

from tests.clients import logged_in
from tests.profiles.support import new_user, publish


def card(response) -> str:
    page = response.content.decode()
    start = page.index('data-role="invite-card"')
    return page[start : page.index("</section>", start)]


def test_card_lists_every_missing_step_with_a_link_and_a_disabled_button(as_clinician):
    html = card(as_clinician.get("/oversikt/"))
    assert "Du kan inte bjuda in till besök ännu." in html
    assert '<a href="/min-profil/konsultation/">Fyll i Yrkestitel under Konsultation.</a>' in html
    assert (
        '<a href="/min-profil/bokningsbara-besok/">Skapa minst ett bokningsbart besök.</a>' in html
    )
    assert (
        '<a href="/min-profil/bokningsfunktion/">Aktivera bokningsfunktionen under Min profil.</a>'
        in html
    )
    assert "disabled" in html


def test_card_says_the_clinician_can_invite_once_published(as_clinician, alfa):
    publish(alfa, alfa.clinician)
    html = card(as_clinician.get("/oversikt/"))
    assert "Du kan bjuda in patienter till besök." in html
    assert "disabled" not in html and "saknas" not in html


def test_card_tells_an_admin_without_the_clinician_role_why(alfa):
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    html = card(logged_in(admin_only, alfa).get("/oversikt/"))
    assert "Bara vårdpersonal kan bjuda in till besök." in html
    assert "<a " not in html
