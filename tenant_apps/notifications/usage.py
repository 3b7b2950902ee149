"""What the SMS log contributes to usage metering (tenants.usage): the segments of every SMS the
gateway accepted, on the Stockholm day it did (`sent_at`; the partial index sms_sent_at)."""

from django.db import connection

from tenant_apps.notifications.models import SmsMessage
from tenants.models import UsageMetric
from tenants.usage import MetricQuery

_SMS = "{schema}." + connection.ops.quote_name(SmsMessage._meta.db_table)

SMS_SEGMENTS = MetricQuery(
    UsageMetric.SMS_SEGMENTS.value,
    f"SELECT COALESCE(SUM(s.segments), 0) FROM {_SMS} AS s "
    "WHERE s.sent_at >= %(start)s AND s.sent_at < %(end)s",
)
