from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.bookings.models import Booking


class CallEventKind(models.TextChoices):
    JOINED = "joined", _("Gick in i rummet")
    LEFT = "left", _("Lämnade rummet")
    CONNECTED = "connected", _("Samtalet kopplades upp")
    FAILED = "failed", _("Uppkopplingen misslyckades")
    ENDED = "ended", _("Besöket avslutades")
    # What a room page reports about its camera and microphone (protocol.MEDIA_PROBLEMS).
    CAMERA_DENIED = "camera_denied", _("Kameran blockerades")
    MICROPHONE_DENIED = "microphone_denied", _("Mikrofonen blockerades")
    NO_CAMERA = "no_camera", _("Ingen kamera hittades")
    NO_MICROPHONE = "no_microphone", _("Ingen mikrofon hittades")
    MEDIA_ERROR = "media_error", _("Kameran eller mikrofonen gick inte att starta")


MEDIA_PROBLEMS = (
    CallEventKind.CAMERA_DENIED,
    CallEventKind.MICROPHONE_DENIED,
    CallEventKind.NO_CAMERA,
    CallEventKind.NO_MICROPHONE,
    CallEventKind.MEDIA_ERROR,
)


class CallEvent(models.Model):
    """What happened in a booking's room, with times (manual 6), for support and billing.
    `user` is empty for what the platform did itself (a room closed after its window).
    `browser` and `os` are those of the page the event came from (useragent.describe), and
    `detail` holds the facts of its kind: why a page left, a camera's error name, the ICE
    candidate types a call tried and whether it went through TURN (services)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="call_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=CallEventKind.choices)
    peer_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    browser = models.CharField(max_length=60, blank=True, default="", db_default="")
    os = models.CharField(max_length=60, blank=True, default="", db_default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["booking", "kind"], name="call_event_booking_kind"),
            # Usage metering finds a day's calls that connected (tenants.usage).
            models.Index(
                fields=["created_at"],
                name="call_event_connected_at",
                condition=models.Q(kind=CallEventKind.CONNECTED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M:%S} ({self.booking_id})"


class RoomConnection(models.Model):
    """Who is in a room right now: one row per open room page (WebSocket), kept fresh by its
    heartbeats. `peer_id` is chosen by the page and survives WebSocket reconnects, so calls
    keep their peer connections; `id` orders arrivals (the server's polite/impolite roles)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="connections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    peer_id = models.CharField(max_length=40)
    channel_name = models.CharField(max_length=200, unique=True)
    # The page's browser and operating system, for the call events it causes.
    browser = models.CharField(max_length=60, blank=True, default="", db_default="")
    os = models.CharField(max_length=60, blank=True, default="", db_default="")
    joined_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "peer_id"], name="room_peer_once")
        ]

    def __str__(self) -> str:
        return f"{self.peer_id} i {self.booking_id}"
