from django.apps import AppConfig


class SmsConfig(AppConfig):
    """Public-schema side of SMS: the gateway backends and their per-account pauses, the
    development outbox, and the table of the due-work index over all providers."""

    name = "careplatform.sms"
    label = "sms"
    verbose_name = "SMS"
    default_auto_field = "django.db.models.BigAutoField"
