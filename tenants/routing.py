"""Which provider a request belongs to, from its Host header.

Every process keeps a small host -> provider cache. Any change to a provider or domain publishes
an invalidation on Redis after commit; a listener thread in each process clears its cache, so a
suspension takes effect at once everywhere. While the listener is not subscribed, nothing is
cached and every lookup goes to the database.
"""

import copy
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils.translation import gettext as _

from careplatform.errors import wants_json
from careplatform.redis import get_redis, platform_key
from tenants.db import connection
from tenants.models import CareProvider, Domain

log = logging.getLogger(__name__)

NOT_FOUND = "not_found"
SUSPENDED = "suspended"
PUBLIC = "public"
ACTIVE = "active"


@dataclass(frozen=True)
class Resolution:
    kind: str  # PUBLIC, ACTIVE, SUSPENDED or NOT_FOUND
    provider: CareProvider | None = None


def hostname(raw_host: str) -> str:
    """Host header without port, lower case, without a trailing dot."""
    host = raw_host.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


class HostCache:
    channel_name = "tenant-routing-invalidate"

    def __init__(self) -> None:
        self._entries: dict[str, CareProvider | None] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._listener: threading.Thread | None = None
        self._pid = 0

    # -- lookups ---------------------------------------------------------------------------
    def get(self, host: str) -> CareProvider | None:
        self._ensure_listener()
        if self._subscribed.is_set():
            with self._lock:
                if host in self._entries:
                    return self._entries[host]
                generation = self._generation
        else:
            generation = None
        provider = self._load(host)
        if generation is not None:
            with self._lock:
                # Store only if no invalidation arrived while we were reading.
                if generation == self._generation and self._subscribed.is_set():
                    self._entries[host] = provider
        return provider

    @staticmethod
    def _load(host: str) -> CareProvider | None:
        if connection.schema_name != "public":
            connection.set_schema_to_public()
        domain = (
            Domain.objects.select_related("tenant")
            .filter(domain=host, tenant__is_template=False)
            .first()
        )
        return domain.tenant if domain else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    # -- invalidation across processes ----------------------------------------------------
    def publish_invalidation(self) -> None:
        self.clear()
        try:
            get_redis().publish(platform_key(self.channel_name), "1")
        except Exception:  # the other processes' listeners reconnect and clear on their own
            log.exception("Could not publish routing-cache invalidation")

    def _ensure_listener(self) -> None:
        # One listener per process; a forked child starts its own.
        if self._listener_running():
            return
        with self._lock:
            if self._listener_running():
                return
            self._pid = os.getpid()
            self._subscribed.clear()
            self._entries.clear()
            self._listener = threading.Thread(
                target=self._listen, name="tenant-routing-listener", daemon=True
            )
            self._listener.start()

    def _listener_running(self) -> bool:
        listener = self._listener
        return listener is not None and self._pid == os.getpid() and listener.is_alive()

    def _listen(self) -> None:
        while True:
            try:
                pubsub = get_redis().pubsub()
                pubsub.subscribe(platform_key(self.channel_name))
                for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        self.clear()
                        self._subscribed.set()
                    elif message["type"] == "message":
                        self.clear()
            except Exception:
                log.warning("Routing-cache listener lost Redis; caching off until it is back")
            self._subscribed.clear()
            self.clear()
            time.sleep(1)


host_cache = HostCache()


def resolve_host(raw_host: str) -> Resolution:
    host = hostname(raw_host)
    if host in settings.PUBLIC_HOSTS:
        return Resolution(PUBLIC)
    provider = host_cache.get(host)
    if provider is None:
        return Resolution(NOT_FOUND)
    provider = copy.copy(provider)
    return Resolution(ACTIVE if provider.is_active else SUSPENDED, provider)


def activate_schema(provider: CareProvider | None) -> None:
    """Point the connection at the provider's schema (public when None), skipping redundant
    work: with TENANT_LIMIT_SET_CALLS the SET search_path is only issued when it changes."""
    if provider is None:
        if connection.schema_name != "public":
            connection.set_schema_to_public()
        connection.tenant = None
        return
    if connection.schema_name == provider.schema_name and connection.search_path_set_schemas:
        connection.tenant = provider
        return
    connection.set_tenant(provider)


def unknown_provider(request: HttpRequest) -> HttpResponse:
    """No provider has this host: a page (or JSON for the API) saying so, 404."""
    message = _("Det finns ingen vårdgivare på den här adressen.")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "unknown_provider"}, status=404)
    return render(request, "errors/unknown_provider.html", {"message": message}, status=404)


def provider_suspended(request: HttpRequest, provider: CareProvider | None) -> HttpResponse:
    """The host's provider is suspended: nothing of it is served, 403."""
    message = _("Vårdgivarens plattform är tillfälligt avstängd. Kontakta din vårdgivare.")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "provider_suspended"}, status=403)
    return render(
        request, "errors/suspended.html", {"message": message, "provider": provider}, status=403
    )


class ProviderRoutingMiddleware:
    """Selects schema and URL conf from the Host header; unknown hosts get 404, suspended
    providers a page (or JSON on the API) saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            host = request.get_host()  # validated against ALLOWED_HOSTS
        except DisallowedHost:
            activate_schema(None)
            return HttpResponseBadRequest("Bad Request (400)")
        resolution = resolve_host(host)
        if resolution.kind == NOT_FOUND:
            activate_schema(None)
            return unknown_provider(request)
        if resolution.kind == SUSPENDED:
            activate_schema(None)
            return provider_suspended(request, resolution.provider)
        request.tenant = resolution.provider  # type: ignore[attr-defined]
        activate_schema(resolution.provider)
        if resolution.kind == PUBLIC:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)
