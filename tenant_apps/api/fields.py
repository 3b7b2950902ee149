"""Fields for request bodies, which are JSON: a value of the wrong JSON type is refused instead of
converted (DRF would take 12 for "12", "yes" for true, "7" for an id), so that the OpenAPI schema's
types are the truth. Text is refused with a NUL character (PostgreSQL cannot store it) and, where
it may not be blank, when it is only whitespace; the schema says both with a pattern.

Query parameters are strings on the wire: their numbers keep DRF's fields; dates are IsoDate in
bodies and queries alike.
"""

import re
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, extend_schema_field
from rest_framework import serializers

# ECMA-262 patterns (OpenAPI) that mean what DRF checks: no NUL; and, for text that may not be
# blank, at least one character that is neither NUL nor whitespace (DRF trims whitespace).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
EMAIL_MAX_LENGTH = 254  # the model's


class _JsonType(serializers.Field):
    """Put before a DRF field (`class Text(_JsonType, serializers.CharField)`): refuses other JSON
    types, then that field converts. Its base says to mypy that `fail` and `super()` exist."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        if type(data) not in self.json_types:
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(_JsonType, serializers.CharField):
    json_types = (str,)
    pattern: str | None = None  # the shape, when there is more to say than NUL and blanks

    def schema_pattern(self) -> str:
        return self.pattern or (NO_NUL if self.allow_blank else NOT_BLANK)


class Email(_JsonType, serializers.EmailField):
    """An e-mail address, or "" for none (the schema says so: oneOf an e-mail and "")."""

    json_types = (str,)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class Integer(_JsonType, serializers.IntegerField):
    json_types = (int,)


class Boolean(_JsonType, serializers.BooleanField):
    json_types = (bool,)


class ObjectId(serializers.PrimaryKeyRelatedField):
    """An object of this provider by its id: an integer, never a string or true."""

    def to_internal_value(self, data: Any) -> Any:
        if type(data) is not int:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})
class IsoDate(serializers.DateField):
    """YYYY-MM-DD and nothing else (Python would also read 20260504 or 2026-W19-1)."""

    SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not self.SHAPE.match(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"})
class LocalTime(serializers.TimeField):
    """A Swedish wall-clock time, HH:MM or HH:MM:SS, without an offset (the date says which
    offset applies)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%H:%M", "%H:%M:%S"], **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class TextSchema(OpenApiSerializerFieldExtension):
    target_class = Text
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = self.target.schema_pattern()
        return schema
