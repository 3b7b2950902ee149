"""The machinery of the isolation matrix (tests/test_isolation_matrix.py): every route of the
URL confs, the OpenAPI schema and the WebSocket routing, its path parameters filled with another
side's real ids, sent by someone who must not see that side's data.

A path parameter is filled by its *slot*: the route text before it and its name (the
"bokningar/<int:pk>/" of "bokningar/<int:pk>/avboka/" fills `pk` from the slot
("bokningar/", "pk")). FILL says which kind of thing each slot names; a target gives real values
for every kind. A new route under a known slot is covered as it is; a route with a new slot makes
every matrix test fail and name it, until its kind is added to FILL.
"""

import itertools
import json
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import phonenumbers
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from careplatform.routing import websocket_urlpatterns
from careplatform.validators import format_personnummer
from tests.login_support import unique_ip


class WebSocketRoutes:
    """Channels' routing as a URL conf: its routes are Django URL patterns."""

    urlpatterns = websocket_urlpatterns


# slot (route text before the parameter, parameter name) -> the kind of thing it names.
FILL: dict[tuple[str, str], str] = {
    ("bokningar/", "pk"): "booking",
    ("bokningar/<int:pk>/sms/", "sms_pk"): "sms",
    ("besok/", "pk"): "booking",
    ("b/", "reference"): "booking_reference",
    ("api/v1/bookings/", "pk"): "booking",
    ("ws/visits/", "booking_id"): "booking",
    ("administration/vardpersonal/", "pk"): "staff",
    ("api/v1/staff/", "pk"): "staff",
    ("administration/patienter/", "pk"): "patient",
    ("administration/granskningslogg/patient/", "pk"): "patient",
    ("api/v1/patients/", "pk"): "patient",
    ("min-profil/bokningsbara-besok/", "pk"): "visit_type",
    ("api/v1/visit-types/", "pk"): "visit_type",
    ("profilbild/", "user_id"): "clinician",
    ("api-nycklar/", "pk"): "api_token",
    ("notiser/", "pk"): "notice",
    ("kalender/", "token"): "calendar_token",
    ("sms/leveransrapport/", "schema_name"): "schema",
    ("sms/leveransrapport/<str:schema_name>/", "token"): "sms_webhook_token",
    ("bankid-simulator/^rp/", "rest"): "text",
    ("konsol/vardgivare/<str:subdomain>/domaner/", "pk"): "domain",
    ("konsol/ny/", "job"): "provisioning_job",
    ("konsol/vardgivare/", "subdomain"): "subdomain",
    ("konsol/signera/", "token"): "signing_token",
}

# Query parameters of the OpenAPI schema -> the kind of thing they name (None: not an
# identifier; left out).
QUERY_FILL: dict[str, str | None] = {
    "search": "search",
    "clinician": "staff",
    "status": None,
    "from": None,
    "to": None,
    "page": None,
    "page_size": None,
}
# Page views read these (the admin tool's search and the bookings filter).
PAGE_QUERY = {"q": "search", "clinician": "staff"}

# Routes that show personal data to whoever asks, by design, and why. Their answers are still
# checked for server errors and writes.
SHOWN_BY_DESIGN = {
    "bankid-simulator/app/": (
        "the BankID simulator's phone lists pending orders with the personnummer they are for, as "
        "the app it stands in for does; it is served only with BANKID_SIMULATOR (or DEBUG), never "
        "in production"
    ),
}

SAFE = ("get",)
UNSAFE = ("post", "put", "patch", "delete")
API_PREFIX = "api/"


class Unfillable(AssertionError):
    """A route the matrix cannot fill: the test fails and names it."""


# -- routes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    urlconf: str | type  # a module path, or a class with `urlpatterns`
    parts: tuple  # the patterns from the URL conf's root to this route
    template: str

    @property
    def params(self) -> list[tuple[str, str]]:
        """(slot prefix, name) of every parameter, in order."""
        found, prefix = [], ""
        for part in self.parts:
            text = str(part.pattern)
            for match in _param_re(part).finditer(text):
                found.append((prefix + text[: match.start()], match.group("name")))
            prefix += text
        return found

    def path(self, values: dict[str, str]) -> str:
        text = ""
        for part in self.parts:
            pattern = str(part.pattern)
            filled = _param_re(part).sub(lambda m: values[m.group("name")], pattern)
            if isinstance(part.pattern, RegexPattern):
                filled = filled.removeprefix("^").removesuffix("$")
            text += filled
        return "/" + text


