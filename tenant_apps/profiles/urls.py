from django.urls import path

from tenant_apps.profiles import views

urlpatterns = [
    path("min-profil/", views.profile, name="profile"),
    path("min-profil/konsultation/", views.consultation, name="profile-consultation"),
    path("min-profil/bilder/", views.photo, name="profile-photo"),
    path("min-profil/bilder/ta-bort/", views.photo_remove, name="profile-photo-remove"),
    path("min-profil/bokningsbara-besok/", views.visit_types, name="profile-visit-types"),
    path(
        "min-profil/bokningsbara-besok/nytt/",
        views.visit_type_create,
        name="profile-visit-type-create",
    ),
    path(
        "min-profil/bokningsbara-besok/<int:pk>/",
        views.visit_type_edit,
        name="profile-visit-type-edit",
    ),
    path(
        "min-profil/bokningsbara-besok/<int:pk>/aktiv/",
        views.visit_type_active,
        name="profile-visit-type-active",
    ),
    path("min-profil/bokningsfunktion/", views.booking, name="profile-booking"),
    path("min-profil/sms/", views.waiting_sms, name="profile-waiting-sms"),
    path("profilbild/<int:user_id>/", views.photo_file, name="profile-photo-file"),
    path("vardpersonal/", views.clinician_listing, name="clinician-listing"),
]
