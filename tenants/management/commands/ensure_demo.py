from django.core.management.base import BaseCommand

from tenants.models import CareProvider
from tenants.provisioning import ProvisionRequest, provider_url, provision_provider

DEMO = ProvisionRequest(
    name="Demovårdgivaren",
    subdomain="demo",
    admin_personnummer="19811218-9876",
    admin_name="Anna Administratör",
    admin_mobile="070-123 45 67",
)


class Command(BaseCommand):
    help = "Provision the demo provider (demo.<BASE_DOMAIN>) unless it exists."

    def handle(self, *args, **options):
        provider = CareProvider.objects.filter(subdomain=DEMO.subdomain).first()
        if provider is None:
            provider = provision_provider(DEMO)
            self.stdout.write(f"Skapade demovårdgivaren på {provider_url(provider)}")
        else:
            self.stdout.write(f"Demovårdgivaren finns på {provider_url(provider)}")
