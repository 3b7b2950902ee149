"""The first admin's SMS: when an operator provisions a provider (the console or the command),
its first admin gets the provider's login link. Registered with tenants.provisioning in
apps.py; runs in the new provider's schema, inside the provisioning transaction, and the message
is handed to the gateway after it commits, like every other SMS (never lost, never twice)."""

import datetime
import functools
from typing import cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from careplatform import clock
from careplatform.sms.models import DueKind
from careplatform.sms.segments import count_segments
from tenant_apps.accounts.models import User
from tenant_apps.notifications import due, texts
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.sending import send_messages
from tenant_apps.notifications.services import recipient_number
from tenants.models import CareProvider
from tenants.provisioning import AfterCommit, provider_url

# Not handed to the gateway within a week (the gateway away all that time), it is pointless.
EXPIRES_AFTER = datetime.timedelta(days=7)


def login_link(provider: CareProvider) -> str:
    """The provider's login page: https://ertnamn.careplatform.se/login/"""
    path = reverse("login", urlconf=settings.ROOT_URLCONF)
    return provider_url(provider) + path.lstrip("/")


def queue_login_sms(provider: CareProvider, admin: AbstractBaseUser) -> AfterCommit | None:
    """The message to `admin`, queued and in the due index; returns its sending, for after the
    commit (None when it cannot be sent: no usable mobile number)."""
    user = cast(User, admin)  # AUTH_USER_MODEL
    now = clock.now()
    language = texts.language_of(user.language)
    text = texts.compose_first_admin(
        language=language, provider_name=provider.name, link=login_link(provider)
    )
    to, error = recipient_number(user.mobile)
    message = SmsMessage.objects.create(
        booking=None,
        kind=SmsKind.FIRST_ADMIN,
        booking_version=0,
        recipient=user,
        to=to,
        sender=provider.sms_sender_name,
        language=language,
        text=text,
        segments=count_segments(text).segments,
        status=SmsStatus.FAILED if error else SmsStatus.QUEUED,
        error=error,
        created_at=now,
        updated_at=now,
        next_attempt_at=now,
        expires_at=now + EXPIRES_AFTER,
    )
    if error:
        return None
    lease = now + datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS)
    due.schedule(DueKind.MESSAGE, {message.pk: lease})
    return functools.partial(send_messages, [message.pk])
