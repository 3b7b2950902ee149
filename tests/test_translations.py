"""Translations are complete: every string of ours has Swedish and English, and the committed
catalogs and compiled files are what the sources give today."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

from tests.support import ROOT

SKIP = shutil.ignore_patterns(".venv", ".data", ".git", "__pycache__", "*.egg-info", ".*cache")


def test_catalogs_are_complete_and_up_to_date(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    result = subprocess.run(
        [sys.executable, "manage.py", "update_translations", "--check"],
        cwd=copy,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for language in ("sv", "en"):
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        committed = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        assert {e.msgid for e in fresh} == {e.msgid for e in committed}, language
        assert all(e.translated() and not e.fuzzy for e in committed), language
        mo = Path("locale") / language / "LC_MESSAGES" / "django.mo"
        assert (ROOT / mo).read_bytes() == (copy / mo).read_bytes(), f"{mo} is stale"
