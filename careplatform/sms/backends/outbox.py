import datetime

from careplatform.sms.gateway import Accepted, GatewayRecord, OutgoingSms
from careplatform.sms.models import OutboxMessage
from careplatform.sms.segments import count_segments


class OutboxBackend:
    """Development: messages are stored in the public schema and shown, with their provider,
    on the public host's outbox page."""

    name = "outbox"
    account = "outbox"

    def send(self, sms: OutgoingSms) -> Accepted:
        row = OutboxMessage.objects.create(
            provider_id=sms.provider_schema or None,
            sender=sms.sender,
            to=sms.to,
            text=sms.text,
            segments=count_segments(sms.text).segments,
            callback_url=sms.callback_url,
        )
        return Accepted(row.gateway_id, status="sent", parts=row.segments)

    def sent_to(self, to: str, since: datetime.datetime) -> list[GatewayRecord]:
        return [
            GatewayRecord(row.gateway_id, row.sender, row.to, row.text, row.created_at, "sent")
            for row in OutboxMessage.objects.filter(to=to, created_at__gte=since)
        ]
