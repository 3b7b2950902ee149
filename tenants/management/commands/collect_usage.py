import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from careplatform import clock
from tenants import usage


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ogiltigt datum ”{value}”: skriv det som ÅÅÅÅ-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Count usage (visits held, video minutes, SMS segments, active clinicians, patients) at "
        "every provider into the usage table: today and yesterday, or --day. The worker does "
        "this every USAGE_INTERVAL seconds; running it again gives the same figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day",
            help="YYYY-MM-DD, Stockholm time. Active clinicians and patients are counted "
            "for today only (a state, not an event).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today_local()
        if options["day"] is not None:
            day = _day(options["day"])
            if day > today:
                raise CommandError(f"{day} har inte kommit än: det finns inget att räkna.")
            days = [day]
        else:
            days = [today - datetime.timedelta(days=1), today]
        try:
            results = [usage.collect(day) for day in days]
        except DatabaseError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise CommandError(f"Databasen gick inte att nå: {first_line}") from None
        for done in results:
            self.stdout.write(
                f"{done.day}: {', '.join(done.metrics)} hos {done.providers} vårdgivare "
                f"({done.statements} SQL-satser)"
            )
            if done.failed:
                raise CommandError(f"{done.failed} satser misslyckades; se loggen.")
