"""Public-host paths: the outbox page and the gateway's delivery reports."""

from django.urls import path

from careplatform.sms import views
from tenant_apps.notifications.views import delivery_report

urlpatterns = [
    path("utkorg/", views.outbox, name="sms-outbox"),
    path(
        "leveransrapport/<str:schema_name>/<str:token>/",
        delivery_report,
        name="sms-delivery-report",
    ),
]
