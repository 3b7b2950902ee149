"""Logg (/konsol/logg/): every operator action, newest first, filtered by provider, kind,
operator and period, paginated, in a constant number of queries; dates written in Swedish."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import operator_log
from tenants.models import OperatorActionKind
from tests.clients import PUBLIC, logged_in
from tests.console.lifecycle_helpers import signature_of

# Later than anything else in the log, so these rows come first.
T = datetime.datetime(2031, 3, 14, 9, 30, 5, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def record(kind, provider, actor, at, **fields):
    with time_machine.travel(at, tick=False):
        return operator_log.record(kind, actor=actor, provider=provider, **fields)


@pytest.fixture
def history(alfa, beta, operator):
    """Alfa suspended (signed) and reactivated by Otto, beta provisioned, and a drop by the
    platform itself, on four days."""
    connection.set_schema_to_public()
    return [
        record(OperatorActionKind.PROVISION, beta.provider, operator, T - 3 * DAY),
        record(
            OperatorActionKind.SUSPEND, alfa.provider, operator, T - 2 * DAY,
            before={"status": "active"}, after={"status": "suspended"},
            reason="Obetald faktura", ip_address="203.0.113.7", signature=signature_of(operator),
        ),
        record(
            OperatorActionKind.REACTIVATE, alfa.provider, operator, T - DAY,
            before={"status": "suspended"}, after={"status": "active"}, reason="Betald",
        ),
        record(OperatorActionKind.SCHEMA_DROPPED, beta.provider, None, T, reason="Uppsagt"),
    ]  # fmt: skip


@pytest.fixture
def otto(operator):
    return logged_in(operator, PUBLIC)


def listed(response) -> list[str]:
    """The table's rows, each as "time | who | action | provider" (the first four cells)."""
    html = response.content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    rows = []
    for row in body.split("<tr>")[1:]:
        cells = [cell.split(">", 1)[1].split("</td>")[0] for cell in row.split("<td")[1:5]]
        rows.append(" | ".join(_text(cell) for cell in cells))
    return rows


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_log_lists_every_action_newest_first_with_swedish_times(otto, history):
    response = otto.get("/konsol/logg/")
    assert response.status_code == 200
    assert listed(response)[:4] == [
        "2031-03-14 10:30:05 | CarePlatform | Raderade data | Kliniken Beta (beta)",
        "2031-03-13 10:30:05 | Otto Operatör | Återaktiverade | Vårdcentralen Alfa (alfa)",
        "2031-03-12 10:30:05 | Otto Operatör Underskrivet med BankID av Otto Operatör | "
        "Stängde av | Vårdcentralen Alfa (alfa)",
        "2031-03-11 10:30:05 | Otto Operatör | Skapade vårdgivaren | Kliniken Beta (beta)",
    ]
    html = response.content.decode()
    assert "Status: Aktiv → Avstängd" in html and "Obetald faktura" in html
    assert "203.0.113.7" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"provider": "alfa"}, ["Återaktiverade", "Stängde av"]),
        ({"provider": "ALFA "}, ["Återaktiverade", "Stängde av"]),
        ({"action": "suspend", "provider": "alfa"}, ["Stängde av"]),
        ({"operator": "platform", "date_from": "2031-03-14"}, ["Raderade data"]),
        ({"provider": "beta", "date_from": "2031-03-11", "date_to": "2031-03-11"},
         ["Skapade vårdgivaren"]),
        ({"provider": "beta", "date_to": "2031-03-13"}, ["Skapade vårdgivaren"]),
        ({"provider": "finnsinte"}, []),
    ],
)  # fmt: skip
def test_the_log_is_filtered(otto, history, query, expected):
    response = otto.get("/konsol/logg/", query)
    assert response.status_code == 200
    assert [row.split(" | ")[2] for row in listed(response)] == expected
    if not expected:
        assert "Inga händelser matchar filtret." in response.content.decode()


def test_the_log_is_filtered_by_operator(otto, history, operator):
    response = otto.get("/konsol/logg/", {"operator": operator.pk, "date_from": "2031-03-11"})
    assert [row.split(" | ")[2] for row in listed(response)] == [
        "Återaktiverade",
        "Stängde av",
        "Skapade vårdgivaren",
    ]


def test_a_period_that_ends_before_it_begins_is_refused(otto, history):
    response = otto.get("/konsol/logg/", {"date_from": "2031-03-14", "date_to": "2031-03-11"})
    assert response.status_code == 400
    assert "Till-datumet är före från-datumet." in response.content.decode()


def test_a_wrong_date_is_refused_and_the_rest_still_filters(otto, history):
    response = otto.get("/konsol/logg/", {"provider": "alfa", "date_from": "igår"})
    assert response.status_code == 400
    assert [row.split(" | ")[2] for row in listed(response)] == ["Återaktiverade", "Stängde av"]


def test_the_log_is_paginated_and_pages_keep_the_filter(otto, alfa, operator):
    for n in range(55):
        record(OperatorActionKind.SETTINGS, alfa.provider, operator, T + n * DAY)
    first = otto.get("/konsol/logg/", {"provider": "alfa"})
    assert len(listed(first)) == 50
    assert "?provider=alfa&amp;sida=2" in first.content.decode()
    second = otto.get("/konsol/logg/", {"provider": "alfa", "sida": 2})
    assert len(listed(second)) == 5 and "Sida 2 av 2" in second.content.decode()


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_log_page_costs_the_same_queries_for_5_and_60_rows(otto, alfa, beta, operator):
    for n in range(5):
        record(OperatorActionKind.SUSPEND, alfa.provider, operator, T + n * DAY)
    few = queries_for(otto, "/konsol/logg/?provider=alfa")
    for n in range(55):
        provider = alfa.provider if n % 2 else beta.provider
        record(OperatorActionKind.SUSPEND, provider, None if n % 3 else operator, T + n * DAY)
    assert queries_for(otto, "/konsol/logg/?provider=alfa") == few
    assert queries_for(otto, "/konsol/logg/") == few
