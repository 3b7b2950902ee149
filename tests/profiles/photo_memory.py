"""Run by tests/profiles/test_photo_memory.py in a process of its own: make one photo, then
measure how far one upload of it (photos.photo_jpeg) raises the process's peak resident memory.

    python -m tests.profiles.photo_memory KIND   →   {"peak_mb": …, "refused": "…" | null}

A process of its own, because memory freed earlier in a process is reused without raising its
peak, which would hide what a decode costs. Linux only (/proc/self/clear_refs, VmHWM).
"""

import ctypes
import io
import json
import math
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careplatform.settings")
django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from tenant_apps.profiles import photos  # noqa: E402
from tests.profiles.support import huge_png  # noqa: E402

BUDGET = photos.MAX_DECODE_BYTES


def _encoded(fmt: str, size: tuple[int, int], mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 60)).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _side(bytes_per_pixel: float) -> int:
    """The side of the largest square photo the budget allows at this cost per pixel."""
    return math.isqrt(int(BUDGET / bytes_per_pixel))


# Each kind: (content type, how to make it). The largest accepted photo of each format and mode
# that costs most per pixel, and the 7000×7000 PNG that was measured at ~400 MB.
KINDS = {
    "png-7000": ("image/png", lambda: huge_png(7000, 7000)),
    "png-rgb-largest": ("image/png", lambda: huge_png(_side(4), _side(4))),
    "png-rgba-largest": ("image/png", lambda: huge_png(_side(8), _side(8), "RGBA")),
    "webp-largest": ("image/webp", lambda: _encoded("WEBP", (_side(16), _side(16)))),
    # 4:2:0: 3 bytes of coefficients a pixel, plus the image decoded at 1/4 scale
    "jpeg-progressive-largest": (
        "image/jpeg",
        lambda: _encoded("JPEG", (_side(3.25), _side(3.25)), progressive=True),
    ),
    "jpeg-48-megapixels": ("image/jpeg", lambda: _encoded("JPEG", (8000, 6000))),
    # A progressive JPEG holds its coefficients at full size, whatever the draft: refused.
    "jpeg-progressive-21-megapixels": (
        "image/jpeg",
        lambda: _encoded("JPEG", (4600, 4600), progressive=True),
    ),
    "jpeg-progressive-444-11-megapixels": (
        "image/jpeg",
        lambda: _encoded("JPEG", (3300, 3300), progressive=True, subsampling=0),
    ),
}


def _kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def measure(kind: str) -> dict:
    content_type, make = KINDS[kind]
    data = make()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # what making the photo freed goes back
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak (VmHWM) starts again from the current size
    before = _kib("VmRSS")
    refused = None
    try:
        photos.photo_jpeg(SimpleUploadedFile("photo", data, content_type=content_type))
    except ValidationError as exc:
        refused = exc.message_dict["photo"][0]
    return {"peak_mb": (_kib("VmHWM") - before) / 1024, "refused": refused, "bytes": len(data)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
