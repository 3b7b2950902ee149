from django.urls import path

from tenant_apps.video import views

urlpatterns = [
    path("testa-video/", views.test_video, name="test-video"),
    path("besok/<int:pk>/", views.room, name="video-room"),
    path("besok/<int:pk>/avsluta/", views.end, name="video-end"),
]
