"""The operator log as people read it: each row's before -> after, field by field."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tenants.models import OperatorAction, ProviderStatus

FIELD_LABELS = {
    "name": _("Namn"),
    "org_number": _("Organisationsnummer"),
    "sms_sender_name": _("Avsändarnamn för sms"),
    "domain": _("Domän"),
    "admin": _("Administratör"),
    "status": _("Status"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _shown(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if field == "status" and value in ProviderStatus.values:
        return str(ProviderStatus(value).label)
    return str(value)


def changes(action: OperatorAction) -> list[Change]:
    fields = list(dict.fromkeys([*action.before, *action.after]))
    return [
        Change(
            str(FIELD_LABELS.get(field, field)),
            _shown(field, action.before.get(field)),
            _shown(field, action.after.get(field)),
        )
        for field in fields
    ]
