"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site.console import list_views

urlpatterns = [
    path("", list_views.provider_list, name="console-home"),
]
