"""Accounts rules: who may log in where, and patients' consent (manual 7.3)."""

from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from careplatform import clock
from tenant_apps.accounts.models import DEFAULT_CONSENT_TEXT, Consent, ConsentVersion, User


class RoleFlags(TypedDict):
    """A staff member's roles, as `add_staff_member` and `update_staff_member` take them."""

    is_admin: bool
    is_clinician: bool


def find_login_account(personnummer: str, *, public_host: bool) -> User | None:
    """The active user this BankID identity may log in as on this host, if any.

    On a provider host (the connection is in its schema): clinicians, admins and invited
    patients of that provider. On the public host: operators and support staff.
    """
    user = User.objects.filter(personnummer=personnummer, is_active=True).first()
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


def _normalized_consent_text(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF: the same words are the same text.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def update_consent_text(text: str) -> ConsentVersion | None:
    """Publish `text` as a new version only when it differs from the current one: saving the
    settings page unchanged must not ask every patient to consent again."""
    text = _normalized_consent_text(text)
    if not text:
        raise ValidationError({"consent_text": _("Skriv en samtyckestext.")})
    with transaction.atomic():
        # Wait for a concurrent publisher, then compare with what it published.
        ConsentVersion.objects.select_for_update().order_by("-version").first()
        if _normalized_consent_text(current_consent_version().text) == text:
            return None
        return publish_consent_text(text)


# -- the administration tool (manual 1 and 8) ---------------------------------------------------

STAFF_FIELDS = ("first_name", "last_name", "mobile", "email", "language")


def _save_checked(user: User) -> User:
    """Model validation with Swedish messages; a personnummer used by another user of this
    provider is refused here (and by the unique constraint, should two admins race)."""
    try:
        user.full_clean(exclude=["password"])
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            {"personnummer": _("Personnumret används redan av en annan användare.")}
        ) from None
    return user


def _unique_personnummer(personnummer: str, exclude: User | None = None) -> None:
    others = User.objects.filter(personnummer=personnummer)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError(
            {"personnummer": _("Personnumret används redan av en annan användare.")}
        )


def add_staff_member(
    *, personnummer: str, is_admin: bool, is_clinician: bool, **fields: str
) -> User:
    if not (is_admin or is_clinician):
        raise ValidationError(_("Välj minst en roll: administratör eller vårdpersonal."))
    _unique_personnummer(personnummer)
    user = User(personnummer=personnummer, is_admin=is_admin, is_clinician=is_clinician, **fields)
    user.set_unusable_password()
    return _save_checked(user)


def _lock_active_admins() -> list[int]:
    return list(
        User.objects.select_for_update()
        .filter(is_admin=True, is_active=True)
        .values_list("pk", flat=True)
    )


def _keeps_an_admin(user: User, *, is_admin: bool, is_active: bool) -> None:
    admins = _lock_active_admins()
    if admins == [user.pk] and not (is_admin and is_active):
        raise ValidationError(
            _("Vårdenheten måste ha minst en aktiv administratör. Utse en annan först.")
        )


def update_staff_member(user: User, *, is_admin: bool, is_clinician: bool, **fields: str) -> User:
    if not (is_admin or is_clinician or user.is_patient):
        raise ValidationError(_("Välj minst en roll: administratör eller vårdpersonal."))
    with transaction.atomic():
        _keeps_an_admin(user, is_admin=is_admin, is_active=user.is_active)
        for name in STAFF_FIELDS:
            if name in fields:
                setattr(user, name, fields[name])
        user.is_admin, user.is_clinician = is_admin, is_clinician
        return _save_checked(user)


def set_user_active(user: User, active: bool) -> User:
    """A deactivated user cannot log in; their history stays."""
    with transaction.atomic():
        _keeps_an_admin(user, is_admin=user.is_admin, is_active=active)
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def may_edit_patients(user: User) -> bool:
    """Who may change a patient's name, mobile or personnummer: the provider's admins."""
    return user.is_active and user.is_admin


def add_patient(*, personnummer: str, **fields: str) -> User:
    _unique_personnummer(personnummer)
    user = User(personnummer=personnummer, is_patient=True, **fields)
    user.set_unusable_password()
    return _save_checked(user)


def update_patient(user: User, **fields: str) -> User:
    if "personnummer" in fields:
        _unique_personnummer(fields["personnummer"], exclude=user)
    for name in ("personnummer", *STAFF_FIELDS):
        if name in fields:
            setattr(user, name, fields[name])
    return _save_checked(user)
