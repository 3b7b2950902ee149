"""Vårdpersonal: where the provider has the clinician listing on, the published clinicians with
name, yrkestitel, photo and description, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.profiles.models import ClinicianProfile
from tenants.models import CareProvider
from tenants.routing import host_cache
from tests.clients import logged_in
from tests.profiles.support import image_bytes, in_schema, publish, upload
from tests.support import personnummer


def listing_on(cast, on=True) -> None:
    CareProvider.objects.filter(pk=cast.provider.pk).update(clinician_listing_enabled=on)
    host_cache.clear()


def published_clinicians(cast, count: int) -> None:
    """`count` published clinicians with a photo each, written in two queries."""
    with schema_context(cast.provider.schema_name):
        users = User.objects.bulk_create(
            User(
                personnummer=personnummer(f"196001{n % 28 + 1:02d}", f"{n // 28 + 600:03d}"),
                first_name=f"Vårdare{n:03d}", last_name="Listad", is_clinician=True,
            )
            for n in range(count)
        )  # fmt: skip
        ClinicianProfile.objects.bulk_create(
            ClinicianProfile(
                user=user, title="Sjuksköterska", description="Om mig", booking_enabled=True,
                photo=f"profile-photos/{user.pk}.jpg",
            )
            for user in users
        )  # fmt: skip


def test_listing_is_404_when_the_provider_has_it_off(alfa):
    publish(alfa, alfa.clinician)
    assert logged_in(None, alfa).get("/vardpersonal/").status_code == 404


def test_listing_presents_published_clinicians_to_anyone(alfa):
    from tenant_apps.profiles import services

    publish(alfa, alfa.clinician, title="Distriktsläkare")
    in_schema(alfa, services.update_consultation, alfa.clinician, title="Distriktsläkare",
              description="Jag tar emot barn och vuxna.")  # fmt: skip
    in_schema(alfa, services.set_photo, alfa.clinician, upload(image_bytes("JPEG")))
    listing_on(alfa)
    page = logged_in(None, alfa).get("/vardpersonal/").content.decode()
    assert "Klara Kliniker" in page and "Distriktsläkare" in page
    assert "Jag tar emot barn och vuxna." in page
    assert f'src="/profilbild/{alfa.clinician.pk}/?v=' in page
    assert "Kalle Kollega" not in page  # not published


def test_listing_refuses_post(alfa):
    listing_on(alfa)
    assert logged_in(None, alfa).post("/vardpersonal/").status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_listing_takes_the_same_number_of_queries_for_5_and_50_clinicians(alfa, beta, signed_in):
    listing_on(alfa)
    listing_on(beta)
    published_clinicians(alfa, 5)
    published_clinicians(beta, 50)
    counts = []
    for cast in (alfa, beta):
        visitor = logged_in(cast.admin if signed_in else None, cast)
        visitor.get("/vardpersonal/")  # routing and sessions warmed up
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get("/vardpersonal/")
        assert response.content.decode().count('class="clinician card"') == (
            5 if cast is alfa else 50
        )
        counts.append(len(queries))
    assert counts[0] == counts[1]
