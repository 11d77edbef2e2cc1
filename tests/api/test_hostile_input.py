"""The hostile-input corpus against every API endpoint: never a 5xx, every rejection a problem.

The endpoints, their path objects, a permitted caller and a valid body come from the
authorization matrix (``test_authorization.ROUTES``, itself checked against the URL
configuration); the fields come from that body and from the request schema in the
committed OpenAPI document. A new endpoint is therefore covered as soon as it is in the
matrix, which a test already demands.

Each hostile value replaces one field of an otherwise valid body (one level deep into
nested objects and lists), so validation of every other field passes and the hostile
value reaches the field's own parsing, lookups and the service behind it.
"""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from .test_authorization import (  # noqa: F401 — the matrix's fixtures
    ROLES,
    ROUTES,
    VERBS,
    _path,
    agenda_item_a,
    closed_case_a,
    closed_checkin_a,
    coordination_task_a,
    due_checkin_a,
    incoming_transfer_a,
    meeting_a,
    meeting_action_a,
    meeting_objects_a,
    planned_case_a,
)
from .test_openapi import COMMITTED

pytestmark = pytest.mark.django_db

#: JSON texts (already encoded), so that lone surrogates and out-of-range numbers can be sent.
HOSTILE_VALUES: dict[str, str] = {
    "lone surrogate": '"\\ud800"',
    "lone low surrogate": '"x\\udfff"',
    "NUL byte": '"a\\u0000b"',
    "NUL only": '"\\u0000"',
    "date at the start of time": '"0001-01-01"',
    "datetime at the start of time": '"0001-01-01T00:00:00+14:00"',
    "datetime at the end of time": '"9999-12-31T23:59:59-14:00"',
    "date at the end of time": '"9999-12-31"',
    "date far away": '"99999-01-01"',
    "SQL injection": '"\' OR 1=1; DROP TABLE signals_signal; --"',
    "script": '"<script>alert(1)</script>"',
    "template": '"{{ settings.SECRET_KEY }}{% debug %}"',
    "log4j": '"${jndi:ldap://example.invalid/a}"',
    "path traversal": '"../../../../etc/passwd"',
    "overlong": json.dumps("x" * 100_000),
    "control characters": '"\\u0001\\u001b[31m\\u007f"',
    "bidi override": '"\\u202egnp.exe"',
    "zero width": '"\\u200b\\ufeff"',
    "astral": '"\\ud835\\udd4f"',
    "combining": '"e\\u0301\\u0301\\u0301"',
    "noncharacter": '"\\uffff"',
    "empty string": '""',
    "blank": '"   "',
    "null": "null",
    "true": "true",
    "zero": "0",
    "negative": "-1",
    "huge integer": "1" + "0" * 40,
    "huge float": "1e999",
    "fraction": "0.5",
    "list": "[]",
    "nested list": '[[["a"]]]',
    "object": "{}",
    "nested object": '{"a": {"b": {"c": null}}}',
    "nil uuid": '"00000000-0000-0000-0000-000000000000"',
    "uuid with NUL": '"00000000-0000-0000-0000-00000000000\\u0000"',
    "not a uuid": '"not-a-uuid"',
}

#: Whole bodies that are hostile by shape rather than by one value.
HOSTILE_BODIES: dict[str, tuple[bytes, str]] = {
    "deeply nested array": (b"[" * 1000 + b"]" * 1000, "application/json"),
    "deeply nested object": (b'{"a":' * 1000 + b"1" + b"}" * 1000, "application/json"),
    "malformed": (b'{"a": ', "application/json"),
    "not JSON": (b"<xml/>", "application/json"),
    "top-level list": (b"[]", "application/json"),
    "top-level string": (b'"x"', "application/json"),
    "top-level null": (b"null", "application/json"),
    "empty": (b"", "application/json"),
    "invalid UTF-8": (b'{"a": "\xff\xfe"}', "application/json"),
    "UTF-16 declared": ('{"a": "b"}'.encode("utf-16"), "application/json; charset=utf-16"),
    "latin-1 declared": ('{"a": "é"}'.encode("latin-1"), "application/json; charset=latin-1"),
    "unknown charset": (b'{"a": "b"}', "application/json; charset=x-nonsense"),
    "form encoded": (b"a=b&c=%00", "application/x-www-form-urlencoded"),
    "multipart": (
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
        "multipart/form-data; boundary=x",
    ),
    "XML": (b"<?xml version='1.0'?><a/>", "application/xml"),
    "no content type": (b'{"a": "b"}', ""),
    "oversized": (b'{"a": "' + b"x" * (11 * 1024 * 1024) + b'"}', "application/json"),
}

HOSTILE_QUERIES = [
    "page=0",
    "page=-1",
    "page=99999999999999999999999",
    "page=%00",
    "page=%ED%A0%80",
    "pageSize=0",
    "pageSize=100000",
    "pageSize=%FF",
    "status=%00",
    "status=%3Cscript%3E",
    "status=" + "x" * 5000,
    "ordering=;drop",
    "a[b][c]=1&a[b][c]=2",
]

#: Path parameters that are not a uuid: the URL converter does not match; the catch-all answers.
HOSTILE_PATH_IDS = ["%00", "%ED%A0%80", "..%2F..%2Fetc", "1%20OR%201%3D1", "x" * 2000]


def _document() -> dict:
    return yaml.safe_load(COMMITTED.read_text())


def _request_properties(document: dict, route: str, verb: str) -> set[str]:
    """The top-level properties of the JSON request body in the committed OpenAPI document."""
    path = "/" + route.removeprefix("api/v1").strip("/").replace("<uuid:id>", "{id}")
    path = "/" if path == "/" else path
    operation = document["paths"].get(path, {}).get(verb, {})
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return set(schema.get("properties", {}))


