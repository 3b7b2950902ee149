from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tenant_apps.profiles"
    label = "profiles"
    verbose_name = "Min profil"
