from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS to patients and invited colleagues (manual 4, 7.1): invitations, changed times,
    cancellations and reminders, per provider."""

    name = "tenant_apps.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The one place notifications subscribes to booking changes: bookings knows no consumer.
        from tenant_apps.bookings import events
        from tenant_apps.notifications.services import on_booking_events

        events.register(on_booking_events)
