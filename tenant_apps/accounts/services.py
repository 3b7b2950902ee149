"""Accounts rules: who may log in where, and patients' consent (manual 7.3)."""

from django.db import IntegrityError, transaction

from careplatform import clock
from tenant_apps.accounts.models import DEFAULT_CONSENT_TEXT, Consent, ConsentVersion, User


def find_login_account(personal_number: str, *, public_host: bool) -> User | None:
    """The active user this BankID identity may log in as on this host, if any.

    On a provider host (the connection is in its schema): clinicians, admins and invited
    patients of that provider. On the public host: operators and support staff.
    """
    user = User.objects.filter(personnummer=personal_number, is_active=True).first()
    if user is None:
        return None
    if public_host:
        return user if (user.is_operator or user.is_support) else None
    return user if (user.is_admin or user.is_clinician or user.is_patient) else None


def current_consent_version() -> ConsentVersion:
    version = ConsentVersion.objects.order_by("-version").first()
    if version is None:
        version, _ = ConsentVersion.objects.get_or_create(
            version=1, defaults={"text": DEFAULT_CONSENT_TEXT, "published_at": clock.now()}
        )
    return version


def needs_consent(user: User) -> bool:
    if not user.is_patient:
        return False
    return not Consent.objects.filter(user=user, version=current_consent_version()).exists()


def give_consent(user: User, version: ConsentVersion, ip_address: str) -> Consent:
    """Record consent once per version; giving it twice keeps the first record."""
    try:
        with transaction.atomic():
            return Consent.objects.create(
                user=user, version=version, given_at=clock.now(), ip_address=ip_address
            )
    except IntegrityError:
        return Consent.objects.get(user=user, version=version)


def publish_consent_text(text: str) -> ConsentVersion:
    """A new consent text is a new version: every patient is asked again."""
    with transaction.atomic():
        latest = ConsentVersion.objects.select_for_update().order_by("-version").first()
        number = (latest.version + 1) if latest else 1
        return ConsentVersion.objects.create(version=number, text=text, published_at=clock.now())
