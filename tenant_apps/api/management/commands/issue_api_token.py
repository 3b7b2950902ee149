"""`python manage.py issue_api_token SUBDOMAIN PERSONNUMMER [--name NAME]`: a personal API key
for scripts. Prints the key alone, so `KEY=$(... issue_api_token ...)` works."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from careplatform.validators import normalize_personnummer
from tenant_apps.accounts.models import User
from tenant_apps.api.services import issue_token
from tenants.models import CareProvider


class Command(BaseCommand):
    help = "Issue a personal API key for a user of a provider; prints the key alone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subdomain")
        parser.add_argument("personnummer")
        parser.add_argument("--name", default="Skript", help="what the key is for")

    def handle(
        self, *args: Any, subdomain: str, personnummer: str, name: str, **options: Any
    ) -> None:
        provider = CareProvider.objects.filter(subdomain=subdomain, is_template=False).first()
        if provider is None:
            raise CommandError(f"Det finns ingen vårdgivare med subdomänen {subdomain!r}.")
        try:
            normalized = normalize_personnummer(personnummer)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with schema_context(provider.schema_name):
            user = User.objects.filter(personnummer=normalized).first()
            if user is None or not user.is_active:
                raise CommandError(
                    f"{provider.name} har ingen aktiv användare med personnummer {normalized}."
                )
            try:
                _token, key = issue_token(user, name)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(key)