def _permitted_role(spec, verb: str) -> str:
    """A role the matrix grants ``verb`` (2xx, or 428: granted, but the matrix sends no If-Match,
    ADR 0052), so hostile values reach validation and the service."""
    for role in ROLES:
        if 200 <= spec.expect[verb](role) < 300 or spec.expect[verb](role) == 428:
            return role
    raise AssertionError(f"no role may {verb}")


def _slots(body):
    """Every place a hostile value can go: top-level keys and one level into objects and lists."""
    for key, value in body.items():
        yield (key,)
        if isinstance(value, dict):
            for inner in value:
                yield (key, inner)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in value[0]:
                yield (key, 0, inner)


def _encode(body, slot, raw: str) -> bytes:
    """``body`` as JSON with ``raw`` (a JSON text) at ``slot``."""
    marker = "\u2063hostile\u2063"
    body = copy.deepcopy(body)
    target = body
    for step in slot[:-1]:
        target = target[step]
    target[slot[-1]] = marker
    return json.dumps(body).replace(json.dumps(marker), raw).encode()


class Outcomes:
    """Counts what the corpus sent and collects anything that is not a clean 4xx or success."""

    def __init__(self):
        self.sent = 0
        self.failures: list[str] = []

    def check(self, response, what: str):
        self.sent += 1
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{what} → {status}")
        elif status >= 400:
            content_type = response.get("Content-Type", "")
            if content_type != "application/problem+json":
                self.failures.append(f"{what} → {status} {content_type}")
                return
            body = json.loads(response.content)
            if not body.get("detail") or body.get("status") != status:
                self.failures.append(f"{what} → {status} without a clear message")
            for param in body.get("invalidParams", []):
                if "\ud800" in param.get("reason", "") or "\x00" in param.get("reason", ""):
                    self.failures.append(f"{what} → echoes raw input")


def _client(api, user):
    client = api(user)
    client.raise_request_exception = False
    return client


def _write_routes():
    return [
        (route, verb)
        for route, spec in sorted(ROUTES.items())
        for verb in ("post", "put", "patch")
        if verb in spec.expect and not spec.public
    ]


def _valid_body(spec, verb, request) -> dict:
    return spec.body[verb](request) if verb in spec.body else {}


@pytest.mark.parametrize(("route", "verb"), _write_routes(), ids=[f"{r}:{v}" for r, v in _write_routes()])
def test_hostile_values_in_every_field(route, verb, world, request, api, record_property):
    spec = ROUTES[route]
    client = _client(api, world["a"].users[_permitted_role(spec, verb)])
    path = _path(route, request)
    valid = _valid_body(spec, verb, request)
    slots = set(_slots(valid)) | {(name,) for name in _request_properties(_document(), route, verb)}
    outcomes = Outcomes()
    for slot in sorted(slots, key=str):
        for name, raw in HOSTILE_VALUES.items():
            body = valid if slot[0] in valid else {**valid, slot[0]: None}
            response = getattr(client, verb)(path, data=_encode(body, slot, raw), content_type="application/json")
            outcomes.check(response, f"{verb.upper()} {route} {'.'.join(map(str, slot))}={name}")
    record_property("hostile_requests", outcomes.sent)
    assert outcomes.failures == [], "\n".join(outcomes.failures)


@pytest.mark.parametrize(("route", "verb"), _write_routes(), ids=[f"{r}:{v}" for r, v in _write_routes()])
def test_hostile_bodies(route, verb, world, request, api, record_property):
    spec = ROUTES[route]
    client = _client(api, world["a"].users[_permitted_role(spec, verb)])
    path = _path(route, request)
    outcomes = Outcomes()
    for name, (body, content_type) in HOSTILE_BODIES.items():
        response = client.generic(verb.upper(), path, data=body, content_type=content_type)
        outcomes.check(response, f"{verb.upper()} {route} body={name}")
        if verb not in spec.body:
            continue  # an action without a body does not read one
        if name in {"form encoded", "multipart", "XML", "no content type"}:
            assert response.status_code == 415, (name, response.status_code, response.content)
        elif name == "oversized":
            assert response.status_code == 413, (name, response.status_code)
        elif name != "unknown charset" and response.status_code < 300:
            outcomes.failures.append(f"{route} body={name} accepted")
    record_property("hostile_requests", outcomes.sent)
    assert outcomes.failures == [], "\n".join(outcomes.failures)


def test_hostile_queries_and_path_ids(world, request, api, record_property):
    """Every route's GET with hostile query strings; every object route with a hostile id."""
    outcomes = Outcomes()
    user = world["a"].users["process_director"]
    client = _client(api, user)
    for route, spec in sorted(ROUTES.items()):
        if "get" not in spec.expect:
            continue
        path = _path(route, request)
        for query in HOSTILE_QUERIES:
            outcomes.check(client.get(f"{path}?{query}"), f"GET {route}?{query[:40]}")
        if spec.target:
            for hostile in HOSTILE_PATH_IDS:
                hostile_path = "/" + route.replace("<uuid:id>", hostile)
                for verb in VERBS:
                    outcomes.check(getattr(client, verb)(hostile_path), f"{verb.upper()} {hostile_path[:60]}")
    record_property("hostile_requests", outcomes.sent)
    assert outcomes.failures == [], "\n".join(outcomes.failures)


@pytest.mark.parametrize(
    "header",
    [
        "Token \x00",
        "Token " + "a" * 10_000,
        "Token \ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
        "Bearer x",
        "Token",
    ],
)
def test_hostile_credentials(header, api):
    client = api()
    client.raise_request_exception = False
    response = client.get("/api/v1/signals", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_bad_host_header_is_a_problem(api, world):
    client = _client(api, world["a"].users["intake"])
    response = client.get("/api/v1/signals", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
