"""The WebSocket routes, apart from the ASGI entry point (which tunes the process when
imported), so that tests can walk them like the URL confs."""

from django.urls import path

from careplatform.consumers import HealthConsumer
from tenant_apps.video.routing import websocket_urlpatterns as video_urlpatterns

websocket_urlpatterns = [
    path("ws/healthz/", HealthConsumer.as_asgi()),
    *video_urlpatterns,
]
