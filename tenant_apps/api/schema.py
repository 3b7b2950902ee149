"""The OpenAPI schema's error responses, so clients know what a refusal looks like: 400 names
the fields, 401/403/404 carry {"detail", "code"}. Every operation may answer 400."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class ValidationErrorSerializer(serializers.Serializer):
    """{"field": ["message"]} for each refused field, or {"detail": "..."} when the rule concerns
    no single field."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # Every operation: a NUL character in any query parameter is refused
        # (careplatform.middleware), and so are invalid parameters and bodies.
        errors = {
            "400": (
                ValidationErrorSerializer,
                "Refused: the fields (or query parameters) are named, or a detail says why.",
            )
        }
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = (ErrorSerializer, "Not logged in, or an invalid or revoked API key.")
            errors["403"] = (
                ErrorSerializer,
                "The role may not do this, or the patient has not consented yet.",
            )
        if "{id}" in self.path:
            errors["404"] = (ErrorSerializer, "No such object at this provider.")
        elif self._is_list_view():
            errors["404"] = (ErrorSerializer, "A page past the last one.")
        for code, (serializer, description) in errors.items():
            response = OpenApiResponse(serializer, description=description)
            responses.setdefault(code, self._get_response_for_code(response, code))
        return responses
