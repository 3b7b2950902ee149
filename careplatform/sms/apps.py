from django.apps import AppConfig


class SmsConfig(AppConfig):
    """Public-schema side of SMS: the due-work index over all providers, the development
    outbox, the delivery-report webhook and the gateway backends."""

    name = "careplatform.sms"
    label = "sms"
    verbose_name = "SMS"
    default_auto_field = "django.db.models.BigAutoField"
