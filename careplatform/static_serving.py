"""`/static/` from the ASGI app (SERVE_STATIC: development and tests; production uses nginx)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse


class StaticFilesHandler(ASGIStaticFilesHandler):
    """Django's handler answers 500 when a path leaves the static folders (`..`, also encoded)
    or cannot be a file name: such a path is simply no static file, so 404."""

    def serve(self, request: HttpRequest) -> HttpResponse | FileResponse:
        try:
            return super().serve(request)
        except (SuspiciousOperation, ValueError, OSError) as exc:
            raise Http404 from exc
