"""Helpers for Min profil tests: a client on a provider host, users, and images made with
Pillow."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.accounts.models import User
from tenant_apps.profiles import services
from tests.support import personnummer


def in_schema(cast, function, *args, **kwargs):
    with schema_context(cast.provider.schema_name):
        return function(*args, **kwargs)


def new_user(cast, first: str, serial: str, pk: int | None = None, **roles) -> User:
    fields = {"pk": pk} if pk else {}
    with schema_context(cast.provider.schema_name):
        return User.objects.create_user(
            personnummer("19750101", serial), first, "Testsson", mobile="0701112233",
            **fields, **roles,
        )  # fmt: skip


def publish(cast, user, title="Distriktssköterska") -> None:
    """Give `user` a yrkestitel and a visit type and turn the booking function on."""
    with schema_context(cast.provider.schema_name):
        services.update_consultation(user, title=title, description="")
        services.create_visit_type(user, title="Återbesök", duration_minutes=20, kind="video")
        services.activate_booking(user)


# -- images ------------------------------------------------------------------------------------

ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def jpeg_with_exif(size=(1600, 1200), orientation=6) -> bytes:
    """A camera-like JPEG: EXIF with orientation (6 = turn 90° clockwise), make and GPS."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SpionKamera"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 4.0, 7.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def image_bytes(fmt: str, size=(640, 480), mode="RGB", color=(10, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def transparent_png(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))  # fully transparent …
    image.paste((0, 0, 255, 255), (0, 0, size[0] // 2, size[1]))  # … right half
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(data: bytes, name="bild.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_PIXELS = {"RGB": (2, bytes((10, 120, 60))), "RGBA": (6, bytes((10, 120, 60, 200)))}


def huge_png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A real PNG (RGB or RGBA) of `width`×`height` one-colour pixels, written row by row:
    7000×7000 is a ~190 KB file, made without ever holding the pixels."""
    colour_type, pixel = PNG_PIXELS[mode]
    compressor = zlib.compressobj(9)
    row = b"\x00" + pixel * width  # filter byte, then the pixels
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )
