"""Every request to the gateway is an attempt: the limit and the backoff hold whatever the
gateway answers, and a 429 holds back the whole gateway account, for every provider. Against
the fake 46elks over real HTTP, with a controlled clock and the sweep run as the worker would
(every 4 seconds)."""

import datetime
import itertools

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.sms.models import DueKind, GatewayPause, SmsDue
from careplatform.sms.pause import pause_account, paused_until
from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.models import SmsStatus
from tenant_apps.notifications.sending import backoff
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.notifications.helpers import dispatch, invite, messages, sweep

SWEEP_EVERY = datetime.timedelta(seconds=4)


def due_row(sms):
    return SmsDue.objects.filter(kind=DueKind.MESSAGE, object_id=sms.pk).first()


def run_worker(frozen, seconds: int) -> None:
    """The worker's sweep every 4 s for `seconds` of controlled time."""
    for _ in range(seconds // SWEEP_EVERY.seconds):
        frozen.shift(SWEEP_EVERY)
        sweep()


def gaps(posts) -> list[float]:
    times = [post["received"] for post in posts]
    return [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]


# junk: 200 whose body is not JSON and the gateway never took the message; garbage500: a 5xx
# HTML page; 429 without advice; lost: no answer in time.
RETRYABLE = ["junk", "garbage500", "429", "lost"]


@pytest.mark.parametrize("answer", RETRYABLE)
def test_every_attempt_counts_and_backs_off_until_failed_for_good(ready, elks, frozen, answer):
    elks.default = answer
    with override_settings(SMS_MAX_ATTEMPTS=4):
        invite(ready)
        dispatch()
        run_worker(frozen, 30 * 60)
    [sms] = messages()
    assert len(elks.posts) == 4 and elks.accepted == []
    assert (sms.status, sms.attempts) == (SmsStatus.FAILED, 4)
    assert sms.error.startswith("Gav upp efter 4 försök")
    assert due_row(sms) is None
    for attempt, gap in enumerate(gaps(elks.posts), start=1):
        assert gap >= backoff(attempt), (attempt, gaps(elks.posts))
    run_worker(frozen, 3600)
    assert len(elks.posts) == 4  # failed is final


def test_unreadable_answers_for_three_minutes_are_a_handful_of_attempts(ready, elks, frozen):
    """Three minutes of unreadable answers once drew 44 attempts, one every 4 s."""
    elks.default = "junk"
    invite(ready)
    dispatch()
    run_worker(frozen, 180)
    [sms] = messages()
    assert sms.attempts == len(elks.posts) <= 5
    assert sorted(gaps(elks.posts)) == gaps(elks.posts)  # never closer than the one before


def test_unreadable_answer_for_a_message_the_gateway_took_is_not_sent_again(ready, elks, frozen):
    elks.script("garbage")  # taken, but the answer cannot be read
    invite(ready)
    dispatch()
    run_worker(frozen, 600)
    [sms] = messages()
    assert (sms.status, sms.attempts, len(elks.posts)) == (SmsStatus.SENT, 1, 1)
    assert sms.gateway_id == elks.accepted[0]["id"]


@pytest.fixture
def beta_ready(beta):
    """Beta's admin, who is also its clinician, can invite. (Ask for it before `ready`: the
    `beta` fixture leaves the connection in the public schema.)"""
    with schema_context(beta.provider.schema_name):
        profiles.update_consultation(beta.admin, title="Läkare", description="")
        beta.one_to_one = profiles.create_visit_type(
            beta.admin, title="Besök", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(beta.admin)
    return beta


def invite_in_beta(cast, n: int) -> None:
    with schema_context(cast.provider.schema_name):
        bookings.invite(
            actor=cast.admin,
            clinician=cast.admin,
            visit_type=cast.one_to_one,
            provider=cast.provider,
            patients=[patient_spec(n)],
            starts_at=in_days(2),
        )
        dispatch()


def test_429_holds_back_the_whole_account_for_every_provider(beta_ready, ready, elks, frozen):
    elks.script("429:120")
    invite(ready)
    dispatch()
    assert len(elks.posts) == 1
    # Inside the window: a new message at the same provider, and one at another provider.
    frozen.shift(datetime.timedelta(seconds=30))
    invite(ready, n=2, starts_at=in_days(3))
    dispatch()
    invite_in_beta(beta_ready, 3)
    run_worker(frozen, 88)  # 118 s after the 429
    assert len(elks.posts) == 1  # nothing else went out
    [pause] = GatewayPause.objects.all()
    assert pause.account == f"elks46 elkuser {elks.url}"  # the account, not a provider
    run_worker(frozen, 4)  # 122 s
    assert len(elks.posts) == 4
    assert len(elks.accepted) == 3
    assert {m.status for m in messages()} == {SmsStatus.SENT}
    with schema_context(beta_ready.provider.schema_name):
        assert [m.status for m in messages()] == [SmsStatus.SENT]


def test_429_counts_as_an_attempt_and_its_window_is_kept_by_the_message_too(ready, elks, frozen):
    elks.script("429:100")
    invite(ready)
    dispatch()
    [sms] = messages()
    assert sms.attempts == 1
    assert sms.next_attempt_at == sms.created_at + datetime.timedelta(seconds=100)


def test_a_shorter_pause_never_shortens_a_longer_one(ready, frozen):
    now = clock.now()
    pause_account("elks46 someone https://gateway.example/a1", now + datetime.timedelta(minutes=5))
    pause_account("elks46 someone https://gateway.example/a1", now + datetime.timedelta(minutes=1))
    until = paused_until("elks46 someone https://gateway.example/a1", now)
    assert until == now + datetime.timedelta(minutes=5)
    assert paused_until("elks46 other https://gateway.example/a1", now) is None
    assert paused_until("elks46 someone https://gateway.example/a1", until) is None


def test_429_on_reading_the_list_pauses_the_account_until_its_advice(ready, elks, frozen):
    """A message in doubt is looked up in the gateway's list; a 429 there holds back every
    send and lookup of the account, as a 429 on sending does."""
    elks.script("lost")  # in doubt: the gateway may have it
    invite(ready)
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.UNKNOWN
    elks.script_lists("429:120")
    run_worker(frozen, 20)  # the lookup is due after SMS_RECONCILE_DELAY
    [read] = elks.lists
    assert read["answer"] == "429:120"
    [pause] = GatewayPause.objects.all()
    advised = (pause.not_before - read["received"]).total_seconds()
    assert 119 <= advised <= 121
    invite(ready, n=2, starts_at=in_days(3))  # a new message inside the pause
    dispatch()
    run_worker(frozen, int((pause.not_before - clock.now()).total_seconds()) - 4)
    assert len(elks.lists) == 1 and len(elks.posts) == 1  # nothing went out while paused
    run_worker(frozen, 8)
    assert len(elks.lists) == 2  # looked up once the pause was over
    assert {m.status for m in messages()} == {SmsStatus.SENT}


def test_an_unreadable_list_is_looked_up_less_and_less_often(ready, elks, frozen):
    """Half an hour of a gateway whose list cannot be read: a lookup every 15 s would be 120."""
    elks.script("lost")
    invite(ready)
    dispatch()
    elks.script_lists(*["500"] * 100)
    run_worker(frozen, 30 * 60)
    [sms] = messages()
    assert sms.status == SmsStatus.UNKNOWN and "stämma av" in sms.error
    assert 4 <= len(elks.lists) <= 12
    times = [read["received"] for read in elks.lists]
    intervals = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert sorted(intervals) == intervals and intervals[-1] > 4 * intervals[0]
