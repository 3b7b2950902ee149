"""What the administration tool reads and records (manual 1 and 8): the start page's counts and
the audit entries for every patient an admin is shown. Who is on the staff and patient lists is
tenant_apps.accounts.access, their search tenant_apps.accounts.search."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from careplatform import clock
from tenant_apps.accounts.models import ConsentVersion, User
from tenant_apps.accounts.services import update_consent_text
from tenant_apps.audit.models import AuditEvent
from tenants.models import CareProvider
from tenants.services import update_provider_settings

# What an admin saw, as written to the audit log.
PATIENT_DETAIL = "patient.detail"
PATIENT_EDIT = "patient.edit"
# An admin's invite changed an existing patient's name or mobile (bookings.services).
PATIENT_CHANGED_BY_INVITE = "patient.invite_change"
PATIENT_LIST = "patient.list"
PATIENT_SEARCH = "patient.search"


def start_page_counts() -> dict[str, int]:
    counts = User.objects.aggregate(
        staff=Count("pk", filter=Q(is_admin=True) | Q(is_clinician=True)),
        patients=Count("pk", filter=Q(is_patient=True)),
    )
    return {**counts, "events": AuditEvent.objects.count()}


def record_patients_shown(
    actor: User, shown: Iterable[User], action: str, ip_address: str | None
) -> None:
    """One audit event per patient on a list page, in one query however long the list."""
    now = clock.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            subject=patient,
            action=action,
            created_at=now,
            ip_address=ip_address or None,
        )
        for patient in shown
    )


def audit_events(subject: User | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "subject").order_by("-created_at", "-pk")
    return events.filter(subject=subject) if subject is not None else events


def save_provider_settings(
    provider: CareProvider,
    *,
    consent_text: str,
    patient_confirmation_required: bool,
    clinician_listing_enabled: bool,
    visit_tools: dict[str, bool],
    sms_sender_name: str,
) -> ConsentVersion | None:
    """The settings page in one transaction. Returns the consent version published, if the text
    changed (an unchanged text publishes nothing)."""
    with transaction.atomic():
        update_provider_settings(
            provider,
            patient_confirmation_required=patient_confirmation_required,
            clinician_listing_enabled=clinician_listing_enabled,
            visit_tools=visit_tools,
            sms_sender_name=sms_sender_name,
        )
        return update_consent_text(consent_text)
