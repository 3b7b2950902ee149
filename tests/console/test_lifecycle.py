"""Suspend, reactivate, terminate and undo (tenants.lifecycle): each change is logged with
before -> after, reason and signature; every refusal says why, changes nothing and logs nothing."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from tenants import lifecycle
from tenants.lifecycle import LifecycleRefused
from tenants.models import CareProvider, OperatorActionKind, ProviderStatus
from tests.console.lifecycle_helpers import log_rows, signature_of

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def provider(alfa):
    return alfa.provider


def fresh(provider) -> CareProvider:
    return CareProvider.objects.get(pk=provider.pk)


def suspend(provider, operator, reason="Obetald faktura", **kwargs):
    return lifecycle.suspend(
        provider,
        reason=reason,
        actor=operator,
        ip_address="203.0.113.7",
        signature=kwargs.pop("signature", signature_of(operator)),
    )


def terminate(provider, operator, reason="Avtalet är uppsagt"):
    return lifecycle.terminate(
        provider,
        reason=reason,
        actor=operator,
        ip_address="203.0.113.7",
        signature=signature_of(operator),
    )


def reactivate(provider, operator, reason="Fakturan är betald"):
    return lifecycle.reactivate(provider, reason=reason, actor=operator, ip_address="203.0.113.7")


def undo(provider, operator, reason="Kunden ångrade sig"):
    return lifecycle.undo_termination(
        provider, reason=reason, actor=operator, ip_address="203.0.113.7"
    )


def refused(action, *args, match: str, **kwargs):
    """The action is refused with `match` in its message; the provider and the log unchanged."""
    provider = args[0]
    before, rows = fresh(provider), len(log_rows())
    with pytest.raises(LifecycleRefused, match=match):
        action(*args, **kwargs)
    after = fresh(provider)
    assert (after.status, after.status_reason, after.terminate_at) == (
        before.status,
        before.status_reason,
        before.terminate_at,
    )
    assert len(log_rows()) == rows


# -- what each change does and logs ------------------------------------------------------------


def test_suspending_logs_who_before_after_reason_and_signature(provider, operator):
    with time_machine.travel(NOW, tick=False):
        suspend(provider, operator)
    assert fresh(provider).status == ProviderStatus.SUSPENDED
    assert fresh(provider).status_reason == "Obetald faktura"
    assert fresh(provider).status_changed_at == NOW
    [row] = log_rows(provider)
    assert (row.action, row.actor_id, row.ip_address, row.reason) == (
        OperatorActionKind.SUSPEND,
        operator.pk,
        "203.0.113.7",
        "Obetald faktura",
    )
    assert row.before["status"] == "active" and row.after["status"] == "suspended"
    assert row.signature["user"]["personalNumber"] == operator.personnummer
    assert row.signature["ocspResponse"] == "b2NzcA=="


def test_reactivating_restores_the_provider(provider, operator):
    suspend(provider, operator)
    reactivate(provider, operator)
    assert fresh(provider).status == ProviderStatus.ACTIVE
    assert fresh(provider).status_reason == "Fakturan är betald"
    kinds = [row.action for row in log_rows(provider)]
    assert kinds == [OperatorActionKind.SUSPEND, OperatorActionKind.REACTIVATE]
    assert log_rows(provider)[-1].signature is None  # reactivating asks for no signature


def test_terminating_keeps_the_provider_suspended_for_the_grace_period(provider, operator):
    suspend(provider, operator)
    with time_machine.travel(NOW, tick=False):
        terminate(provider, operator)
    terminated = fresh(provider)
    assert terminated.status == ProviderStatus.SUSPENDED
    assert terminated.terminate_at == NOW + datetime.timedelta(days=30)
    row = log_rows(provider)[-1]
    assert row.action == OperatorActionKind.TERMINATE
    assert row.before["terminate_at"] is None
    assert row.after["terminate_at"] == "2026-12-30T12:00:00+00:00"


def test_the_grace_period_is_a_setting(provider, operator, settings):
    settings.TERMINATION_GRACE_DAYS = 7
    suspend(provider, operator)
    with time_machine.travel(NOW, tick=False):
        terminate(provider, operator)
    assert fresh(provider).terminate_at == NOW + datetime.timedelta(days=7)


def test_undoing_a_termination_keeps_the_provider_suspended(provider, operator):
    suspend(provider, operator)
    terminate(provider, operator)
    undo(provider, operator)
    undone = fresh(provider)
    assert (undone.status, undone.terminate_at) == (ProviderStatus.SUSPENDED, None)
    assert log_rows(provider)[-1].action == OperatorActionKind.TERMINATE_UNDONE
    reactivate(provider, operator)
    assert fresh(provider).status == ProviderStatus.ACTIVE


def test_the_countdown_counts_whole_days_rounded_up(provider, operator):
    suspend(provider, operator)
    with time_machine.travel(NOW, tick=False):
        terminated = terminate(provider, operator)
    day = datetime.timedelta(days=1)
    assert lifecycle.days_left(terminated, NOW) == 30
    assert lifecycle.days_left(terminated, NOW + datetime.timedelta(seconds=1)) == 30
    assert lifecycle.days_left(terminated, NOW + day) == 29
    assert lifecycle.days_left(terminated, NOW + 30 * day - datetime.timedelta(seconds=1)) == 1
    assert lifecycle.days_left(terminated, NOW + 30 * day) == 0
    assert lifecycle.days_left(fresh(provider), NOW + 31 * day) == 0


# -- refusals: a message, nothing changed, no log row ------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(provider, operator, reason):
    refused(suspend, provider, operator, reason=reason, match="Ange ett skäl")
    suspend(provider, operator)
    refused(reactivate, provider, operator, reason=reason, match="Ange ett skäl")
    refused(terminate, provider, operator, reason=reason, match="Ange ett skäl")
    terminate(provider, operator)
    refused(undo, provider, operator, reason=reason, match="Ange ett skäl")


def test_a_reason_has_a_length_limit(provider, operator):
    refused(suspend, provider, operator, reason="x" * 501, match="högst 500 tecken")
    suspend(provider, operator, reason="x" * 500)


def test_an_already_suspended_provider_cannot_be_suspended_again(provider, operator):
    suspend(provider, operator)
    refused(suspend, provider, operator, match="redan avstängd")


def test_an_active_provider_cannot_be_reactivated(provider, operator):
    refused(reactivate, provider, operator, match="redan aktiv")


def test_an_active_provider_cannot_be_terminated(provider, operator):
    refused(terminate, provider, operator, match="Stäng av vårdgivaren innan")


def test_a_termination_cannot_be_ordered_twice(provider, operator):
    suspend(provider, operator)
    terminate(provider, operator)
    refused(terminate, provider, operator, match="ska redan avslutas")


def test_there_is_nothing_to_undo_without_a_pending_termination(provider, operator):
    refused(undo, provider, operator, match="inget avslut att ångra")
    suspend(provider, operator)
    refused(undo, provider, operator, match="inget avslut att ångra")


def test_a_provider_to_be_terminated_is_not_reactivated_before_the_undo(provider, operator):
    suspend(provider, operator)
    terminate(provider, operator)
    refused(reactivate, provider, operator, match="Ångra avslutet innan")


def test_suspend_and_terminate_need_a_signature(provider, operator):
    refused(suspend, provider, operator, signature=None, match="skrivas under med BankID")
    suspend(provider, operator)
    with pytest.raises(LifecycleRefused, match="skrivas under med BankID"):
        lifecycle.terminate(
            provider, reason="Uppsagt", actor=operator, ip_address=None, signature=None
        )
    assert fresh(provider).terminate_at is None


def test_nothing_is_done_to_a_terminated_provider(provider, operator):
    CareProvider.objects.filter(pk=provider.pk).update(status=ProviderStatus.TERMINATED)
    for action in (suspend, reactivate, terminate, undo):
        refused(action, provider, operator, match="avslutad och kan inte ändras")


def test_the_template_is_never_changed(operator):
    template = CareProvider.objects.get(is_template=True)
    refused(reactivate, template, operator, match="avslutad och kan inte ändras")


# -- after commit --------------------------------------------------------------------------------


def test_a_suspension_tells_the_registered_handlers_after_commit(
    provider, operator, django_capture_on_commit_callbacks
):
    told = []
    lifecycle.on_suspended(told.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            suspend(provider, operator)
        assert told == []  # not before the commit
        for callback in callbacks:
            callback()
        assert told == [provider.schema_name]
    finally:
        lifecycle._suspended_handlers.remove(told.append)


def test_the_video_app_closes_a_suspended_providers_pages():
    from tenant_apps.video.services import close_provider_pages

    assert close_provider_pages in lifecycle._suspended_handlers


def test_two_operators_suspending_at_once_suspend_once(committed, django_db_blocker):
    from tenant_apps.accounts.models import User

    provider = committed.provider("samtidig")
    connection.set_schema_to_public()
    operator = User.objects.get(is_operator=True)
    outcomes, start = [], threading.Barrier(2)

    def attempt():
        start.wait()
        try:
            suspend(provider, operator)
            outcomes.append("suspended")
        except LifecycleRefused as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Vårdgivaren är redan avstängd.", "suspended"]
    assert [row.action for row in log_rows(provider)] == [OperatorActionKind.SUSPEND]
