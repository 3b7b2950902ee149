"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site import views
from public_site.console import support_contact_views

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path(
        "support-kontakt/",
        support_contact_views.support_contact_page,
        name="console-support-contact",
    ),
]
