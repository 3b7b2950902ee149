"""Everything under /api/: the v1 endpoints, the OpenAPI schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from tenant_apps.api.docs import ApiDocsView
from tenant_apps.api.views.bookings import BookingViewSet
from tenant_apps.api.views.clinician import (
    BookingFunctionView,
    MeView,
    ProfileView,
    VisitTypeViewSet,
)
from tenant_apps.api.views.people import ColleagueViewSet, PatientViewSet, StaffViewSet
from tenant_apps.api.views.provider import ProviderView

router = SimpleRouter(use_regex_path=False)
router.register("staff", StaffViewSet, basename="api-staff")
router.register("colleagues", ColleagueViewSet, basename="api-colleagues")
router.register("patients", PatientViewSet, basename="api-patients")
router.register("visit-types", VisitTypeViewSet, basename="api-visit-types")
router.register("bookings", BookingViewSet, basename="api-bookings")

booking_function = "me/booking-function/"

v1 = [
    path("provider/", ProviderView.as_view(), name="api-provider"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/profile/", ProfileView.as_view(), name="api-profile"),
    path(
        booking_function,
        BookingFunctionView.as_view({"get": "retrieve"}),
        name="api-booking-function",
    ),
    path(
        f"{booking_function}activate/",
        BookingFunctionView.as_view({"post": "activate"}),
        name="api-booking-function-activate",
    ),
    path(
        f"{booking_function}deactivate/",
        BookingFunctionView.as_view({"post": "deactivate"}),
        name="api-booking-function-deactivate",
    ),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
