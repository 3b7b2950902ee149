"""Public-host paths: the development outbox page."""

from django.urls import path

from careplatform.sms import views

urlpatterns = [
    path("utkorg/", views.outbox, name="sms-outbox"),
]
