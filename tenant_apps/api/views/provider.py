from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from careplatform.views import ProviderInfoView


class ProviderSerializer(serializers.Serializer):
    name = serializers.CharField()
    subdomain = serializers.CharField()


class ProviderView(ProviderInfoView):
    """Public facts about the provider whose host this is (no login needed)."""

    @extend_schema(responses=ProviderSerializer, auth=[])
    def get(self, request: Request) -> Response:
        return super().get(request)
