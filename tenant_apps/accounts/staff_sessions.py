"""Sessions that fit the power they carry: an operator's or support desk member's session on the
public host ends after STAFF_SESSION_IDLE_MINUTES without a request of theirs (30) and
STAFF_SESSION_MAX_HOURS after logging in (8), however active they are. Patients, clinicians and
admins (provider hosts) are not affected.

Both moments live in the session itself. What counts as activity: every request the staff member
makes, except those a page makes by itself in the background (a progress page polling for news),
whose views are marked `@background_poll`: a console left open on such a page still logs out
after 30 minutes. Expiry is checked on every request, background polls included; an expired
session is logged out and the request sent to the login page with the reason (a poll's `fetch`
follows that redirect: `response.redirected` tells the page to reload).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext

from careplatform import clock
from careplatform.access import has_role

STARTED = "staff_session_started"  # POSIX seconds of the login
SEEN = "staff_session_seen"  # POSIX seconds of the last request that counts as activity
PASSIVE = "staff_session_background_poll"


def is_staff_session(request: HttpRequest) -> bool:
    """An operator or support desk member logged in on the public host."""
    return getattr(request, "tenant", None) is None and has_role(
        request.user, "operator", "support"
    )


def start(request: HttpRequest) -> None:
    """Called right after a staff member logs in: both clocks start now."""
    if is_staff_session(request):
        request.session[STARTED] = request.session[SEEN] = clock.now().timestamp()


def ended_because(session: SessionBase, now: float) -> str | None:
    """Why this staff session has ended at `now`, or None while it holds."""
    max_hours = settings.STAFF_SESSION_MAX_HOURS
    idle_minutes = settings.STAFF_SESSION_IDLE_MINUTES
    if now - session[STARTED] >= max_hours * 3600:
        return ngettext(
            "Du har loggats ut efter %(hours)d timme.",
            "Du har loggats ut efter %(hours)d timmar.",
            max_hours,
        ) % {"hours": max_hours}
    if now - session[SEEN] >= idle_minutes * 60:
        return ngettext(
            "Du har loggats ut efter %(minutes)d minuts inaktivitet.",
            "Du har loggats ut efter %(minutes)d minuters inaktivitet.",
            idle_minutes,
        ) % {"minutes": idle_minutes}
    return None


def background_poll(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view that pages call by themselves (polling): it does not keep a staff session
    alive. The mark survives decorators applied on top (functools.wraps copies it)."""
    setattr(view, PASSIVE, True)
    return view


def _counts_as_activity(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return not (match and getattr(match.func, PASSIVE, False))


class StaffSessionMiddleware:
    """After the messages middleware, so the reason reaches the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_staff_session(request):
            return self.get_response(request)
        now = clock.now().timestamp()
        session = request.session
        if STARTED not in session or SEEN not in session:
            # A session made before this rule (or without the login page): counted from now.
            session[STARTED] = session[SEEN] = now
        reason = ended_because(session, now)
        if reason is not None:
            logout(request)
            messages.info(request, reason)
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            return redirect("login")
        response = self.get_response(request)
        # Not after "Logga ut": the view has ended the session.
        if request.user.is_authenticated and _counts_as_activity(request):
            session[SEEN] = now
        return response
