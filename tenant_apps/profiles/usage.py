"""What the clinicians contribute to usage metering (tenants.usage): active clinicians, the
people who can be booked now (an active user, clinician, with the booking function on; manual
2.4). A state, counted when the job runs."""

from django.db import connection

from tenant_apps.accounts.models import User
from tenant_apps.profiles.models import ClinicianProfile
from tenants.models import UsageMetric
from tenants.usage import MetricQuery

_quote = connection.ops.quote_name
_USERS = "{schema}." + _quote(User._meta.db_table)
_PROFILES = "{schema}." + _quote(ClinicianProfile._meta.db_table)

ACTIVE_CLINICIANS = MetricQuery(
    UsageMetric.ACTIVE_CLINICIANS.value,
    f"SELECT count(*) FROM {_USERS} AS u JOIN {_PROFILES} AS p ON p.user_id = u.id "
    "WHERE u.is_active AND u.is_clinician AND p.booking_enabled",
    snapshot=True,
)
