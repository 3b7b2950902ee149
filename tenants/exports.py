"""A terminated provider's data, kept for the operator before its schema is dropped.

`pg_dump --schema=<schema> --format=custom` of the provider's schema (restore it with
`pg_restore --dbname=… FILE`) and, when the provider has uploaded files, a tar.gz of its media
folder, both under PROVIDER_EXPORT_DIR (DATA_DIR/exports/) named after the subdomain and the
day. A file is written under a temporary name and renamed when complete, so a file with the
final name is always a whole export; a second export the same day replaces the first.
"""

import datetime
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django_tenants.utils import schema_exists

from careplatform.timeutil import local
from tenants.models import CareProvider


class ExportFailed(Exception):
    """The export could not be written: nothing may be dropped."""


@dataclass(frozen=True)
class Export:
    database: Path | None  # None: the schema was already gone
    media: Path | None  # None: no uploaded files

    def as_log(self) -> dict[str, str | None]:
        return {
            "database": str(self.database) if self.database else None,
            "media": str(self.media) if self.media else None,
        }


def export_dir() -> Path:
    return Path(settings.PROVIDER_EXPORT_DIR)


def media_dir(provider: CareProvider) -> Path:
    # Uploaded files live under MEDIA_ROOT/<schema>/ (MULTITENANT_RELATIVE_MEDIA_ROOT).
    return Path(settings.MEDIA_ROOT) / provider.schema_name


def export_provider(provider: CareProvider, now: datetime.datetime) -> Export:
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{provider.subdomain}-{local(now):%Y-%m-%d}"
    database = None
    if schema_exists(provider.schema_name):
        database = folder / f"{stem}.dump"
        _dump_schema(provider.schema_name, database)
    media = None
    if media_dir(provider).is_dir():
        media = folder / f"{stem}-media.tar.gz"
        _archive(media_dir(provider), media)
    return Export(database, media)


def _dump_schema(schema_name: str, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise ExportFailed("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    db = settings.DATABASES["default"]
    partial = target.with_name(target.name + ".partial")
    command = [program, "--format=custom", f"--schema={schema_name}", f"--file={partial}"]
    options = {"--host": db.get("HOST"), "--port": db.get("PORT"), "--username": db.get("USER")}
    command += [f"{option}={value}" for option, value in options.items() if value]
    command.append(f"--dbname={db.get('NAME')}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ExportFailed(f"pg_dump of {schema_name} failed: {result.stderr.strip()[:500]}")
    partial.replace(target)


def _archive(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(source, arcname=source.name)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportFailed(f"could not archive {source}: {exc}") from exc
    partial.replace(target)


def remove_media(provider: CareProvider) -> None:
    """After the drop has committed: the uploaded files go with the schema."""
    shutil.rmtree(media_dir(provider), ignore_errors=True)
