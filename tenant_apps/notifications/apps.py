from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS to patients and invited colleagues (manual 4, 7.1): invitations, changed times,
    cancellations and reminders, per provider."""

    name = "tenant_apps.notifications"
    default_auto_field = "django.db.models.BigAutoField"
