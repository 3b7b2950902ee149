from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "tenant_apps.video"
    label = "video"
    verbose_name = "Videobesök"

    def ready(self) -> None:
        # Booking changes move the participants' prompts; bookings knows no consumer.
        from tenant_apps.bookings import events
        from tenant_apps.video.services import on_booking_events

        events.register(on_booking_events)
