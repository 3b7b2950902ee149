"""The client's IP address, trusting a proxy header only from configured proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_HEADER and _is_trusted_proxy(remote):
        forwarded = request.META.get(settings.TRUSTED_PROXY_HEADER, "")
        # The rightmost address was added by our own proxy: that is who connected to it.
        candidates = [part.strip() for part in forwarded.split(",") if part.strip()]
        for candidate in reversed(candidates):
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                break
            return candidate
    return remote
