"""Refresh the message catalogs: extract our strings, keep Swedish (the source language) as is,
list English strings still missing, and compile."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

IGNORE = [".venv/*", ".data/*", "tests/*", "deploy/*", "build/*"]


def catalog(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def missing(language: str) -> list[str]:
    po = polib.pofile(str(catalog(language)))
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]


class Command(BaseCommand):
    help = "Extract strings into locale/{sv,en}, fill Swedish, report missing English, compile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if English is missing")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "makemessages", locale=["sv", "en"], ignore_patterns=IGNORE, no_obsolete=True,
            verbosity=0,
        )  # fmt: skip
        swedish = polib.pofile(str(catalog("sv")))
        for entry in swedish:
            if not entry.translated():
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        swedish.save()
        call_command("compilemessages", locale=["sv", "en"], verbosity=0)
        untranslated = missing("en")
        for msgid in untranslated:
            self.stdout.write(f"saknar engelska: {msgid!r}")
        if untranslated and options["check"]:
            raise CommandError(f"{len(untranslated)} strängar saknar engelsk översättning.")
        self.stdout.write(f"Kataloger uppdaterade; {len(untranslated)} saknar engelska.")
