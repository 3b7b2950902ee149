"""Browsable API docs: Swagger UI served from our own static files (drf-spectacular-sidecar) and
started by a separate script, because the CSP allows scripts and styles from 'self' only."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "CarePlatform API"
