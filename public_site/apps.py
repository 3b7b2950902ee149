from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "public_site"

    def ready(self) -> None:
        # Actions that need a fresh BankID signature, by kind (public_site.signing).
        from public_site import signing
        from public_site.console import provider_views
        from public_site.console.lifecycle_views import register_signed_actions

        register_signed_actions()
        signing.register(provider_views.DOMAIN_REMOVAL, provider_views.perform_domain_removal)
