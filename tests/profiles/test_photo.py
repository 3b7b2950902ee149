"""Profile photos (manual 2.2): decoded with Pillow, EXIF stripped, re-encoded as JPEG of at most
512×512, stored per provider and served per provider; anything else refused, nothing saved."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.profiles import photos, services
from tenants.models import CareProvider
from tests.clients import logged_in
from tests.profiles.support import (
    MAKE,
    huge_png,
    image_bytes,
    jpeg_with_exif,
    new_user,
    publish,
    transparent_png,
    upload,
)


def stored_image(cast, user) -> tuple[Image.Image, bytes, str]:
    with schema_context(cast.provider.schema_name):
        profile = services.get_profile(user)
        with profile.photo.open("rb") as stored:
            data = stored.read()
        return Image.open(io.BytesIO(data)), data, profile.photo.path


def set_photo(cast, user, data, **kwargs):
    with schema_context(cast.provider.schema_name):
        return services.set_photo(user, upload(data, **kwargs))


def stored_files(media_root) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_camera_photo_is_turned_upright_scaled_to_512_and_stored_without_exif(alfa, media_root):
    set_photo(alfa, alfa.clinician, jpeg_with_exif(size=(1600, 1200), orientation=6))
    image, data, path = stored_image(alfa, alfa.clinician)
    assert image.format == "JPEG"
    assert image.size == (384, 512)  # 1600×1200 turned a quarter (EXIF 6), then scaled
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"Exif" not in data and b"SpionKamera" not in data
    assert path.startswith(str(media_root / alfa.provider.schema_name / "profile-photos"))


def test_exif_test_image_really_carries_exif():
    exif = Image.open(io.BytesIO(jpeg_with_exif())).getexif()
    assert exif[MAKE] == "SpionKamera" and exif.get_ifd(0x8825)


def test_png_with_transparency_becomes_a_jpeg_on_white(alfa):
    set_photo(alfa, alfa.clinician, transparent_png(), name="logo.png", content_type="image/png")
    image, _data, _path = stored_image(alfa, alfa.clinician)
    assert image.format == "JPEG" and image.size == (300, 200)
    left, right = image.getpixel((10, 100)), image.getpixel((290, 100))
    assert min(right) > 240  # the transparent half is white
    assert left[2] > 200 and left[0] < 30  # the blue half stays blue


def test_webp_is_accepted(alfa):
    set_photo(alfa, alfa.clinician, image_bytes("WEBP"), name="b.webp", content_type="image/webp")
    image, _data, _path = stored_image(alfa, alfa.clinician)
    assert image.format == "JPEG" and image.size == (512, 384)


def test_small_photo_is_not_enlarged(alfa):
    set_photo(alfa, alfa.clinician, image_bytes("JPEG", size=(100, 80)))
    assert stored_image(alfa, alfa.clinician)[0].size == (100, 80)


TOO_LARGE = b"\xff\xd8" + b"0" * (5 * 1024 * 1024)
HUGE_PNG = huge_png(7000, 7000)  # ~190 KB, ~200 MB decoded
TOO_LARGE_TO_DECODE = (
    "Bilden är för stor för att kunna bearbetas (7000 × 7000 bildpunkter). "
    "Förminska den till högst 16 megapixlar och försök igen."
)


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"hej, jag \xc3\xa4r en text", "bild.jpg", "image/jpeg", "Filen är ingen bild"),
        (b"hej", "bild.txt", "text/plain", "Välj en bild i formatet JPEG, PNG eller WebP."),
        (image_bytes("PNG"), "bild.jpg", "image/jpeg", "inte den bildtyp den utger sig"),
        (image_bytes("JPEG"), "bild.png", "image/png", "inte den bildtyp den utger sig"),
        (image_bytes("GIF", mode="P", color=1), "bild.gif", "image/gif", "formatet JPEG, PNG"),
        (image_bytes("GIF", mode="P", color=1), "bild.jpg", "image/jpeg", "inte den bildtyp"),
        (TOO_LARGE, "stor.jpg", "image/jpeg", "Bilden får vara högst 5 MB."),
        (jpeg_with_exif()[:3000], "trasig.jpg", "image/jpeg", "Filen är ingen bild"),
        (image_bytes("PNG", (8000, 8000), "1", 0), "jatte.png", "image/png", "50 megapixlar"),
        (HUGE_PNG, "stor.png", "image/png", TOO_LARGE_TO_DECODE),
    ],
    ids=["text", "text-type", "png-as-jpeg", "jpeg-as-png", "gif", "gif-as-jpeg", "over-5-mb",
         "truncated", "too-many-pixels", "too-large-to-decode"],
)  # fmt: skip
def test_refused_upload_says_why_and_saves_nothing(
    alfa, media_root, data, name, content_type, message
):
    with pytest.raises(ValidationError) as refused:
        set_photo(alfa, alfa.clinician, data, name=name, content_type=content_type)
    assert message in refused.value.message_dict["photo"][0]
    with schema_context(alfa.provider.schema_name):
        assert not services.get_profile(alfa.clinician).photo
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("size", "mode"), [((4096, 4096), "RGB"), ((2896, 2896), "RGBA")], ids=["rgb", "alpha"]
)
def test_png_at_the_memory_budget_is_accepted_and_just_over_it_refused(alfa, size, mode):
    """An image with alpha is scaled on a premultiplied copy: half the pixels of one without."""
    set_photo(alfa, alfa.clinician, huge_png(*size, mode), content_type="image/png")
    assert stored_image(alfa, alfa.clinician)[0].size == (512, 512)
    over = huge_png(size[0] + 1, size[1], mode)
    with pytest.raises(ValidationError) as refused:
        set_photo(alfa, alfa.clinician, over, content_type="image/png")
    assert "för stor för att kunna bearbetas" in refused.value.message_dict["photo"][0]


def test_photos_beyond_the_decodes_at_once_are_asked_to_try_again(alfa, media_root, monkeypatch):
    monkeypatch.setattr(photos, "DECODE_WAIT_SECONDS", 0)
    held = [photos._decoding.acquire(timeout=0) for _ in range(photos.DECODES_AT_ONCE)]
    assert all(held)
    try:
        with pytest.raises(ValidationError) as refused:
            set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
        message = refused.value.message_dict["photo"][0]
        assert message == "Många bilder bearbetas just nu. Försök igen om en stund."
        assert stored_files(media_root) == []
    finally:
        for _ in held:
            photos._decoding.release()
    set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
    assert len(stored_files(media_root)) == 1


def test_a_new_photo_replaces_the_old_file_after_commit(
    alfa, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(alfa, alfa.clinician, image_bytes("JPEG", color=(1, 2, 3)))
    first = stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(alfa, alfa.clinician, image_bytes("JPEG", color=(200, 2, 3)))
    second = stored_files(media_root)
    assert len(first) == len(second) == 1 and first != second


def test_removing_the_photo_deletes_the_file_after_commit(
    alfa, media_root, django_capture_on_commit_callbacks
):
    set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
    with (
        django_capture_on_commit_callbacks(execute=True),
        schema_context(alfa.provider.schema_name),
    ):
        services.remove_photo(alfa.clinician)
        assert not services.get_profile(alfa.clinician).photo
    assert stored_files(media_root) == []


# -- the Bilder page ---------------------------------------------------------------------------


def test_bilder_page_uploads_a_photo_and_shows_it(as_clinician, alfa):
    response = as_clinician.post(
        "/min-profil/bilder/", {"photo": upload(jpeg_with_exif(), name="jag.jpg")}
    )
    assert response.status_code == 302 and response["Location"] == "/min-profil/bilder/"
    page = as_clinician.get("/min-profil/bilder/").content.decode()
    assert "Profilbilden är sparad." in page
    assert f'src="/profilbild/{alfa.clinician.pk}/?v=' in page
    assert "Ta bort profilbilden" in page


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"plain text", "bild.jpg", "image/jpeg", "Filen är ingen bild som går att läsa."),
        (image_bytes("PNG"), "bild.jpg", "image/jpeg", "Filen är inte den bildtyp"),
        (TOO_LARGE, "stor.jpg", "image/jpeg", "Bilden får vara högst 5 MB."),
        (HUGE_PNG, "stor.png", "image/png", TOO_LARGE_TO_DECODE),
    ],
    ids=["not-an-image", "png-claimed-jpeg", "too-large", "too-large-to-decode"],
)
def test_bilder_page_shows_the_refusal_next_to_the_field(
    as_clinician, alfa, media_root, data, name, content_type, message
):
    photo = upload(data, name=name, content_type=content_type)
    response = as_clinician.post("/min-profil/bilder/", {"photo": photo})
    assert response.status_code == 200
    field = response.context["form"]["photo"]
    assert message in field.errors[0]
    assert message in response.content.decode()
    assert stored_files(media_root) == []


def test_bilder_page_without_a_file_asks_for_one(as_clinician):
    response = as_clinician.post("/min-profil/bilder/", {})
    assert response.context["form"]["photo"].errors == ["Välj en bild."]


def test_remove_button_removes_the_photo(as_clinician, alfa):
    set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
    response = as_clinician.post("/min-profil/bilder/ta-bort/")
    assert response.status_code == 302
    with schema_context(alfa.provider.schema_name):
        assert not services.get_profile(alfa.clinician).photo
    assert "Du har ingen profilbild." in as_clinician.get("/min-profil/bilder/").content.decode()


def test_remove_needs_post(as_clinician):
    assert as_clinician.get("/min-profil/bilder/ta-bort/").status_code == 405


# -- serving photos per provider ---------------------------------------------------------------


def test_photo_is_served_with_its_content_type_to_users_of_the_provider(alfa):
    set_photo(alfa, alfa.clinician, jpeg_with_exif())
    response = logged_in(alfa.patient, alfa).get(f"/profilbild/{alfa.clinician.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (384, 512)


def test_photo_url_needs_get(alfa):
    set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
    client = logged_in(alfa.colleague, alfa)
    assert client.post(f"/profilbild/{alfa.clinician.pk}/").status_code == 405


def test_user_without_photo_or_unknown_user_is_404(alfa):
    client = logged_in(alfa.colleague, alfa)
    assert client.get(f"/profilbild/{alfa.clinician.pk}/").status_code == 404
    assert client.get("/profilbild/987654/").status_code == 404


def test_photo_of_another_providers_user_is_404(alfa, beta):
    outsider = new_user(beta, "Bettan", "201", pk=900001, is_clinician=True)
    set_photo(beta, outsider, image_bytes("JPEG"))
    assert logged_in(beta.admin, beta).get("/profilbild/900001/").status_code == 200
    with schema_context(alfa.provider.schema_name):
        assert not type(alfa.admin).objects.filter(pk=900001).exists()
    assert logged_in(alfa.admin, alfa).get("/profilbild/900001/").status_code == 404


def test_anonymous_visitor_sees_only_published_photos_where_listing_is_on(alfa):
    set_photo(alfa, alfa.clinician, image_bytes("JPEG"))
    set_photo(alfa, alfa.colleague, image_bytes("JPEG"))
    publish(alfa, alfa.clinician)
    visitor = logged_in(None, alfa)
    assert visitor.get(f"/profilbild/{alfa.clinician.pk}/").status_code == 404  # listing off
    CareProvider.objects.filter(pk=alfa.provider.pk).update(clinician_listing_enabled=True)
    from tenants.routing import host_cache

    host_cache.clear()
    assert visitor.get(f"/profilbild/{alfa.clinician.pk}/").status_code == 200
    assert visitor.get(f"/profilbild/{alfa.colleague.pk}/").status_code == 404  # unpublished
