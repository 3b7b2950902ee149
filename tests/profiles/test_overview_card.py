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


def test_card_tells_an_admin_without_the_clinician_role_why_when_nobody_can_be_booked(alfa):
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    client = logged_in(admin_only, alfa)
    html = card(client.get("/oversikt/"))
    assert "Ingen vårdpersonal har aktiverat bokningsfunktionen ännu." in html
    assert "<a " not in html and "disabled" in html
    # Bokningar's invite page says the same, without a link to a Min profil they do not have.
    page = client.get("/bokningar/ny/").content.decode()
    assert "Ingen vårdpersonal har aktiverat bokningsfunktionen ännu." in page
    assert "Gå till Min profil" not in page and 'name="personnummer_1"' not in page


def test_an_admin_invites_from_the_card_as_from_bokningar(alfa):
    """Admins book for any clinician whose booking function is on (manual 8): the card's
    button is enabled whenever the invite page takes an invitation, their own profile or not."""
    publish(alfa, alfa.clinician)
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    for admin in (admin_only, alfa.admin):  # Alma is a clinician too, with nothing published
        client = logged_in(admin, alfa)
        html = card(client.get("/oversikt/"))
        assert "disabled" not in html and "saknas" not in html
        assert '<a class="button primary" href="/bokningar/ny/">Bjud in till besök</a>' in html
        assert "åt vårdpersonal med aktiv bokningsfunktion" in html
        assert 'name="personnummer_1"' in client.get("/bokningar/ny/").content.decode()


def test_card_and_invite_page_agree_for_everyone_on_staff(alfa):
    """One rule: the card's button is enabled exactly when the invite page shows its form."""
    publish(alfa, alfa.colleague)
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    for user in (alfa.admin, alfa.clinician, alfa.colleague, admin_only):
        client = logged_in(user, alfa)
        enabled = "disabled" not in card(client.get("/oversikt/"))
        form = 'name="personnummer_1"' in client.get("/bokningar/ny/").content.decode()
        assert enabled == form, user.full_name
