"""Profile photos (manual 2.2) as pixels: check an upload, decode it within a memory budget and
re-encode it as a clean JPEG of at most 512×512. Pure Pillow, no database.

A small file can unpack to a huge image (a 190 KB PNG of 7000×7000 pixels is ~200 MB decoded,
and decoding and scaling held twice that), so the memory a photo needs is worked out from its
header before any pixel is decoded (Image.open reads only the header) and a photo over the
budget is refused. JPEG is decoded at a reduced scale (draft), which keeps even 50-megapixel
camera photos small.
"""

import io
import threading

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Refused before decoding, whatever the format. A 48-megapixel phone photo passes.
MAX_PHOTO_PIXELS = 50_000_000
# What decoding and scaling one photo may hold in memory at once (with Python, Django and the
# upload itself, one upload then stays under ~100 MB: `tests/profiles/test_photo_memory.py`).
MAX_DECODE_BYTES = 64 * 1024 * 1024
PHOTO_SIZE = (512, 512)
# What the browser may claim, and what Pillow must find, for each accepted type.
PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Modes scaled as they are; other modes are converted to RGBA first (a full-size copy), and
# images with alpha are scaled on a premultiplied full-size copy (Pillow's resize and reduce).
DIRECT_MODES = ("RGB", "L")
ALPHA_MODES = ("RGBA", "LA")
COPY_BYTES = 4  # an RGBA or RGBa copy, per pixel
WEBP_BUFFERS = 3  # libwebp's canvas, its decoded frame and a copy of it (measured)
# Photos decoded at once in one process (each within MAX_DECODE_BYTES); more wait their turn,
# and after DECODE_WAIT_SECONDS are asked to try again.
DECODES_AT_ONCE = 2
DECODE_WAIT_SECONDS = 20.0
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)


def _refused(message: str) -> ValidationError:
    return ValidationError({"photo": message})


def _unreadable() -> ValidationError:
    return _refused(_("Filen är ingen bild som går att läsa."))


def _bytes_per_pixel(mode: str) -> int:
    """As Pillow holds a decoded image: 8-bit single bands in 1 byte, 16-bit in 2, the rest
    (every multi-band mode, 32-bit integer and float) in 4."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _jpeg_coefficient_bytes(image: Image.Image, pixels: int) -> int:
    """A progressive JPEG keeps every DCT coefficient of the full-size image (2 bytes per
    sample of each component, with its subsampling) until the last scan, whatever the draft."""
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
    largest = max(h * v for _id, h, v, _table in layers)
    return 2 * pixels * sum(h * v for _id, h, v, _table in layers) // largest


def decode_bytes(image: Image.Image, full_pixels: int) -> int:
    """The memory decoding and scaling `image` (opened, not loaded, after any draft) needs at
    once; `full_pixels` is its size before the draft."""
    pixels = image.width * image.height
    decoded = pixels * _bytes_per_pixel(image.mode)
    if image.mode in DIRECT_MODES:
        total = decoded
    elif image.mode in ALPHA_MODES:
        total = decoded + pixels * COPY_BYTES
    else:
        total = decoded + 2 * pixels * COPY_BYTES
    if image.format == "WEBP":
        total += WEBP_BUFFERS * pixels * COPY_BYTES
    if image.format == "JPEG" and image.info.get("progressive"):
        total += _jpeg_coefficient_bytes(image, full_pixels)
    return total


def _too_large(full_size: tuple[int, int], cost: int) -> ValidationError:
    width, height = full_size
    megapixels = max(1, width * height * MAX_DECODE_BYTES // cost // 1_000_000)
    return _refused(
        _(
            "Bilden är för stor för att kunna bearbetas (%(width)d × %(height)d bildpunkter). "
            "Förminska den till högst %(megapixels)d megapixlar och försök igen."
        )
        % {"width": width, "height": height, "megapixels": megapixels}
    )


def open_photo(upload: UploadedFile) -> Image.Image:
    """The upload as an image that is checked but not yet decoded; anything else is refused."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise _refused(_("Bilden får vara högst 5 MB."))
    claimed = PHOTO_TYPES.get(upload.content_type or "")
    if claimed is None:
        raise _refused(_("Välj en bild i formatet JPEG, PNG eller WebP."))
    try:
        image = Image.open(upload)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise _unreadable() from None
    if image.format != claimed:
        raise _refused(_("Filen är inte den bildtyp den utger sig för att vara."))
    full_size = image.size
    if full_size[0] * full_size[1] > MAX_PHOTO_PIXELS:
        raise _refused(_("Bilden har för många bildpunkter (högst 50 megapixlar)."))
    if image.format == "JPEG":  # decode at 1/2 … 1/8 scale, still at least twice the photo size
        image.draft(None, (PHOTO_SIZE[0] * 2, PHOTO_SIZE[1] * 2))
    cost = decode_bytes(image, full_size[0] * full_size[1])
    if cost > MAX_DECODE_BYTES:
        raise _too_large(full_size, cost)
    return image


def clean_jpeg(image: Image.Image) -> bytes:
    """Upright, at most 512×512, pixels only: a fresh image carries no EXIF (camera, GPS),
    comment or other metadata of the upload. Transparency becomes white. Scaled first (in
    place, by whole factors, then resampled), so only the small image is turned and copied."""
    try:
        image.load()
        if image.mode not in DIRECT_MODES and image.mode not in ALPHA_MODES:
            image = image.convert("RGBA")
        image.thumbnail(PHOTO_SIZE)
        image = ImageOps.exif_transpose(image)
        rgba = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _unreadable() from None
    clean = Image.new("RGB", rgba.size, "white")
    clean.paste(rgba, mask=rgba.getchannel("A"))
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=88, optimize=True)
    return buffer.getvalue()


def photo_jpeg(upload: UploadedFile) -> bytes:
    """Check, decode and re-encode an uploaded photo; ValidationError on the `photo` field."""
    image = open_photo(upload)
    if not _decoding.acquire(timeout=DECODE_WAIT_SECONDS):
        raise _refused(_("Många bilder bearbetas just nu. Försök igen om en stund."))
    try:
        return clean_jpeg(image)
    finally:
        _decoding.release()
