"""`manage.py`: Django's command line, with one line saying what is missing instead of a
traceback when the settings refuse to load or the database (or Redis) cannot be reached.

Commands run in a second terminal of a checkout find `make run`'s servers through `.env`
(careplatform/settings.py); without it, or with the servers stopped, this is where a newcomer
lands, so the line names the cause. `--traceback` shows the traceback as Django does.
"""

import os
import sys

import django
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line, get_commands
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Commands that work without a database (building the image runs collectstatic without one).
NO_DATABASE = {
    "check",
    "collectstatic",
    "compilemessages",
    "diffsettings",
    "help",
    "makemessages",
    "makemigrations",
    "shell",
    "update_translations",
    "version",
}


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def database_problem() -> str | None:
    """Why the database cannot be reached, asked once and directly (the connection pool would
    retry and log every attempt before giving up), or None."""
    import psycopg
    from django.db import connection

    try:
        params = connection.get_connection_params()
        psycopg.connect(**params, connect_timeout=5).close()
    except (psycopg.Error, ImproperlyConfigured) as exc:
        return f"Databasen gick inte att nå: {first_line(exc)}"
    return None


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careplatform.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        # A setting missing or with a value it does not take: the message names it.
        return fail(f"ImproperlyConfigured: {exc}")
    command = argv[1] if len(argv) > 1 else "help"
    if command in get_commands() and command not in NO_DATABASE:
        problem = database_problem()
        if problem:
            return fail(problem)
    try:
        execute_from_command_line(argv)
    except (OperationalError, InterfaceError) as exc:
        if "--traceback" in argv:
            raise
        return fail(f"Databasen gick inte att nå: {first_line(exc)}")
    except (RedisConnectionError, RedisTimeoutError) as exc:
        if "--traceback" in argv:
            raise
        return fail(f"Redis gick inte att nå: {first_line(exc)}")
    return 0


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1
