"""Pages of the public host's own apps: landing page, console and support desk."""

from django.urls import include, path

from public_site import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("konsol/", include("public_site.console.urls")),
    path("support/", views.support_home, name="support-home"),
]
