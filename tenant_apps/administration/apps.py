from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "tenant_apps.administration"
    label = "administration"
    verbose_name = "Administrationsverktyget"
