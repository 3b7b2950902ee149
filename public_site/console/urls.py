"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site import views
from public_site.console import provider_views, provision_views

urlpatterns = [
    path("", views.console_home, name="console-home"),
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
]
