"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site import views
from public_site.console import provision_views

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("ny/", provision_views.provision, name="console-provision"),
    path("ny/<uuid:job>/", provision_views.job_page, name="console-provision-job"),
    path("ny/<uuid:job>/status/", provision_views.job_status, name="console-provision-job-status"),
]
