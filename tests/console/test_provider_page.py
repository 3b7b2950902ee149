"""A provider's console page: who may open it, its usage chart, its history, its queries."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careplatform.timeutil import LOCAL
from tenants import operator_log
from tenants.models import OperatorActionKind, Usage, UsageMetric
from tests.clients import PUBLIC, logged_in
from tests.console.helpers import operator_client, page

NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=LOCAL)


def test_an_operator_opens_the_page(alfa, operator):
    response = operator_client(operator).get(page("alfa"))

    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Status",
        "Inställningar",
        "Domäner",
        "Administratörer",
        "Användning",
        "Historik",
    ):
        assert f">{heading}</h2>" in html
    assert "Aktiv" in html  # the status include


@pytest.mark.parametrize("subdomain", ["finnsinte", "template"])
def test_an_unknown_provider_is_404(operator, subdomain):
    assert operator_client(operator).get(page(subdomain)).status_code == 404


def test_nobody_but_an_operator_gets_in(alfa, support_user, client):
    anonymous = client.get(page("alfa"), HTTP_HOST=PUBLIC.host)
    support = logged_in(support_user, PUBLIC).get(page("alfa"))

    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert support.status_code == 403


@pytest.mark.parametrize("who", ["admin", "clinician", "patient"])
def test_on_a_providers_host_the_page_does_not_exist(alfa, who):
    assert logged_in(getattr(alfa, who), alfa).get(page("alfa")).status_code == 404


@pytest.mark.parametrize("action", ["installningar/", "domaner/", "administratorer/"])
def test_the_forms_actions_take_post_only(alfa, operator, action):
    assert operator_client(operator).get(page("alfa", action)).status_code == 405


def _bars(html: str, metric: str) -> list[tuple[int, float]]:
    svg = re.search(rf'<svg[^>]*data-metric="{metric}".*?</svg>', html, re.S).group(0)
    return [
        (int(value), float(height))
        for height, value in re.findall(
            r'<rect class="bar"[^>]*height="([\d.]+)" data-value="(\d+)"', svg
        )
    ]


def _usage(provider, day: str, metric: UsageMetric, value: int) -> None:
    Usage.objects.create(
        provider=provider, day=datetime.date.fromisoformat(day), metric=metric, value=value
    )


def test_the_chart_shows_twelve_months_of_sums_and_the_busiest_day(alfa, beta, operator):
    for day, value in (("2025-11-30", 99), ("2025-12-01", 4), ("2026-03-02", 10),
                       ("2026-03-20", 32), ("2026-11-01", 5)):  # fmt: skip
        _usage(alfa.provider, day, UsageMetric.VISITS_HELD, value)
    for day, value in (("2026-03-01", 3), ("2026-03-15", 7), ("2026-03-31", 2)):
        _usage(alfa.provider, day, UsageMetric.ACTIVE_CLINICIANS, value)
    _usage(beta.provider, "2026-03-02", UsageMetric.VISITS_HELD, 1000)

    with time_machine.travel(NOW, tick=False):
        html = operator_client(operator).get(page("alfa")).content.decode()

    visits = _bars(html, "visits_held")
    assert [value for value, _height in visits] == [4, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 5]
    assert [height for _value, height in visits][3] == 96.0  # the tallest bar: the whole height
    assert [height for _value, height in visits][11] == round(96 * 5 / 42, 1)
    clinicians = _bars(html, "active_clinicians")
    assert [value for value, _height in clinicians][3] == 7  # March's busiest day
    assert "Högst 42 i mars 2026, 5 i november 2026." in html
    assert '<th scope="row">december 2025</th><td>4</td>' in html
    assert all(value == 0 for value, _height in _bars(html, "sms_segments"))
    assert "Ingen användning under perioden." in html


def test_the_history_lists_this_providers_operator_actions_newest_first(alfa, beta, operator):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=LOCAL), tick=False):
        operator_log.record(
            OperatorActionKind.SETTINGS, actor=operator, provider=alfa.provider,
            ip_address="198.51.100.4", before={"name": "Alfa"},
            after={"name": "Vårdcentralen Alfa"},
        )  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 3, 3, 14, 5, tzinfo=LOCAL), tick=False):
        operator_log.record(
            OperatorActionKind.SUSPEND, actor=operator, provider=alfa.provider,
            ip_address="198.51.100.5", before={"status": "active"},
            after={"status": "suspended"}, reason="Obetald faktura",
        )  # fmt: skip
    operator_log.record(OperatorActionKind.SUSPEND, actor=operator, provider=beta.provider,
                        reason="Betas anledning")  # fmt: skip

    html = operator_client(operator).get(page("alfa")).content.decode()
    history = html[html.index('id="historik"') :]

    assert history.index("Stängde av") < history.index("Ändrade inställningar")
    assert "tis 3 mars 2026 14:05" in history
    assert "mån 2 mars 2026 09:30" in history
    assert "Otto Operatör" in history
    assert "198.51.100.4" in history
    assert "Namn: Alfa → Vårdcentralen Alfa" in history
    assert "Status: Aktiv → Avstängd" in history
    assert "Obetald faktura" in history
    assert "Betas anledning" not in history


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_number_of_queries_however_much_it_shows(alfa, operator):
    client = operator_client(operator)
    _queries(client, page("alfa"))  # the host is routed (and cached) once
    few = _queries(client, page("alfa"))
    for number in range(60):
        operator_log.record(
            OperatorActionKind.SETTINGS, actor=operator, provider=alfa.provider,
            before={"name": str(number)}, after={"name": str(number + 1)},
        )  # fmt: skip
    for month in range(1, 12):
        for metric in UsageMetric:
            _usage(alfa.provider, f"2026-{month:02d}-01", metric, month)

    many = _queries(client, page("alfa"))

    assert many == few
