from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from careplatform.validators import format_personnummer
from tenants.db import connection
from tenants.models import CareProvider
from tenants.provisioning import ProvisionRequest, provider_url, provision_provider

DEMO = ProvisionRequest(
    name="Demovårdgivaren",
    subdomain="demo",
    admin_personnummer="198112189876",
    admin_name="Anna Administratör",
    admin_mobile="070-123 45 67",
)
# (personnummer, first name, last name, roles) — everyone logs in through the BankID simulator.
DEMO_USERS = [
    ("197503152428", "Karin", "Kliniker", {"is_clinician": True}),
    ("199001012393", "Peter", "Patient", {"is_patient": True}),
]
STAFF_USERS = [
    ("196808231119", "Olof", "Operatör", {"is_operator": True}),
    ("197204112226", "Siv", "Support", {"is_support": True}),
]


def _ensure_users(users: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    accounts = get_user_model().objects
    for personnummer, first, last, roles in users:
        if not accounts.filter(personnummer=personnummer).exists():
            accounts.create_user(personnummer, first, last, mobile="0701234567", **roles)


class Command(BaseCommand):
    help = "Provision the demo provider (demo.<BASE_DOMAIN>) and demo users unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        connection.set_schema_to_public()
        provider = CareProvider.objects.filter(subdomain=DEMO.subdomain).first()
        if provider is None:
            provider = provision_provider(DEMO)
        _ensure_users(STAFF_USERS)
        with schema_context(provider.schema_name):
            _ensure_users(DEMO_USERS)
        url = provider_url(provider)
        public = url.replace(f"{provider.subdomain}.", "", 1)
        lines = [
            f"Demovårdgivaren: {url}",
            f"Logga in: öppna {url}login/ och godkänn i BankID-simulatorn "
            f"{public}bankid-simulator/app/ med personnumret för",
            f"  administratör  {format_personnummer(DEMO.admin_personnummer)}  Anna Administratör",
        ]
        lines += [
            f"  {label:<14} {format_personnummer(personnummer)}  {first} {last}"
            for label, (personnummer, first, last, _) in zip(
                ["vårdpersonal", "patient"], DEMO_USERS, strict=True
            )
        ]
        lines.append(f"Operatör och support loggar in på {public}login/ med")
        lines += [
            f"  {label:<14} {format_personnummer(personnummer)}  {first} {last}"
            for label, (personnummer, first, last, _) in zip(
                ["operatör", "support"], STAFF_USERS, strict=True
            )
        ]
        self.stdout.write("\n".join(lines))
