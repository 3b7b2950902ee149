"""Provider-host URLs for the bench: the bench view first, then the real tenant URLs."""

from django.urls import path

from careplatform.urls_tenant import handler404, handler500
from careplatform.urls_tenant import urlpatterns as tenant_urlpatterns
from tests.bench.views import user_count

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [path("bench/users/count", user_count), *tenant_urlpatterns]
