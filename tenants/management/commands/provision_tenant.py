from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tenants.provisioning import (
    ProvisionedBy,
    ProvisioningError,
    ProvisionRequest,
    provider_url,
    provision_provider,
)


class Command(BaseCommand):
    help = (
        "Provision a care provider: subdomain, schema (cloned from the template) and first "
        "admin, who gets an SMS with the login link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--admin-personnummer", required=True)
        parser.add_argument("--admin-name", required=True, help='"FIRST LAST"')
        parser.add_argument("--admin-mobile", required=True)
        parser.add_argument("--org-number", default="")
        parser.add_argument("--method", choices=["clone", "migrate"], default="clone")

    def handle(self, *args: Any, **options: Any) -> None:
        request = ProvisionRequest(
            name=options["name"],
            subdomain=options["subdomain"],
            admin_personnummer=options["admin_personnummer"],
            admin_name=options["admin_name"],
            admin_mobile=options["admin_mobile"],
            org_number=options["org_number"],
        )
        try:
            # From the command line: the operator log names the platform, not a person.
            provider = provision_provider(request, method=options["method"], by=ProvisionedBy())
        except ProvisioningError as exc:
            lines = [f"  {field}: {message}" for field, message in exc.errors.items()]
            raise CommandError("Vårdgivaren skapades inte:\n" + "\n".join(lines)) from None
        except DatabaseError as exc:
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            raise CommandError(f"Databasen gick inte att nå: {first_line}") from None
        self.stdout.write(
            f"Skapade {provider.name} ({provider.subdomain}) på {provider_url(provider)} "
            f"med schema {provider.schema_name}"
        )
