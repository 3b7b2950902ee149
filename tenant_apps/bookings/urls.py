from django.urls import path

from tenant_apps.bookings import calendar_views

urlpatterns = [
    path("bokningar/<int:pk>/kalender.ics", calendar_views.booking_ics, name="booking-ics"),
    path("kalender/<str:token>.ics", calendar_views.feed, name="calendar-feed-ics"),
    path("kalenderflode/", calendar_views.feed_settings, name="calendar-feed"),
]
