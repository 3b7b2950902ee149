from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from careplatform.access import role_required
from careplatform.sms.models import OutboxMessage

OUTBOX_SIZE = 200


@role_required("operator")
def outbox(request: HttpRequest) -> HttpResponse:
    """What the development `outbox` backend "sent", newest first: every provider's recipients,
    so for operators only, with DEBUG on as well."""
    messages = OutboxMessage.objects.select_related("provider")[:OUTBOX_SIZE]
    return render(
        request,
        "sms/outbox.html",
        {"outbox": messages, "backend": settings.SMS_BACKEND, "size": OUTBOX_SIZE},
    )
