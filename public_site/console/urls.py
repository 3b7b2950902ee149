"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site.console import (
    lifecycle_views,
    list_views,
    log_views,
    provider_views,
    provision_views,
    signing_views,
    support_contact_views,
)
from tenants.models import OperatorActionKind

urlpatterns = [
    path("", list_views.provider_list, name="console-home"),
    path("vardgivare/<str:subdomain>/", provider_views.provider_page, name="console-provider"),
    path(
        "vardgivare/<str:subdomain>/installningar/",
        provider_views.provider_settings,
        name="console-provider-settings",
    ),
    path(
        "vardgivare/<str:subdomain>/domaner/",
        provider_views.domain_add,
        name="console-provider-domain-add",
    ),
    path(
        "vardgivare/<str:subdomain>/domaner/<int:pk>/ta-bort/",
        provider_views.domain_remove,
        name="console-provider-domain-remove",
    ),
    path(
        "vardgivare/<str:subdomain>/administratorer/",
        provider_views.admin_add,
        name="console-provider-admin-add",
    ),
    path("ny/", provision_views.provision, name="console-provision"),
    path("ny/<uuid:job>/", provision_views.job_page, name="console-provision-job"),
    path("ny/<uuid:job>/status/", provision_views.job_status, name="console-provision-job-status"),
    path("logg/", log_views.log, name="console-log"),
    path(
        "vardgivare/<str:subdomain>/stang-av/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.SUSPEND},
        name="console-suspend",
    ),
    path(
        "vardgivare/<str:subdomain>/ateraktivera/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.REACTIVATE},
        name="console-reactivate",
    ),
    path(
        "vardgivare/<str:subdomain>/avsluta/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.TERMINATE},
        name="console-terminate",
    ),
    path(
        "vardgivare/<str:subdomain>/angra-avslut/",
        lifecycle_views.lifecycle_action,
        {"kind": OperatorActionKind.TERMINATE_UNDONE},
        name="console-undo-termination",
    ),
    path("signera/<str:token>/", signing_views.sign_page, name="console-sign"),
    path("signera/<str:token>/start/", signing_views.sign_start, name="console-sign-start"),
    path("signera/<str:token>/status/", signing_views.sign_status, name="console-sign-status"),
    path("signera/<str:token>/avbryt/", signing_views.sign_cancel, name="console-sign-cancel"),
    path(
        "support-kontakt/",
        support_contact_views.support_contact_page,
        name="console-support-contact",
    ),
]
