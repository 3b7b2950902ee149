"""The audit log: every view of a patient's personal data by an admin (manual 8)."""

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEvent


def record_access(actor: User, subject: User | None, action: str, ip_address: str | None) -> None:
    AuditEvent.objects.create(
        actor=actor,
        subject=subject,
        action=action,
        created_at=clock.now(),
        ip_address=ip_address or None,
    )
