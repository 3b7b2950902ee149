from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "tenant_apps.video"
    label = "video"
    verbose_name = "Videobesök"
