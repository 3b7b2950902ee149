"""The operators' console (/konsol/): providers, provisioning, a provider's page, the log."""

from django.urls import path

from public_site import views

urlpatterns = [
    path("", views.console_home, name="console-home"),
]
