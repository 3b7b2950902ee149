"""What every API view shares: pagination and the "now" a response is computed at."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdLookup:
    """Viewsets look objects up by integer id (`/things/{id}/`)."""

    lookup_value_converter = "int"
