from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants.exports import ExportFailed
from tenants.lifecycle import drop_due_providers


class Command(BaseCommand):
    help = (
        "Export and drop every provider whose termination is due (the worker does this every "
        "TERMINATION_CHECK_INTERVAL seconds). Safe to run at any time, also beside the worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            dropped = drop_due_providers()
        except ExportFailed as exc:
            raise CommandError(f"Exporten misslyckades, inget raderades: {exc}") from None
        if not dropped:
            self.stdout.write("Inga vårdgivare att radera.")
        for provider in dropped:
            self.stdout.write(f"Raderade {provider.name} ({provider.subdomain}).")
