from django.urls import path

from tenant_apps.workspace import views

urlpatterns = [
    path("oversikt/", views.overview, name="overview"),
    path("mina-besok/", views.patient_home, name="patient-home"),
    path("samtycke/", views.consent, name="consent"),
    path("support/", views.support, name="provider-support"),
]
