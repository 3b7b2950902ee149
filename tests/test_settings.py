"""Settings refuse values they do not take: the start stops with one line naming the variable
and the value, instead of reading a misspelt boolean as off or failing later with a traceback."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

from careplatform.devserver import ENV_FILE_SETTINGS, development_secret_key, write_env_file
from careplatform.environment import envbool, envchoice, envfloat, envint, envnetworks
from tests.support import ROOT, current_database_url, free_port, subprocess_env

SHOW = "from django.conf import settings as s; print({})"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def django_setup(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'careplatform.settings'; "
        f"django.setup(); {SHOW.format(expression)}"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "ture", "DEBUG: 'ture' is not a boolean (use 1/0, true/false, yes/no, on/off)"),
        (
            "SECURE_COOKIES",
            "enabled",
            "SECURE_COOKIES: 'enabled' is not a boolean (use 1/0, true/false, yes/no, on/off)",
        ),
        ("Q_WORKERS", "two", "Q_WORKERS: 'two' is not a whole number"),
        ("SESSION_COOKIE_AGE", "0", "SESSION_COOKIE_AGE: '0' is too small (at least 1)"),
        ("DB_POOL_TIMEOUT", "5s", "DB_POOL_TIMEOUT: '5s' is not a number"),
        ("REDIS_TIMEOUT", "0", "REDIS_TIMEOUT: '0' is too small (more than 0)"),
        ("TERMINATION_GRACE_DAYS", "0", "TERMINATION_GRACE_DAYS: '0' is too small (at least 1)"),
        ("SMS_BACKEND", "twilio", "SMS_BACKEND: 'twilio' is not one of outbox, console, elks46"),
        (
            "VIDEO_ICE_TRANSPORT_POLICY",
            "turn",
            "VIDEO_ICE_TRANSPORT_POLICY: 'turn' is not one of all, relay",
        ),
        (
            "LOG_LEVEL",
            "LOUD",
            "LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL, "
            "FATAL, NOTSET",
        ),
        (
            "TRUSTED_PROXIES",
            "10.0.0.0/8, 10.0.0.300",
            "TRUSTED_PROXIES: '10.0.0.300' is not an IP address or network",
        ),
    ],
)
def test_manage_py_stops_with_one_line_naming_the_variable(name: str, value: str, message: str):
    result = manage("check", **{name: value})

    assert result.returncode != 0
    assert result.stderr.strip() == f"ImproperlyConfigured: {message}"


def test_django_setup_ends_with_the_message_naming_the_variable():
    result = django_setup("s.DEBUG", DEBUG="ture")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "DEBUG: 'ture' is not a boolean (use 1/0, true/false, yes/no, on/off)"
    )


@pytest.mark.parametrize(
    ("env", "expression", "shown"),
    [
        ({"DEBUG": "on"}, "s.DEBUG", "True"),
        ({"DEBUG": "False"}, "s.DEBUG", "False"),
        ({"DEBUG": " YES "}, "s.DEBUG", "True"),
        ({"DEBUG": ""}, "s.DEBUG", "False"),
        ({"Q_WORKERS": "4"}, "s.Q_CLUSTER['workers']", "4"),
        ({"DB_POOL_TIMEOUT": "0.5"}, "s.DB_POOL_TIMEOUT", "0.5"),
        ({"SMS_SWEEP_INTERVAL": "0"}, "s.SMS_SWEEP_INTERVAL", "0.0"),
        ({"SMS_BACKEND": "Console"}, "s.SMS_BACKEND", "console"),
        ({"LOG_LEVEL": "debug"}, "s.LOGGING['root']['level']", "DEBUG"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8, ::1"}, "s.TRUSTED_PROXIES", "['10.0.0.0/8', '::1']"),
        ({"SITE_PORT": "8000"}, "repr(s.SITE_PORT)", "'8000'"),
        ({"TERMINATION_GRACE_DAYS": "7"}, "s.TERMINATION_GRACE_DAYS", "7"),
    ],
)
def test_valid_spellings_start_and_read_as_meant(env: dict[str, str], expression: str, shown: str):
    result = django_setup(expression, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


def test_defaults_are_unchanged_when_nothing_is_set():
    unset = {
        name: ""
        for name in ("DB_POOL_TIMEOUT", "SMS_BACKEND", "TRUSTED_PROXIES", "SITE_PORT", "LOG_LEVEL")
    }
    result = django_setup(
        "(s.DB_POOL_TIMEOUT, s.SMS_BACKEND, s.TRUSTED_PROXIES, s.SITE_PORT, "
        "s.LOGGING['root']['level'], s.SECURE_HSTS_SECONDS)",
        **unset,
    )

    assert result.returncode == 0, result.stderr
    # DEBUG is off in the tests: SMS go to 46elks and HSTS is a year by default.
    assert result.stdout.strip() == "(5.0, 'elks46', [], '', 'INFO', 31536000)"


PROVISION = [
    "provision_tenant",
    "--name=Vårdcentralen Exempel",
    "--subdomain=exempel",
    "--admin-personnummer=19121212-1212",
    "--admin-name=Tolvan Tolvansson",
    "--admin-mobile=070-123 45 67",
]
# A new terminal in a checkout without `.env` (make test turns the file off the same way).
NEW_TERMINAL = {
    **{k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ},
    "PYTHON_DOTENV_DISABLED": "1",
}


def terminal(*args: str, python: tuple[str, ...] = (sys.executable,), **env: str):
    return subprocess.run(
        [*python, "manage.py", *args],
        cwd=ROOT,
        env={**NEW_TERMINAL, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_command_without_settings_says_so_in_one_line():
    result = terminal(*PROVISION)

    assert result.returncode == 1
    assert result.stderr == (
        "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off "
        "(in development, `make run` writes both to .env for manage.py).\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        PROVISION,
        ["create_staff_user", "19640823-3234", "Ulla Operatör", "--role", "operator"],
        ["issue_api_token", "demo", "19750315-2428"],
    ],
)
def test_a_command_without_its_database_says_so_in_one_line(args: list[str]):
    port = free_port()  # nothing listens there
    result = terminal(
        *args, DEBUG="1", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/careplatform"
    )

    assert result.returncode == 1
    assert result.stderr.startswith("Databasen gick inte att nå: ")
    assert f'"127.0.0.1", port {port} failed: Connection refused' in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_command_on_a_database_that_does_not_exist_names_it():
    url = current_database_url().rsplit("/", 1)[0] + "/no_such_database"
    result = terminal("issue_api_token", "demo", "19750315-2428", DEBUG="1", DATABASE_URL=url)

    assert result.returncode == 1
    assert result.stderr.startswith("Databasen gick inte att nå: ")
    assert 'database "no_such_database" does not exist' in result.stderr
    assert result.stderr.count("\n") == 1


def test_commands_that_need_no_database_run_without_one():
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/careplatform"
    result = terminal("check", DEBUG="1", DATABASE_URL=closed)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_python_without_the_projects_packages_is_told_which_to_use():
    # -S: no site-packages, as the system's Python without Django.
    result = terminal("help", python=(sys.executable, "-S"))

    assert result.returncode == 1
    assert result.stderr == (
        "No module named 'django': run the commands with the checkout's Python, "
        ".venv/bin/python manage.py … (`make run` or `make install` creates .venv).\n"
    )


def test_env_file_keeps_every_value_exactly(tmp_path):
    path = tmp_path / ".env"
    values = {
        "DEBUG": "1",
        "SECRET_KEY": "a'b\\c $HOME #x",
        "DATABASE_URL": "postgresql://postgres@%2Ftmp%2Fdata%2Fpostgres/careplatform",
        "REDIS_URL": "unix:///tmp/data/redis.sock",
        "DATA_DIR": "/tmp/data dir",
        "BASE_DOMAIN": "localhost",
        "SITE_PORT": "8000",
        "SECURE_COOKIES": "0",
        "Q_CLUSTER_NAME": "mine",
        "PATH": "/usr/bin",  # not a setting: not written
    }
    write_env_file(path, values)

    read = dotenv_values(path, interpolate=False)  # as the settings read it
    assert read == {k: v for k, v in values.items() if k != "PATH"}
    assert path.stat().st_mode & 0o777 == 0o600


def test_make_run_keeps_its_secret_key_from_run_to_run(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / ".env"
    first = development_secret_key(path)
    assert len(first) >= 50 and development_secret_key(path) != first  # none kept yet

    write_env_file(path, {**dict.fromkeys(ENV_FILE_SETTINGS, "x"), "SECRET_KEY": first})
    assert development_secret_key(path) == first
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert development_secret_key(path) == "from-the-environment"


def test_make_run_refuses_a_misspelt_embedded():
    result = subprocess.run(
        [sys.executable, "-m", "careplatform.devserver", "run"],
        cwd=ROOT,
        env=subprocess_env(EMBEDDED="yep"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ImproperlyConfigured: EMBEDDED: 'yep' is not a boolean "
        "(use 1/0, true/false, yes/no, on/off)"
    )


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "On", " on "])
def test_envbool_reads_every_true_spelling(monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("FLAG", value)
    assert envbool("FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "OFF"])
def test_envbool_reads_every_false_spelling(monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("FLAG", value)
    assert envbool("FLAG", default=True) is False


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "nej"])
def test_envbool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=f"FLAG: '{value}' is not a boolean"):
        envbool("FLAG")


def test_numbers_are_held_to_their_bounds(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("N", "65536")
    with pytest.raises(ImproperlyConfigured, match=r"N: '65536' is too large \(at most 65535\)"):
        envint("N", 1, min_value=1, max_value=65535)
    monkeypatch.setenv("N", "65535")
    assert envint("N", 1, min_value=1, max_value=65535) == 65535
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match=r"N: '-1' is too small \(at least 0\)"):
        envint("N", 1, min_value=0)
    monkeypatch.setenv("N", "inf")
    with pytest.raises(ImproperlyConfigured, match="N: 'inf' is not a finite number"):
        envfloat("N", 1.0)
    monkeypatch.setenv("N", "0")
    assert envfloat("N", 1.0, min_value=0) == 0.0
    with pytest.raises(ImproperlyConfigured, match=r"N: '0' is too small \(more than 0\)"):
        envfloat("N", 1.0, above=0)


def test_choice_is_returned_in_its_own_spelling(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POLICY", "RELAY")
    assert envchoice("POLICY", "all", ("all", "relay")) == "relay"
    monkeypatch.delenv("POLICY")
    assert envchoice("POLICY", "all", ("all", "relay")) == "all"


def test_networks_keep_their_spelling_and_refuse_a_hostname(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PROXIES", " 10.0.0.1 ,, 192.168.0.0/16, 2001:db8::/32 ")
    assert envnetworks("PROXIES") == ["10.0.0.1", "192.168.0.0/16", "2001:db8::/32"]
    monkeypatch.setenv("PROXIES", "10.0.0.1, nginx")
    with pytest.raises(ImproperlyConfigured, match="PROXIES: 'nginx' is not an IP address"):
        envnetworks("PROXIES")
