"""URLs of the public host (careplatform.se): landing page, later the console and support desk."""

from django.conf import settings
from django.urls import include, path

from careplatform import i18n
from careplatform.health import healthz

handler404 = "careplatform.errors.page_not_found"
handler500 = "careplatform.errors.server_error"

urlpatterns = [
    path("", include("public_site.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("tenant_apps.accounts.login.urls")),
    path("sprak/", i18n.choose_language, name="choose-language"),
    path("sms/", include("careplatform.sms.urls")),
    path("sms/", include("tenant_apps.notifications.urls_public")),
]

if settings.BANKID_SIMULATOR_ENABLED:
    urlpatterns.append(path("bankid-simulator/", include("careplatform.bankid.simulator.urls")))
