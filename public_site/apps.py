from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "public_site"

    def ready(self) -> None:
        # Actions that need a fresh BankID signature, by kind (public_site.signing).
        from public_site.console.lifecycle_views import register_signed_actions

        register_signed_actions()
