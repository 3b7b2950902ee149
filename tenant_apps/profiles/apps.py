from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tenant_apps.profiles"
    label = "profiles"
    verbose_name = "Min profil"

    def ready(self) -> None:
        # Usage metering (tenants.usage) counts active clinicians with this app's SQL.
        from tenant_apps.profiles.usage import ACTIVE_CLINICIANS
        from tenants import usage

        usage.register(ACTIVE_CLINICIANS)
