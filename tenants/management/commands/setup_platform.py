from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tenants.provisioning import ensure_template


class Command(BaseCommand):
    help = "Migrate the public schema, keep the template schema migrated, migrate every provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--executor", default="standard", choices=["standard", "multiprocessing"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        ensure_template()
        # The template has a provider row, so this migrates it along with every provider.
        call_command(
            "migrate_schemas",
            tenant=True,
            interactive=False,
            executor=options["executor"],
            verbosity=verbosity,
        )
        ensure_template()
        self.stdout.write("Databasen är migrerad.")
