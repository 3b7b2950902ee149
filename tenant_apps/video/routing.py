from django.urls import path

from tenant_apps.video.consumers import RoomConsumer
from tenant_apps.video.prompt_consumer import PromptConsumer

websocket_urlpatterns = [
    path("ws/visits/<int:booking_id>/", RoomConsumer.as_asgi()),
    path("ws/prompts/", PromptConsumer.as_asgi()),
]
