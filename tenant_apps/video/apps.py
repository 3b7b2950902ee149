from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "tenant_apps.video"
    label = "video"
    verbose_name = "Videobesök"

    def ready(self) -> None:
        # Booking changes move the participants' prompts; bookings knows no consumer.
        from tenant_apps.bookings import events
        from tenant_apps.video.services import close_provider_pages, on_booking_events
        from tenant_apps.video.usage import VIDEO_MINUTES, VISITS_HELD
        from tenants import lifecycle, usage

        events.register(on_booking_events)
        # A suspended provider's rooms and prompt pages close at once; tenants knows no video.
        lifecycle.on_suspended(close_provider_pages)
        # Usage metering (tenants.usage) counts visits held and video minutes with our SQL.
        usage.register(VISITS_HELD)
        usage.register(VIDEO_MINUTES)
