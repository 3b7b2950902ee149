import datetime
import logging
import uuid

from careplatform.sms.gateway import Accepted, GatewayRecord, OutgoingSms

log = logging.getLogger("careplatform.sms")


class ConsoleBackend:
    """Writes each message to the log; nothing leaves the machine."""

    name = "console"
    account = "console"

    def send(self, sms: OutgoingSms) -> Accepted:
        gateway_id = f"console-{uuid.uuid4().hex}"
        log.warning("SMS %s from %s to %s:\n%s", gateway_id, sms.sender, sms.to, sms.text)
        return Accepted(gateway_id, status="sent")

    def sent_to(self, to: str, since: datetime.datetime) -> list[GatewayRecord]:
        return []  # the console never leaves a message in doubt
