"""Settings a care unit's admin may change for their own provider (manual 1)."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.models import CareProvider

VISIT_TOOLS = ("chat", "todos", "private_notes", "documents")
# SMS gateways accept only A–Z, a–z and 0–9 in an alphanumeric sender (no å, ä, ö, no space).
_SENDER = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,10}$")


def validate_sms_sender(name: str) -> str:
    if not _SENDER.match(name or ""):
        raise ValidationError(
            {
                "sms_sender_name": _(
                    "Avsändarnamnet får vara 2–11 tecken, börja med en bokstav och bara "
                    "innehålla A–Z, a–z och 0–9 (inte å, ä, ö eller mellanslag)."
                )
            }
        )
    return name


def update_provider_settings(
    provider: CareProvider,
    *,
    patient_confirmation_required: bool,
    clinician_listing_enabled: bool,
    visit_tools: dict[str, bool],
    sms_sender_name: str,
) -> CareProvider:
    sender = validate_sms_sender(sms_sender_name)
    tools = {tool: bool(visit_tools.get(tool)) for tool in VISIT_TOOLS}
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk)
        locked.patient_confirmation_required = patient_confirmation_required
        locked.clinician_listing_enabled = clinician_listing_enabled
        locked.visit_tools = tools
        locked.sms_sender_name = sender
        locked.save(
            update_fields=[
                "patient_confirmation_required",
                "clinician_listing_enabled",
                "visit_tools",
                "sms_sender_name",
            ]
        )
    return locked
