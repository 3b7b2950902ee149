"""The API's JSON parser: DRF's, with the nesting bounded (careplatform.jsonbounds)."""

import codecs
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from careplatform import jsonbounds


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = strict_constant if self.strict else None
            return jsonbounds.loads(text, parse_constant=parse_constant)
        except jsonbounds.TooDeep as error:
            message = ngettext(
                "JSON-datan är nästlad i fler än %(max)d nivå.",
                "JSON-datan är nästlad i fler än %(max)d nivåer.",
                error.max_depth,
            ) % {"max": error.max_depth}
            if error.field is None:
                raise ParseError(message) from None
            raise serializers.ValidationError({error.field: [message]}) from None
        except ValueError as exc:
            raise ParseError(_("Ogiltig JSON: %(error)s") % {"error": exc}) from None
