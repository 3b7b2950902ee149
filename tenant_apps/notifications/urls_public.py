"""Public-host paths of notifications: the gateway's delivery reports (callbacks.py makes the
URL each message carries)."""

from django.urls import path

from tenant_apps.notifications import views

urlpatterns = [
    path(
        "leveransrapport/<str:schema_name>/<str:token>/",
        views.delivery_report,
        name="sms-delivery-report",
    ),
]
