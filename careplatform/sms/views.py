from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from careplatform.access import has_role
from careplatform.sms.models import OutboxMessage

OUTBOX_SIZE = 200


def outbox(request: HttpRequest) -> HttpResponse:
    """What the development `outbox` backend "sent", newest first. The page exists only with
    DEBUG on, or for operators."""
    if not (settings.DEBUG or has_role(request.user, "operator")):
        raise Http404
    messages = OutboxMessage.objects.select_related("provider")[:OUTBOX_SIZE]
    return render(
        request,
        "sms/outbox.html",
        {"outbox": messages, "backend": settings.SMS_BACKEND, "size": OUTBOX_SIZE},
    )
