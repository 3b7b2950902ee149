from django.apps import AppConfig


class InboxConfig(AppConfig):
    """Notiser: what a clinician is told in the header's list (a patient confirmed, cannot
    come, waits in the room), per user and provider."""

    name = "tenant_apps.inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The producers (bookings, video) know no consumer: the inbox subscribes here.
        from tenant_apps.bookings import events as booking_events
        from tenant_apps.inbox.services import on_booking_events, on_room_event
        from tenant_apps.video import events as room_events

        booking_events.register(on_booking_events)
        room_events.register(on_room_event)
