"""46elks (https://46elks.se/docs): `POST {ELKS46_API_URL}/sms` with HTTP basic auth and the form
fields from, to, message and whendelivered; `GET {ELKS46_API_URL}/sms` lists sent messages
(newest first, at most 100 a page; `end` = created after, `start` = created before, `next` = the
next page's `start`)."""

import datetime
import json

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from careplatform.sms.gateway import (
    Accepted,
    Ambiguous,
    GatewayRecord,
    NotSent,
    OutgoingSms,
    Rejected,
)

MAX_PAGES = 20


def parse_retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def elks_time(value: datetime.datetime) -> str:
    """46elks writes UTC without an offset: 2018-02-14T09:52:07.302000."""
    return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def parse_elks_time(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


class Elks46Backend:
    name = "elks46"

    def __init__(self) -> None:
        if not (settings.ELKS46_USERNAME and settings.ELKS46_PASSWORD):
            raise ImproperlyConfigured(
                "SMS_BACKEND=elks46 needs ELKS46_USERNAME and ELKS46_PASSWORD"
            )
        self.account = f"elks46 {settings.ELKS46_USERNAME} {settings.ELKS46_API_URL.rstrip('/')}"
        timeout = settings.SMS_HTTP_TIMEOUT
        self.client = httpx.Client(
            base_url=settings.ELKS46_API_URL.rstrip("/") + "/",
            auth=(settings.ELKS46_USERNAME, settings.ELKS46_PASSWORD),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        )

    def send(self, sms: OutgoingSms) -> Accepted:
        form = {"from": sms.sender, "to": sms.to, "message": sms.text}
        if sms.callback_url:
            form["whendelivered"] = sms.callback_url
        try:
            response = self.client.post("sms", data=form)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached the gateway.
            raise NotSent(f"Ingen anslutning till 46elks: {exc!r}") from exc
        except httpx.TransportError as exc:
            # Timeout or broken connection after the request went out: maybe accepted.
            raise Ambiguous(f"Inget svar från 46elks: {exc!r}") from exc
        return self._accepted(response)

    def _accepted(self, response: httpx.Response) -> Accepted:
        status = response.status_code
        if status == 429:
            raise NotSent(
                "46elks: för många förfrågningar (429)",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                rate_limited=True,
            )
        if status >= 500:
            raise NotSent(f"46elks svarade {status}")
        if 400 <= status < 500:
            raise Rejected(f"46elks avvisade meddelandet ({status}): {response.text[:200]}")
        if not 200 <= status < 300:
            raise Ambiguous(f"46elks svarade {status}")
        try:
            body = response.json()
            gateway_id = body["id"]
            if not isinstance(gateway_id, str) or not gateway_id:
                raise ValueError(gateway_id)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise Ambiguous(f"Oläsligt svar från 46elks: {response.text[:100]!r}") from exc
        parts = body.get("parts")
        return Accepted(
            gateway_id,
            status=str(body.get("status") or "created"),
            parts=parts if isinstance(parts, int) else None,
        )

    def sent_to(self, to: str, since: datetime.datetime) -> list[GatewayRecord]:
        params = {"to": to, "end": elks_time(since), "limit": "100"}
        records: list[GatewayRecord] = []
        for _page in range(MAX_PAGES):
            try:
                response = self.client.get("sms", params=params)
                if response.status_code == 429:
                    raise NotSent(
                        "46elks: för många förfrågningar (429) när listan lästes",
                        retry_after=parse_retry_after(response.headers.get("Retry-After")),
                        rate_limited=True,
                    )
                response.raise_for_status()
                body = response.json()
                rows, next_start = body["data"], body.get("next")
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                raise NotSent(f"46elks meddelandelista gick inte att läsa: {exc!r}") from exc
            for row in rows:
                if not str(row.get("direction", "outgoing")).startswith("outgoing"):
                    continue
                created = parse_elks_time(row["created"])
                if created >= since:
                    records.append(
                        GatewayRecord(
                            gateway_id=row["id"],
                            sender=row.get("from", ""),
                            to=row.get("to", ""),
                            text=row.get("message", ""),
                            created=created,
                            status=row.get("status", "created"),
                        )
                    )
            if not next_start or not rows:
                break
            params["start"] = next_start
        return records
