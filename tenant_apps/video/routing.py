from django.urls import path

from tenant_apps.video.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/visits/<int:booking_id>/", RoomConsumer.as_asgi()),
]
