"""What every API view shares: pagination and the "now" a response is computed at."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView


def _positive_number(request: Request, name: str, maximum: int | None = None) -> int | None:
    """The query parameter `name` as a whole number from 1 (to `maximum`), None when absent;
    anything else (page_size=null, page=last, page=0) is refused with a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    if number < 1 or (maximum is not None and number > maximum):
        if maximum is None:
            message = _("Ange ett heltal från 1.")
        else:
            message = _("Ange ett heltal från 1 till %(max)d.") % {"max": maximum}
        raise ValidationError({name: [message]})
    return number


class Pages(PageNumberPagination):
    """?page= from 1 (past the last page: 404) and ?page_size= from 1 to 200 (default 50)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        _positive_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        size = _positive_number(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(maximum=self.max_page_size, default=self.page_size)
            else:
                parameter["description"] += " Past the last page: 404."
        return parameters


class IdLookup:
    """Viewsets look objects up by integer id (`/things/{id}/`)."""

    lookup_value_converter = "int"
