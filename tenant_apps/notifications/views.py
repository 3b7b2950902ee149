"""The delivery-report webhook, on the public host: the gateway posts id, status and delivered
(46elks form fields) to the URL we gave it with the message."""

import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.sms.backends.elks46 import parse_elks_time
from tenant_apps.notifications.callbacks import valid_token
from tenant_apps.notifications.services import apply_delivery_report
from tenants.models import CareProvider


def _delivered_at(value: str) -> datetime.datetime:
    try:
        return parse_elks_time(value) if value else clock.now()
    except ValueError:
        return clock.now()


@csrf_exempt
@require_POST
def delivery_report(request: HttpRequest, schema_name: str, token: str) -> HttpResponse:
    if not valid_token(schema_name, token):
        return JsonResponse({"error": "forbidden"}, status=403)
    provider = CareProvider.objects.filter(schema_name=schema_name, is_template=False).first()
    gateway_id = request.POST.get("id", "")
    status = request.POST.get("status", "")
    if provider is None or not gateway_id:
        return JsonResponse({"error": "unknown message"}, status=404)
    try:
        with schema_context(provider.schema_name):
            found = apply_delivery_report(
                gateway_id, status, _delivered_at(request.POST.get("delivered", ""))
            )
    except ValueError:
        return JsonResponse({"error": "unknown status"}, status=400)
    if not found:
        return JsonResponse({"error": "unknown message"}, status=404)
    return JsonResponse({"status": "ok"})
