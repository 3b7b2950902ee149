"""What the video rooms contribute to usage metering (tenants.usage): visits held and video
minutes, from the call events.

A visit is held when its call connected (that is what completes a booking, services.complete);
it counts on the Stockholm day its call first connected. Its video minutes run from that moment
to the end of the call: the visit ended ("Avsluta besöket") or the last page left, whichever came
first; while a call goes on, to its latest event (the next run counts further). Started minutes
count whole; all of a visit's minutes count on the day it started.
"""

from django.db import connection

from tenant_apps.video.models import CallEvent, CallEventKind
from tenants.models import UsageMetric
from tenants.usage import MetricQuery

_EVENTS = "{schema}." + connection.ops.quote_name(CallEvent._meta.db_table)

# Bookings whose call first connected on the day (the partial index call_event_connected_at).
_FIRST_CONNECTED = f"""
SELECT c.booking_id, MIN(c.created_at) AS started
FROM {_EVENTS} AS c
WHERE c.kind = '{CallEventKind.CONNECTED.value}'
  AND c.created_at >= %(start)s AND c.created_at < %(end)s
  AND NOT EXISTS (
    SELECT 1 FROM {_EVENTS} AS earlier
    WHERE earlier.booking_id = c.booking_id AND earlier.kind = '{CallEventKind.CONNECTED.value}'
      AND earlier.created_at < %(start)s
  )
GROUP BY c.booking_id
"""

VISITS_HELD = MetricQuery(
    UsageMetric.VISITS_HELD.value,
    f"SELECT count(*) FROM ({_FIRST_CONNECTED}) AS held",
)


def _call_event(aggregate: str, kind: str = "") -> str:
    """The first or last event (of `kind`) of `call`'s booking since its call connected."""
    of_kind = f"AND e.kind = '{kind}' " if kind else ""
    return (
        f"SELECT {aggregate}(e.created_at) FROM {_EVENTS} AS e "
        f"WHERE e.booking_id = call.booking_id {of_kind}AND e.created_at >= call.started"
    )


_ENDED = _call_event("MIN", CallEventKind.ENDED.value)
_LAST_LEFT = _call_event("MAX", CallEventKind.LEFT.value)
_LATEST = _call_event("MAX")

VIDEO_MINUTES = MetricQuery(
    UsageMetric.VIDEO_MINUTES.value,
    f"""
SELECT COALESCE(SUM(CEIL(EXTRACT(EPOCH FROM (
  COALESCE(LEAST(({_ENDED}), ({_LAST_LEFT})), ({_LATEST})) - call.started
)) / 60)), 0)
FROM ({_FIRST_CONNECTED}) AS call
""",
)
