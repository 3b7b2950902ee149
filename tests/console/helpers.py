"""What the console's tests share: the operator's client and the provider page's paths."""

import re

from tenants.models import OperatorAction
from tests.clients import PUBLIC, logged_in

OPERATOR_IP = "203.0.113.7"


def operator_client(operator):
    return logged_in(operator, PUBLIC, ip=OPERATOR_IP)


def page(subdomain: str, action: str = "") -> str:
    return f"/konsol/vardgivare/{subdomain}/{action}"


def log_rows(provider, **filters) -> list[OperatorAction]:
    return list(OperatorAction.objects.filter(provider=provider, **filters).order_by("id"))


def field_error(html: str, field: str) -> str:
    """The error shown at a form field (Django ties it to the field by this id)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""
