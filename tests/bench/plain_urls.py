"""URLs of the plain Django comparison: only the bench view."""

from django.urls import path

from tests.bench.views import user_count

urlpatterns = [path("bench/users/count", user_count)]
