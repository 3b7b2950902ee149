"""Pages of the public host's own apps: landing page, console and support desk."""

from django.urls import path

from public_site import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("konsol/", views.console_home, name="console-home"),
    path("support/", views.support_home, name="support-home"),
]