def _param_re(part) -> re.Pattern:
    if isinstance(part.pattern, RoutePattern):
        return re.compile(r"<(?:[^>:]+:)?(?P<name>\w+)>")
    return re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def walk(urlconf: str | type) -> list[Route]:
    """Every route of the URL conf, down through its includes."""

    def visit(patterns, parts):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from visit(pattern.url_patterns, (*parts, pattern))
            elif isinstance(pattern, URLPattern):
                chain = (*parts, pattern)
                yield Route(urlconf, chain, "".join(str(p.pattern) for p in chain))

    return list(visit(get_resolver(urlconf).url_patterns, ()))


def http_routes(host: str) -> list[Route]:
    """Every route the host's URL conf has: the public host's or a provider's."""
    public = host.split(":")[0] == settings.BASE_DOMAIN
    return walk(settings.PUBLIC_SCHEMA_URLCONF if public else settings.ROOT_URLCONF)


def websocket_routes() -> list[Route]:
    return walk(WebSocketRoutes)


def schema_path(route: Route) -> str:
    """The route as the OpenAPI schema writes it: /api/v1/bookings/{id}/."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + route.template)
    return path.replace("{pk}", "{id}")


class Schema:
    """The OpenAPI document of a provider host, as the matrix reads it."""

    def __init__(self, document: dict):
        self.paths: dict[str, dict] = document["paths"]

    def _operations(self, route: Route) -> dict[str, dict]:
        item = self.paths.get(schema_path(route), {})
        return {method: op for method, op in item.items() if method in (*SAFE, *UNSAFE)}

    def methods(self, route: Route) -> set[str]:
        return set(self._operations(route))

    def query(self, route: Route) -> set[str]:
        get = self._operations(route).get("get", {})
        return {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}

    def operations(self) -> set[tuple[str, str]]:
        return {
            (path, method)
            for path, item in self.paths.items()
            for method in item
            if method in (*SAFE, *UNSAFE)
        }

    def problems(self) -> list[str]:
        """Operations no provider route serves; query parameters QUERY_FILL does not know."""
        served = {schema_path(route) for route in walk(settings.ROOT_URLCONF)}
        problems = [f"schema path {path} has no route" for path in self.paths if path not in served]
        for path, item in self.paths.items():
            for method, operation in item.items():
                for parameter in operation.get("parameters", []) if method != "parameters" else []:
                    if parameter["in"] == "query" and parameter["name"] not in QUERY_FILL:
                        problems.append(
                            f"{method.upper()} {path}: query parameter {parameter['name']!r} is "
                            "not in QUERY_FILL (tests/isolation.py): say what it names"
                        )
        return problems


# -- targets -----------------------------------------------------------------------------------


@dataclass
class Target:
    """What an attacker aims at: real values for every kind of parameter, the strings that must
    never come back to them, and a snapshot of the rows they must not change."""

    values: dict[str, list[str]]
    markers: dict[str, str]  # secret text -> whose and what, for the failure message
    snapshot: Callable[[], object] = lambda: None
    binary_markers: dict[bytes, str] = field(default_factory=dict)


def filled_paths(route: Route, target: Target) -> list[str]:
    """The route's paths with the target's values; raises Unfillable naming the route."""
    kinds = []
    for slot in route.params:
        kind = FILL.get(slot)
        if kind is None:
            raise Unfillable(
                f"route {route.template!r}: no entry for slot {slot!r} in FILL "
                "(tests/isolation.py): say which kind of thing it names"
            )
        if not target.values.get(kind):
            raise Unfillable(f"route {route.template!r}: the target has no values for {kind!r}")
        kinds.append((slot[1], target.values[kind]))
    paths = []
    for combination in itertools.product(*(values for _name, values in kinds)):
        values = {name: str(value) for (name, _v), value in zip(kinds, combination, strict=True)}
        path = route.path(values)
        _check_resolves(route, path, values)
        paths.append(path)
    return paths


def _check_resolves(route: Route, path: str, values: dict[str, str]) -> None:
    try:
        match = get_resolver(route.urlconf).resolve(path)
    except Resolver404:
        raise Unfillable(f"route {route.template!r}: {path} does not resolve") from None
    got = {name: str(match.kwargs.get(name)) for name in values}
    if match.route != route.template and got != values:
        raise Unfillable(f"route {route.template!r}: {path} resolves to {match.route!r}")


# -- markers -----------------------------------------------------------------------------------


def personnummer_markers(personnummer: str, whose: str) -> dict[str, str]:
    formatted = format_personnummer(personnummer)
    return {
        text: f"{whose}'s personnummer"
        for text in {
            personnummer,
            formatted,
            personnummer[2:],
            formatted[2:],
            personnummer[2:8] + "-" + personnummer[8:],
        }
    }


def mobile_markers(mobile: str, whose: str) -> dict[str, str]:
    number = phonenumbers.parse(mobile, "SE")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    texts = {
        mobile,
        national,
        re.sub(r"\D", "", national),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }
    return {text: f"{whose}'s mobile" for text in texts}


def person_markers(user) -> dict[str, str]:
    """Everything that identifies a person: names, personnummer and mobile in every spelling."""
    whose = user.full_name
    return {
        user.first_name: f"{whose}'s first name",
        user.last_name: f"{whose}'s last name",
        **personnummer_markers(user.personnummer, user.full_name),
        **mobile_markers(user.mobile, user.full_name),
    }


def contact_markers(user) -> dict[str, str]:
    """What a colleague or patient may know of a person (the name) left out."""
    return {
        **personnummer_markers(user.personnummer, user.full_name),
        **mobile_markers(user.mobile, user.full_name),
    }


# -- rows --------------------------------------------------------------------------------------


def _column(model, name: str) -> str:
    meta = model._meta
    return connection.ops.quote_name((meta.pk if name == "pk" else meta.get_field(name)).column)


def digest(parts) -> str:
    """A digest of rows, in one statement: parts are (schema, model, fields, filter field, the
    values it must have — None for every row)."""
    quote = connection.ops.quote_name
    selects, params = [], []
    for schema, model, fields, where, values in parts:
        meta = model._meta
        columns = ", ".join(_column(model, name) for name in fields)
        condition = ""
        if where is not None:
            condition = f" WHERE {_column(model, where)} = ANY(%s)"
            params.append(list(values))
        selects.append(
            f"(SELECT md5(coalesce(string_agg(ROW({columns})::text, ';' "
            f"ORDER BY ROW({columns})::text), '')) FROM {quote(schema)}.{quote(meta.db_table)}"
            f"{condition})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " || ".join(selects), params)
        return cursor.fetchone()[0]


# -- requests ----------------------------------------------------------------------------------


@dataclass
class Attacker:
    name: str
    host: str
    client: Client
    cookies: SimpleCookie = field(init=False)

    def __post_init__(self):
        self.keep_cookies()

    def keep_cookies(self) -> None:
        """Every request sends the cookies the client has now: a logout or a new session in one
        answer does not carry over to the next request."""
        self.cookies = _copy(self.client.cookies)


def attacker(name: str, host: str, *, cookies: SimpleCookie | None = None, token: str = ""):
    """A client on `host` sending these cookies (another host's session, say) or this API key."""
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    # A client IP of its own: the login rate limit never mixes with other tests'.
    client = Client(
        HTTP_HOST=host, REMOTE_ADDR=unique_ip(), raise_request_exception=False, **headers
    )
    if cookies is not None:
        client.cookies = _copy(cookies)
    return Attacker(name, host, client)


def _copy(cookies: SimpleCookie) -> SimpleCookie:
    copy = SimpleCookie()
    for key, morsel in cookies.items():
        copy[key] = morsel.value
    return copy


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.method, self.path, tuple(sorted(self.query.items())))


