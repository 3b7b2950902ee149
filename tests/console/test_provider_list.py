"""Konsol's providers list (/konsol/): every provider with its figures from the usage table,
searched, filtered, sorted and paged; the same number of queries at 5 and at 500 providers; for
operators only, and nowhere on a provider's host."""

import datetime
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careplatform.timeutil import local_datetime
from tenants.models import CareProvider, ProviderStatus, Usage, UsageMetric
from tests import isolation
from tests.clients import PUBLIC, logged_in

NOW = local_datetime(datetime.date(2026, 11, 15), datetime.time(12, 0))
TODAY = datetime.date(2026, 11, 15)
NBSP = "\xa0"


class Table(HTMLParser):
    """The list's body rows (cell texts and links), its headers and the page's links."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[list[str]] = []
        self.headers: list[dict] = []
        self._cell: list[str] | None = None
        self._in_body = False
        self._header: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
            self.links.append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "a" and self._in_body and self.links:
            self.links[-1].append(attrs["href"])
        elif tag == "th":
            self._header = {"aria-sort": attrs.get("aria-sort"), "href": None, "text": ""}
        elif tag == "a" and self._header is not None:
            self._header["href"] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "th" and self._header is not None:
            self._header["text"] = " ".join(self._header["text"].split())
            self.headers.append(self._header)
            self._header = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._header is not None:
            self._header["text"] += data


def names(page) -> list[str]:
    return [row[0] for row in Table(page.content.decode()).rows]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def console(operator, clock):
    return logged_in(operator, PUBLIC)


def record(provider, day: datetime.date, **values: int) -> None:
    for metric, value in values.items():
        Usage.objects.update_or_create(
            provider=provider, day=day, metric=metric, defaults={"value": value}
        )


def make_providers(count: int, start: int = 0) -> list[CareProvider]:
    """Provider rows without schemas (the list never opens one), each with a month of usage."""
    providers = CareProvider.objects.bulk_create(
        CareProvider(
            schema_name=f"massa_{n:04d}", name=f"Massvården {n:04d}", subdomain=f"massa{n:04d}"
        )
        for n in range(start, start + count)
    )
    Usage.objects.bulk_create(
        Usage(provider=p, day=TODAY - datetime.timedelta(days=d), metric=m, value=d + 1)
        for p in providers
        for d in range(3)
        for m in UsageMetric.values
    )
    return providers


def test_the_operator_sees_every_provider_with_its_figures(console, alfa, beta):
    record(alfa.provider, datetime.date(2026, 10, 31), visits_held=100, sms_segments=100)
    record(alfa.provider, datetime.date(2026, 11, 2), visits_held=3, video_minutes=40)
    record(
        alfa.provider, datetime.date(2026, 11, 13),
        visits_held=4, sms_segments=1234, active_clinicians=5, patients=240,
    )  # fmt: skip
    record(alfa.provider, datetime.date(2026, 11, 14), active_clinicians=4, patients=250)
    record(beta.provider, datetime.date(2026, 11, 14), active_clinicians=1, patients=1)
    page = console.get("/konsol/")
    assert page.status_code == 200
    html = page.content.decode()
    table = Table(html)
    alfa_row = table.rows[names(page).index("Vårdcentralen Alfa")]
    created = alfa.provider.created_at
    assert alfa_row[1:] == [
        "Aktiv",
        "alfa",
        re.sub(r"\s+", " ", _date(created)),
        "4",  # the latest day's count
        "250",
        "7",  # this month only: 3 + 4
        f"1{NBSP}234".replace(NBSP, " "),
        "40",
        "fre 13 nov. 2026",  # the last day something happened
    ]
    alfa_links = table.links[names(page).index("Vårdcentralen Alfa")]
    assert alfa_links == ["/konsol/vardgivare/alfa/", "http://alfa.localhost/"]
    beta_row = table.rows[names(page).index("Kliniken Beta")]
    assert beta_row[4:] == ["1", "1", "0", "0", "0", "Ingen ännu"]
    assert 'href="/konsol/ny/"' in html and "Ny vårdgivare" in html
    assert "november 2026" in html  # which month the figures are for
    # Counts only: nothing of a provider's people.
    assert "Alma" not in html and alfa.admin.personnummer not in html


def _date(value: datetime.datetime) -> str:
    from careplatform.timeutil import format_local

    return format_local(value, "date")


def test_the_template_is_not_listed(console):
    assert CareProvider.objects.filter(is_template=True).exists()
    template = CareProvider.objects.get(is_template=True)
    assert template.name not in names(console.get("/konsol/"))


def test_search_finds_name_subdomain_and_organisationsnummer(console, alfa, beta):
    CareProvider.objects.filter(pk=beta.provider.pk).update(org_number="556677-8899")
    for query, found in [
        ("alfa", ["Vårdcentralen Alfa"]),
        ("KLINIKEN", ["Kliniken Beta"]),
        ("bet", ["Kliniken Beta"]),
        ("556677-8899", ["Kliniken Beta"]),
        ("5566778899", ["Kliniken Beta"]),
        ("7788", ["Kliniken Beta"]),
        ("finns inte", []),
    ]:
        page = console.get("/konsol/", {"q": query})
        assert page.status_code == 200
        assert names(page) == found, query
    assert "Ingen vårdgivare matchar sökningen." in console.get("/konsol/?q=zzz").content.decode()


def test_filter_by_status(console, alfa, beta):
    CareProvider.objects.filter(pk=beta.provider.pk).update(status=ProviderStatus.SUSPENDED)
    page = console.get("/konsol/", {"status": "suspended"})
    assert names(page) == ["Kliniken Beta"]
    assert Table(page.content.decode()).rows[0][1] == "Avstängd"
    assert "Vårdcentralen Alfa" in names(console.get("/konsol/", {"status": "active"}))
    assert names(console.get("/konsol/", {"status": "terminated"})) == []


def test_sort_by_a_figure_and_back(console, alfa, beta):
    record(alfa.provider, TODAY, visits_held=2)
    record(beta.provider, TODAY, visits_held=9)
    first = console.get("/konsol/", {"q": "a"})  # both
    assert names(first) == ["Kliniken Beta", "Vårdcentralen Alfa"]  # by name
    headers = Table(first.content.decode()).headers
    assert headers[0]["aria-sort"] == "ascending" and headers[0]["text"].startswith("Namn")
    visits = next(h for h in headers if h["text"].startswith("Besök denna månad"))
    assert visits["aria-sort"] is None
    assert visits["href"] == "?q=a&sortera=-besok"  # largest first; the search stays
    most = console.get("/konsol/" + visits["href"])
    assert names(most) == ["Kliniken Beta", "Vårdcentralen Alfa"]
    again = next(h for h in Table(most.content.decode()).headers if h["aria-sort"])
    assert again["aria-sort"] == "descending" and again["href"] == "?q=a&sortera=besok"
    assert names(console.get("/konsol/" + again["href"])) == ["Vårdcentralen Alfa", "Kliniken Beta"]
    by_name_desc = console.get("/konsol/", {"q": "a", "sortera": "-namn"})
    assert names(by_name_desc) == ["Vårdcentralen Alfa", "Kliniken Beta"]


def test_fifty_a_page(console, alfa, beta):
    make_providers(120)
    first = console.get("/konsol/")
    assert len(names(first)) == 50
    html = first.content.decode()
    assert "122 vårdgivare" in html and "Sida 1 av 3" in html
    assert 'href="?sida=2"' in html
    last = console.get("/konsol/", {"sida": 3})
    assert len(names(last)) == 22 and "Sida 3 av 3" in last.content.decode()
    assert names(last)[-1] == "Vårdcentralen Alfa"


@pytest.mark.parametrize(
    ("params", "status", "expected"),
    [
        ({"sida": "abc"}, 200, "Sida 1 av 3"),
        ({"sida": "9999"}, 200, "Sida 3 av 3"),
        ({"sida": "-1"}, 200, "Sida 3 av 3"),
        ({"sortera": "okänd"}, 400, "Välj ett giltigt alternativ"),
        ({"status": "borta"}, 400, "Välj ett giltigt alternativ"),
        ({"q": "x" * 101}, 400, "som mest 100 tecken"),
    ],
)
def test_bad_parameters_give_a_page_not_an_error(console, alfa, beta, params, status, expected):
    make_providers(120)
    page = console.get("/konsol/", params)
    assert page.status_code == status
    html = page.content.decode()
    assert expected in html
    assert len(names(page)) in (50, 22)  # the list is still there, without the bad part


def test_the_same_queries_at_5_and_at_500_providers(console, alfa, beta):
    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert console.get("/konsol/", params).status_code == 200
        return len(captured.captured_queries)

    make_providers(3)
    few = [queries(), queries(sortera="-videominuter"), queries(q="massa", sida=1)]
    make_providers(495, start=3)
    assert CareProvider.objects.filter(is_template=False).count() == 500
    many = [queries(), queries(sortera="-videominuter"), queries(q="massa", sida=10)]
    assert few == many


def test_other_people_cannot_reach_the_console(support_user, alfa, clock):
    assert logged_in(support_user, PUBLIC).get("/konsol/").status_code == 403
    anonymous = logged_in(None, PUBLIC).get("/konsol/")
    assert anonymous.status_code == 302 and anonymous["Location"] == "/login/?next=/konsol/"


def console_paths() -> list[str]:
    """Every console route (other parts of the console add theirs), parameters filled."""
    paths = []
    for route in isolation.walk("careplatform.urls_public"):
        if route.template.startswith("konsol/"):
            values = {
                name: "1" if f"<int:{name}>" in route.template else "beta"
                for _slot, name in route.params
            }
            paths.append(route.path(values))
    return paths


def test_no_console_url_exists_on_a_providers_host(alfa, beta, clock):
    record(beta.provider, TODAY, sms_segments=987654)
    assert "/konsol/" in console_paths()
    people = [None, alfa.admin, alfa.clinician, alfa.patient]
    for person in people:
        client = logged_in(person, alfa)
        for path in console_paths():
            response = client.get(path)
            assert response.status_code == 404, (person, path)
            assert "987" not in response.content.decode()
    admin = logged_in(alfa.admin, alfa)
    for page in ("/oversikt/", "/administration/"):
        assert "987" not in admin.get(page).content.decode()
