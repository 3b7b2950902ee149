"""The client's IP address, trusting a proxy header only from configured proxies.

The ASGI server does not rewrite the peer address (deploy/Dockerfile: `--no-proxy-headers`), so
REMOTE_ADDR is whoever connected. Only when that is one of TRUSTED_PROXIES is the proxy header
read, from the right: each proxy appends the address that connected to it, so the right-most
address that is not one of ours is the client; everything left of it is what the client claimed.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks. The environment variable is checked when the settings load
    (careplatform/environment.py); the error here is for a value set otherwise."""
    try:
        return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _address(text: str) -> Address | None:
    """One address in one spelling (an IPv4 address mapped into IPv6 is the IPv4 address)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted_proxy(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    peer = _address(remote)
    if peer is None:
        return remote
    if not (settings.TRUSTED_PROXY_HEADER and _is_trusted_proxy(peer)):
        return str(peer)
    forwarded = request.META.get(settings.TRUSTED_PROXY_HEADER, "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _address(entry)
        if hop is None:
            break  # not written by a proxy of ours: the last proxy we trust is all we know
        if not _is_trusted_proxy(hop):
            return str(hop)
        peer = hop
    return str(peer)


def rate_limit_key(ip: str) -> str:
    """What a per-client limit counts: the address, or for IPv6 its /64, which one household or
    phone holds whole (counting single IPv6 addresses would give each client 2^64 tries)."""
    address = _address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address) if address is not None else ip
