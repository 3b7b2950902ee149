"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site import views
from public_site.console import interim_provider, lifecycle_views, log_views, signing_views
from tenants.models import OperatorActionKind

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("logg/", log_views.log, name="console-log"),
    # INTERIM — drop at merge: the console's real provider page takes this URL.
    path("vardgivare/<slug:subdomain>/", interim_provider.provider_page, name="console-provider"),
    path(
        "vardgivare/<slug:subdomain>/stang-av/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.SUSPEND},
        name="console-suspend",
    ),
    path(
        "vardgivare/<slug:subdomain>/ateraktivera/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.REACTIVATE},
        name="console-reactivate",
    ),
    path(
        "vardgivare/<slug:subdomain>/avsluta/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.TERMINATE},
        name="console-terminate",
    ),
    path(
        "vardgivare/<slug:subdomain>/angra-avslut/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.TERMINATE_UNDONE},
        name="console-undo-termination",
    ),
    path("signera/<str:token>/", signing_views.sign_page, name="console-sign"),
    path("signera/<str:token>/start/", signing_views.sign_start, name="console-sign-start"),
    path("signera/<str:token>/status/", signing_views.sign_status, name="console-sign-status"),
    path("signera/<str:token>/avbryt/", signing_views.sign_cancel, name="console-sign-cancel"),
]
