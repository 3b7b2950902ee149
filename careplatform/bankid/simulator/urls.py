"""Mounted at /bankid-simulator/ on the public host when BANKID_SIMULATOR_ENABLED."""

from django.urls import path, re_path

from careplatform.bankid.simulator import views

urlpatterns = [
    path("rp/v6.0/auth", views.auth, name="bankid-simulator-auth"),
    path("rp/v6.0/sign", views.sign, name="bankid-simulator-sign"),
    path("rp/v6.0/collect", views.collect, name="bankid-simulator-collect"),
    path("rp/v6.0/cancel", views.cancel, name="bankid-simulator-cancel"),
    re_path(r"^rp/(?P<rest>.*)$", views.rp_not_found),
    path("app/", views.phone, name="bankid-simulator-phone"),
    path("app/approve", views.app_approve, name="bankid-simulator-approve"),
    path("app/cancel", views.app_cancel, name="bankid-simulator-app-cancel"),
    path("app/open", views.app_open, name="bankid-simulator-open"),
    path("app/scan", views.app_scan, name="bankid-simulator-scan"),
    path("app/fault", views.app_fault, name="bankid-simulator-fault"),
]
