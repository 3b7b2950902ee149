"""What the accounts contribute to usage metering (tenants.usage): the number of patients (a
count, never who they are), active patient users. A state, counted when the job runs."""

from django.db import connection

from tenant_apps.accounts.models import User
from tenants.models import UsageMetric
from tenants.usage import MetricQuery

_USERS = "{schema}." + connection.ops.quote_name(User._meta.db_table)

PATIENTS = MetricQuery(
    UsageMetric.PATIENTS.value,
    f"SELECT count(*) FROM {_USERS} AS u WHERE u.is_active AND u.is_patient",
    snapshot=True,
)
