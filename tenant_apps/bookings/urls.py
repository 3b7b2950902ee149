from django.urls import path

from tenant_apps.bookings import calendar_views, schedule_views, views

urlpatterns = [
    path("bokningar/", views.booking_list, name="bookings"),
    path("bokningar/dag/", schedule_views.day, name="bookings-day"),
    path("bokningar/vecka/", schedule_views.week, name="bookings-week"),
    path("bokningar/ny/", views.invite, name="invite"),
    path("bokningar/kollega/", views.invite_colleague, name="invite-colleague"),
    path("bokningar/<int:pk>/", views.detail, name="booking-detail"),
    path("bokningar/<int:pk>/ny-tid/", views.reschedule, name="booking-reschedule"),
    path("bokningar/<int:pk>/avboka/", views.cancel, name="booking-cancel"),
    path("bokningar/<int:pk>/bekrafta/", views.confirm, name="booking-confirm"),
    path("bokningar/<int:pk>/kan-inte-komma/", views.decline, name="booking-decline"),
    path(
        "bokningar/<int:pk>/sms/<int:sms_pk>/skicka-igen/",
        views.resend_sms,
        name="booking-sms-resend",
    ),
    path("bokningar/<int:pk>/kalender.ics", calendar_views.booking_ics, name="booking-ics"),
    path("kalender/<str:token>.ics", calendar_views.feed, name="calendar-feed-ics"),
    path("kalenderflode/", calendar_views.feed_settings, name="calendar-feed"),
    # The short visit link of every SMS, without a trailing slash (every character counts).
    path("b/<str:reference>", views.visit_link, name="visit-link"),
    path("b/<str:reference>/", views.visit_link),
]
