"""The platform audit log cannot be rewritten, not even through the application's connection."""

import pytest
from django.db import DatabaseError, connection, transaction

from tenants import operator_log
from tenants.models import OperatorAction, OperatorActionKind


@pytest.fixture
def logged(alfa, operator):
    with transaction.atomic():
        return operator_log.record(
            OperatorActionKind.SUSPEND,
            actor=operator,
            provider=alfa.provider,
            ip_address="203.0.113.9",
            before={"status": "active"},
            after={"status": "suspended"},
            reason="Obetald faktura",
        )


def test_a_row_says_who_did_what_to_whom_from_where(logged, alfa, operator):
    row = OperatorAction.objects.get(pk=logged.pk)
    assert (row.actor_id, row.actor_name, row.action) == (operator.pk, "Otto Operatör", "suspend")
    assert row.provider_label == "Vårdcentralen Alfa (alfa)"
    assert (row.ip_address, row.before, row.after) == (
        "203.0.113.9",
        {"status": "active"},
        {"status": "suspended"},
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tenants_operatoraction SET reason = 'nothing happened' WHERE id = %s",
        "DELETE FROM tenants_operatoraction WHERE id = %s",
        "TRUNCATE tenants_operatoraction",
    ],
    ids=["update", "delete", "truncate"],
)
def test_rows_survive_update_delete_and_truncate(logged, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [logged.pk] if "%s" in statement else [])
    assert OperatorAction.objects.get(pk=logged.pk).reason == "Obetald faktura"


def test_the_orm_cannot_change_or_delete_a_row_either(logged):
    logged.reason = "ändrad"
    with pytest.raises(DatabaseError), transaction.atomic():
        logged.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        OperatorAction.objects.filter(pk=logged.pk).delete()
    assert OperatorAction.objects.get(pk=logged.pk).reason == "Obetald faktura"
