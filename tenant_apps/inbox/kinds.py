"""What a notice can be about, and how each reads: a registry, so another app adds its own
kind without touching this one (a chat would register "chat": "%(name)s skrev i chatten")
and calls services.notify with it.

A sentence takes %(name)s (who did it) and %(when)s (the visit's start, Swedish time).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careplatform.timeutil import local

if TYPE_CHECKING:
    from tenant_apps.inbox.models import Notice


@dataclass(frozen=True)
class NoticeKind:
    key: str
    sentence: Promise | str


_kinds: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> str:
    """Make `kind` known (once); returns its key, the value stored in Notice.kind."""
    if len(kind.key) > 20:
        raise ValueError(f"notice kind {kind.key!r} is longer than 20 characters")
    _kinds.setdefault(kind.key, kind)
    return kind.key


def is_known(key: str) -> bool:
    return key in _kinds


CONFIRMED = register(NoticeKind("confirmed", _("%(name)s har bekräftat besöket %(when)s.")))
DECLINED = register(NoticeKind("declined", _("%(name)s kan inte komma på besöket %(when)s.")))
WAITING = register(NoticeKind("waiting", _("%(name)s väntar i besöksrummet (besöket %(when)s).")))


def sentence(notice: "Notice") -> str:
    """The notice as its recipient reads it, in the active language."""
    kind = _kinds.get(notice.kind)
    name = notice.actor.full_name if notice.actor is not None else gettext("Någon")
    when = ""
    if notice.booking is not None:
        when = formats.date_format(local(notice.booking.starts_at), "l j F H:i")
    if kind is None:
        return gettext("%(name)s: något hände med besöket %(when)s.") % {"name": name, "when": when}
    return str(kind.sentence) % {"name": name, "when": when}