def requests_for(route: Route, path: str, target: Target, schema: Schema) -> list[Request]:
    """GET and POST everywhere, and what the schema lists; on an API route naming a thing, every
    unsafe method. Lists are asked again with query parameters naming the target's things (the
    schema's for the API, the search and filters of the pages)."""
    methods = {"get", "post"} | schema.methods(route)
    if route.template.startswith(API_PREFIX) and route.params:
        methods |= set(UNSAFE)
    found = [Request(method, path) for method in (*SAFE, *UNSAFE) if method in methods]
    if not route.params:
        if route.template.startswith(API_PREFIX):
            wanted = {name: QUERY_FILL.get(name) for name in schema.query(route)}
        else:
            wanted = PAGE_QUERY
        query = {
            name: str(target.values[kind][0])
            for name, kind in wanted.items()
            if kind is not None and target.values.get(kind)
        }
        if query:
            found.append(Request("get", path, query))
    return found


def send(who: Attacker, request: Request, body: dict, target: Target) -> "Outcome":
    """One request in a savepoint that is rolled back: whatever it changed is gone for the next,
    and the target's rows are looked at before that."""
    client = who.client
    client.cookies = _copy(who.cookies)
    path = request.path + ("?" + urlencode(request.query) if request.query else "")
    with transaction.atomic():
        if request.method == "get":
            response = client.get(path)
        elif request.path.startswith("/" + API_PREFIX):
            response = getattr(client, request.method)(
                path, json.dumps(body), content_type="application/json"
            )
        elif request.method == "post":
            response = client.post(path, body)
        else:
            response = getattr(client, request.method)(path)
        after = target.snapshot() if request.method != "get" else None
        transaction.set_rollback(True)
    return Outcome(who, request, response, after)


