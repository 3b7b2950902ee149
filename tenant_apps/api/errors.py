"""One exception handler for the API: a service's ValidationError becomes a 400 whose JSON names
the fields ({"field": ["message"]}), or {"detail": "..."} when the rule concerns no field."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD_KEY = "non_field_errors"


def service_error_body(error: DjangoValidationError) -> dict:
    """A dotted key names a nested field as DRF does: "patients.1.personnummer" becomes
    {"patients": {"1": {"personnummer": [...]}}}."""
    if not hasattr(error, "error_dict"):
        return {"detail": " ".join(error.messages)}
    body: dict = {}
    for field, messages in error.message_dict.items():
        *outer, name = (NON_FIELD_KEY if field == NON_FIELD_ERRORS else field).split(".")
        place = body
        for part in outer:
            place = place.setdefault(part, {})
        place[name] = messages
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        return Response(service_error_body(exc), status=400)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(response.data, dict) and "detail" in response.data and isinstance(codes, str):
            response.data["code"] = codes
    return response
