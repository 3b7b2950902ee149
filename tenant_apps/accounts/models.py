from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from careplatform.validators import normalize_mobile, normalize_personnummer


class Language(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    ENGLISH = "en", "English"


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, personnummer: str, first_name: str, last_name: str, **fields: Any
    ) -> "User":
        user = self.model(
            personnummer=normalize_personnummer(personnummer),
            first_name=first_name,
            last_name=last_name,
            **fields,
        )
        if user.mobile:
            user.mobile = normalize_mobile(user.mobile)
        user.set_unusable_password()  # everyone logs in with BankID
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person at one provider (tenant schema), or an operator / support user (public schema).

    The same person at two providers is two users. Roles are flags: one person can be admin
    and clinician.
    """

    personnummer = models.CharField(_("personnummer"), max_length=12, unique=True)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    mobile = models.CharField(_("mobilnummer"), max_length=20, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    language = models.CharField(
        _("språk"), max_length=2, choices=Language.choices, default=Language.SWEDISH
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Provider roles (tenant schema)
    is_admin = models.BooleanField(_("administratör"), default=False)
    is_clinician = models.BooleanField(_("vårdpersonal"), default=False)
    is_patient = models.BooleanField(_("patient"), default=False)
    # Platform roles (public schema)
    is_operator = models.BooleanField(_("operatör"), default=False)
    is_support = models.BooleanField(_("support"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every session carries a hash that includes this number: raising it ends them all (logout).
    session_generation = models.PositiveIntegerField(default=0)

    USERNAME_FIELD = "personnummer"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_session_auth_hash(self) -> str:
        """Kept in each session at login and checked on every request and WebSocket connection.
        Generation 0 keeps Django's own hash, so sessions made before generations stay valid."""
        if not self.session_generation:
            return super().get_session_auth_hash()
        return self._generation_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        if not self.session_generation:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._generation_hash(secret)

    def _generation_hash(self, secret: str | bytes) -> str:
        return salted_hmac(
            "tenant_apps.accounts.User.session_generation",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


DEFAULT_CONSENT_TEXT = (
    "Jag samtycker till att vårdgivaren behandlar mina personuppgifter (namn, personnummer, "
    "mobilnummer och bokningar) för att kunna genomföra videobesök med mig. Uppgifterna delas "
    "med vårdgivarens administratörer och den vårdpersonal jag har besök hos. Detta är inte en "
    "journal; journal förs i vårdgivarens ordinarie journalsystem."
)


class ConsentVersion(models.Model):
    """The provider's consent text (manual 7.3). A new text is a new version, asked again."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Samtycke v{self.version}"


class Consent(models.Model):
    """A patient's consent to one version: who, when, which version, from which IP."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="consents")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="consent_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} – v{self.version.version}"