@dataclass
class Outcome:
    who: Attacker
    request: Request
    response: object
    snapshot_after: object

    def label(self) -> str:
        query = "?" + urlencode(self.request.query) if self.request.query else ""
        return (
            f"[{self.who.name}] {self.request.method.upper()} {self.who.host}"
            f"{self.request.path}{query} -> {self.response.status_code}"
        )


def shown_by_design(route: Route) -> bool:
    return any(route.template.startswith(prefix) for prefix in SHOWN_BY_DESIGN)


def findings(outcome: Outcome, target: Target, before: object, *, shown_ok=False) -> list[str]:
    """What is wrong with one answer: a server error, the target's data in it (unless the route
    shows it by design), or the target's rows changed."""
    response = outcome.response
    problems = []
    if response.status_code >= 500:
        problems.append(f"{outcome.label()}: server error")
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = _readable(body) + response.get("Location", "")
    shown = sorted({label for marker, label in target.markers.items() if marker in text})
    shown += sorted({label for marker, label in target.binary_markers.items() if marker in body})
    if shown and not shown_ok:
        problems.append(f"{outcome.label()}: shows {', '.join(shown)}")
    if outcome.snapshot_after is not None and outcome.snapshot_after != before:
        problems.append(f"{outcome.label()}: changed the other side's rows")
    return problems


def _json_or_none(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def _readable(body: bytes) -> str:
    """The body as text, and JSON once more with its \\u escapes undone."""
    text = body.decode("utf-8", errors="replace")
    found = _json_or_none(body)
    return text if found is None else text + json.dumps(found, ensure_ascii=False)


# -- WebSockets --------------------------------------------------------------------------------


@dataclass
class Socket:
    """What one WebSocket attempt got: refused at the handshake (an HTTP status), or the
    messages until the server closed it or went quiet."""

    label: str
    status: int | None
    messages: list[str]

    @property
    def types(self) -> list[str]:
        found = [_json_or_none(message.encode()) for message in self.messages]
        return [message.get("type", "") for message in found if isinstance(message, dict)]

    def shown(self, target: Target) -> list[str]:
        text = "\n".join(_readable(message.encode()) for message in self.messages)
        return sorted({label for marker, label in target.markers.items() if marker in text})


def ws_attempt(
    port: int, host: str, path: str, *, session: str = "", origin: str = "", quiet: float = 0.25
) -> Socket:
    """Connect to 127.0.0.1:port as a page on `origin` (default: the host itself) would, with
    this session cookie; the peer id is a fresh one."""
    headers = {"Origin": origin or f"http://{host}"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    label = f"WS {host}{path} (origin {headers['Origin']})"
    sock = socket.create_connection(("127.0.0.1", port))
    url = f"ws://{host}{path}?peer={secrets.token_urlsafe(12)}"
    try:
        ws = connect(url, sock=sock, additional_headers=headers, open_timeout=10)
    except InvalidStatus as refusal:
        body = refusal.response.body.decode(errors="replace")
        return Socket(label, refusal.response.status_code, [body])
    messages = []
    with ws:
        while True:
            try:
                message = ws.recv(timeout=quiet)
            except (TimeoutError, ConnectionClosed):
                break
            messages.append(message if isinstance(message, str) else message.decode())
    return Socket(label, None, messages)
