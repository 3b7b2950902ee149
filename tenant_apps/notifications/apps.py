from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS to patients and invited colleagues (manual 4, 7.1): invitations, changed times,
    cancellations and reminders, per provider; to a clinician whose patient waits in the
    room, when they ask for it; and to a new provider's first admin, the login link."""

    name = "tenant_apps.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The one place notifications subscribes to booking changes: bookings knows no consumer.
        from tenant_apps.bookings import events
        from tenant_apps.notifications.first_admin import queue_login_sms
        from tenant_apps.notifications.services import on_booking_events, on_room_event
        from tenant_apps.notifications.usage import SMS_SEGMENTS
        from tenant_apps.video import events as room_events
        from tenants import provisioning, usage

        events.register(on_booking_events)
        room_events.register(on_room_event)
        provisioning.on_first_admin(queue_login_sms)
        # Usage metering (tenants.usage) counts SMS segments sent with this app's SQL.
        usage.register(SMS_SEGMENTS)
