"""URLs of a provider host (<subdomain>.careplatform.se)."""

from django.urls import include, path

from careplatform import i18n, views
from careplatform.health import healthz

handler404 = "careplatform.errors.page_not_found"
handler500 = "careplatform.errors.server_error"

urlpatterns = [
    path("", views.provider_home, name="provider-home"),
    path("healthz", healthz, name="healthz"),
    path("", include("tenant_apps.accounts.login.urls")),
    path("sprak/", i18n.choose_language, name="choose-language"),
    path("", include("tenant_apps.workspace.urls")),
    path("", include("tenant_apps.profiles.urls")),
    path("administration/", include("tenant_apps.administration.urls")),
    path("", include("tenant_apps.bookings.urls")),
    path("", include("tenant_apps.video.urls")),
    path("", include("tenant_apps.inbox.urls")),
    path("api/", include("tenant_apps.api.urls")),
    path("api-nycklar/", include("tenant_apps.api.token_urls")),
]
