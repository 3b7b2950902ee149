from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from careplatform.validators import normalize_personnummer
from tenants.db import connection


class Command(BaseCommand):
    help = "Create an operator or support user on the public host (they log in with BankID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("personnummer")
        parser.add_argument("name", help='"FIRST LAST"')
        parser.add_argument("--role", required=True, choices=["operator", "support"])

    def handle(self, *args: Any, **options: Any) -> None:
        connection.set_schema_to_public()
        parts = options["name"].split()
        if len(parts) < 2:
            raise CommandError('Ange för- och efternamn, t.ex. "Sara Svensson".')
        try:
            personnummer = normalize_personnummer(options["personnummer"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        role = options["role"]
        try:
            user = get_user_model().objects.create_user(
                personnummer,
                " ".join(parts[:-1]),
                parts[-1],
                is_operator=role == "operator",
                is_support=role == "support",
            )
        except (IntegrityError, ValidationError):
            raise CommandError("Det finns redan en användare med det personnumret.") from None
        self.stdout.write(
            f"Skapade {role} {user.full_name} ({personnummer[:8]}-{personnummer[8:]})"
        )
