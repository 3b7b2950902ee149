"""Memory of one photo upload (manual 2.2): a 190 KB PNG of 7000×7000 pixels once cost ~400 MB.
Each photo is made and measured in a process of its own (photo_memory.py): the peak resident
memory one upload adds stays under 100 MB, for the largest photo of each kind that is accepted,
and a photo over the budget is refused before a pixel is decoded."""

import json
import subprocess
import sys

import pytest

from tests.support import ROOT, subprocess_env

PEAK_BOUND_MB = 100


def measured(kind: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.profiles.photo_memory", kind],
        env=subprocess_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_7000_by_7000_png_is_refused_before_decoding():
    result = measured("png-7000")
    assert result["bytes"] < 300_000  # small file, huge image
    assert "för stor för att kunna bearbetas (7000 × 7000 bildpunkter)" in result["refused"]
    assert result["peak_mb"] < 10


@pytest.mark.parametrize(
    ("kind", "advice"),
    [
        ("jpeg-progressive-21-megapixels", "högst 20 megapixlar"),
        ("jpeg-progressive-444-11-megapixels", "högst 9 megapixlar"),
    ],
)
def test_progressive_jpeg_over_the_budget_is_refused_before_decoding(kind, advice):
    result = measured(kind)
    assert "för stor för att kunna bearbetas" in result["refused"]
    assert advice in result["refused"]
    assert result["peak_mb"] < 10


@pytest.mark.parametrize(
    "kind",
    [
        "png-rgb-largest",
        "png-rgba-largest",
        "webp-largest",
        "jpeg-progressive-largest",
        "jpeg-48-megapixels",
    ],
)
def test_largest_accepted_photo_of_each_kind_stays_under_100_mb(kind):
    result = measured(kind)
    assert result["refused"] is None
    assert result["peak_mb"] < PEAK_BOUND_MB
