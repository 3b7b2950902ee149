from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tenant_apps.accounts"
    label = "accounts"
    verbose_name = "Konton"

    def ready(self) -> None:
        # Usage metering (tenants.usage) counts patients with this app's SQL.
        from tenant_apps.accounts.usage import PATIENTS
        from tenants import usage

        usage.register(PATIENTS)
