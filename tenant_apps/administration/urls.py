"""The administration tool, under /administration/ on a provider host."""

from django.urls import path

from tenant_apps.administration import views

urlpatterns = [
    path("", views.start, name="admin-tool"),
    path("vardpersonal/", views.staff_list, name="admin-staff"),
    path("vardpersonal/ny/", views.staff_add, name="admin-staff-add"),
    path("vardpersonal/<int:pk>/", views.staff_edit, name="admin-staff-edit"),
    path(
        "vardpersonal/<int:pk>/inaktivera/",
        views.staff_set_active,
        {"active": False},
        name="admin-staff-deactivate",
    ),
    path(
        "vardpersonal/<int:pk>/aktivera/",
        views.staff_set_active,
        {"active": True},
        name="admin-staff-activate",
    ),
    path("patienter/", views.patient_list, name="admin-patients"),
    path("patienter/ny/", views.patient_add, name="admin-patient-add"),
    path("patienter/<int:pk>/", views.patient_detail, name="admin-patient"),
    path("patienter/<int:pk>/andra/", views.patient_edit, name="admin-patient-edit"),
    path("installningar/", views.provider_settings, name="admin-settings"),
    path("granskningslogg/", views.audit_log, name="admin-audit-log"),
    path("granskningslogg/patient/<int:pk>/", views.audit_log, name="admin-audit-log-patient"),
]
