"""The HTTP service under hostile or careless input: a documented answer for everything, limits, no 500.

Each test is one finding of issue 10 (item 5) or issue 12 (items 1, 4, 7, 8), reproduced first:
the typed OpenAPI contract, the body parser's errors, the ``Allow`` header, the catch-all, and
the resource limits (body size, cases, events, sessions, time, abandoned work).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import regimes
from regimes.service_limits import Limits, LimitsMiddleware

with warnings.catch_warnings():  # starlette warns about httpx on import; not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from regimes.service import create_app

ROOT = Path(__file__).resolve().parents[1]
CASE: dict[str, Any] = json.loads((ROOT / "examples" / "cases" / "dagpenge-2024.json").read_text("utf-8"))
JSON = {"content-type": "application/json"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def problems(response: httpx.Response) -> list[dict[str, Any]]:
    """The body of an error: always ``{"detail": [{"field", "message"}, ...]}`` as JSON."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"detail"}, body
    assert body["detail"], body
    for problem in body["detail"]:
        assert set(problem) == {"field", "message"}
    detail: list[dict[str, Any]] = body["detail"]
    return detail


def field_of(response: httpx.Response) -> str | None:
    field: str | None = problems(response)[0]["field"]
    return field


def documented(client: TestClient, method: str, path: str) -> set[str]:
    spec = client.get("/openapi.json").json()
    return set(spec["paths"][path][method]["responses"])


# --------------------------------------------------------------------------------------------
# The OpenAPI contract (issue 10, item 5; issue 12, items 4 and 8)
# --------------------------------------------------------------------------------------------

OPERATIONS = {
    ("get", "/health"): "health",
    ("get", "/regimes"): "listRegimes",
    ("get", "/regimes/{regime_id}"): "showRegime",
    ("post", "/evaluate"): "evaluate",
    ("post", "/diff"): "diff",
    ("post", "/sessions"): "createSession",
    ("get", "/sessions/{session_id}"): "showSession",
    ("delete", "/sessions/{session_id}"): "deleteSession",
    ("post", "/sessions/{session_id}/events"): "addEvents",
    ("get", "/sessions/{session_id}/evaluation"): "evaluateSession",
}


def test_operations_are_named_and_every_success_is_typed(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    found = {(m, p): op["operationId"] for p, ops in spec["paths"].items() for m, op in ops.items()}
    assert found == OPERATIONS
    for (method, path), _ in OPERATIONS.items():
        responses = spec["paths"][path][method]["responses"]
        ok = next(code for code in responses if code.startswith("2"))
        if ok == "204":
            continue
        schema = responses[ok]["content"]["application/json"]["schema"]
        assert schema not in ({}, {"type": "object"}), f"{method} {path}: untyped {ok}"
    schemas = spec["components"]["schemas"]
    assert spec["paths"]["/diff"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegimeDiff"
    }
    assert {"RegimeDetail", "SessionCreated", "SessionView", "EventsAdded", "RegimeDiff"} <= set(schemas)
    # no framework-made names for a generated client to trip over
    assert not [name for name in schemas if "Post" in name or "Response" in name]


def test_every_field_of_the_service_models_is_described(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    service_models = [
        "EvaluateRequest",
        "DiffRequest",
        "SessionRequest",
        "SessionCreated",
        "SessionView",
        "EventsAdded",
        "RegimeDetail",
        "ErrorBody",
        "Problem",
        "Health",
    ]
    for name in service_models:
        for prop, schema in schemas[name]["properties"].items():
            assert schema.get("description"), f"{name}.{prop} has no description"


def test_the_schema_says_what_validation_checks(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    ids = sorted(info.id for info in regimes.list_regimes())
    evaluate = schemas["EvaluateRequest"]
    # one of case / cases, neither may be null
    assert evaluate["oneOf"] == [{"required": ["case"]}, {"required": ["cases"]}]
    assert evaluate["properties"]["case"]["$ref"] == "#/components/schemas/Case"
    assert evaluate["properties"]["cases"]["type"] == "array"
    # regime ids: the bundled ones
    regime = evaluate["properties"]["regime"]["anyOf"][0]
    assert regime["enum"] == ids
    assert schemas["DiffRequest"]["properties"]["a"]["enum"] == ids
    assert schemas["DiffRequest"]["properties"]["synthetic"]["anyOf"][0]["maximum"] == Limits().max_population


def test_no_docs_pages_from_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404
    assert "cdn" not in client.get("/openapi.json").text.lower()


def test_explicit_null_case_is_refused_as_the_schema_says(client: TestClient) -> None:
    response = client.post("/evaluate", json={"case": None, "cases": [CASE]})
    assert response.status_code == 422
    assert field_of(response) == "case"
    response = client.post("/evaluate", json={"cases": None, "case": CASE})
    assert response.status_code == 422
    assert field_of(response) == "cases"


# --------------------------------------------------------------------------------------------
# Reading the body (issue 10, item 5; issue 12, item 8)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_json_without_a_json_content_type_says_so(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/evaluate", content=json.dumps({"case": CASE}).encode(), headers=headers)
    assert response.status_code == 415
    assert field_of(response) == "body"
    message = problems(response)[0]["message"]
    assert "Content-Type: application/json" in message
    assert (content_type or "none was given") in message
    assert "415" in documented(client, "post", "/evaluate")


def test_json_with_a_charset_or_a_json_suffix_is_json(client: TestClient) -> None:
    body = json.dumps({"case": CASE, "regime": "dk-lab-2024", "on": "2024-03-10"}).encode()
    for content_type in ("application/json; charset=utf-8", "application/problem+json", "Application/JSON"):
        response = client.post("/evaluate", content=body, headers={"content-type": content_type})
        assert response.status_code == 200, (content_type, response.text)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"case": ', "not valid JSON"),
        (b'{"case": {"id": "\xff"}}', "not UTF-8"),
        (b'{"case": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "levels deep"),
        (b'{"cases": ' + b"[" * 40 + b"]" * 40 + b"}", "levels deep"),
    ],
)
def test_malformed_bodies_are_a_documented_422(client: TestClient, body: bytes, says: str) -> None:
    for path in ("/evaluate", "/diff", "/sessions"):
        response = client.post(path, content=body, headers=JSON)
        assert response.status_code == 422, response.text
        assert says in problems(response)[0]["message"]
        assert "422" in documented(client, "post", path)


def test_a_lone_surrogate_is_422_naming_where(client: TestClient) -> None:
    case = json.dumps(CASE).replace('"c-0001"', '"\\ud800"')
    response = client.post("/evaluate", content=f'{{"case": {case}}}'.encode(), headers=JSON)
    assert response.status_code == 422
    assert field_of(response) == "case.id"
    response = client.post("/diff", content=b'{"a": "\\udfff", "b": "dk-lab-2024"}', headers=JSON)
    assert response.status_code == 422
    assert field_of(response) == "a"


# --------------------------------------------------------------------------------------------
# Methods, unknown paths, the catch-all (issue 12, items 1 and 4)
# --------------------------------------------------------------------------------------------


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.post("/sessions/abc")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "DELETE"}
    assert problems(response)[0]["field"] is None
    response = client.put("/evaluate")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_an_unknown_path_is_404_in_the_one_shape(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert "no such path" in problems(response)[0]["message"]


def test_an_unexpected_error_is_500_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals /srv/app.py line 3")

    monkeypatch.setattr(sys.modules["regimes.evaluate"], "evaluate_many", broken)
    response = client.post("/evaluate", json={"case": CASE, "regime": "dk-lab-2024", "on": "2024-03-10"})
    assert response.status_code == 500
    message = problems(response)[0]["message"]
    assert message.startswith("internal error (reference ")
    assert "secret" not in response.text and "Traceback" not in response.text


_HARDENED = hasattr(regimes.case, "DATE_MAX")  # the case model's date range (issue 12, item 1)


@pytest.mark.skipif(not _HARDENED, reason="needs the case model's date range (regimes.case.DATE_MAX)")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"case": CASE, "on": "9999-12-31", "regime": "dk-frikommune-ii-nordjylland"}, "on"),
        (
            {"case": {**CASE, "registered_on": "9999-12-01", "period_start": "9999-12-01"}},
            "case.registered_on",
        ),
        ({"case": CASE, "on": "1900-01-01", "regime": "dk-lab-2024"}, None),
    ],
)
def test_extreme_dates_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str | None
) -> None:
    response = client.post("/evaluate", json=body)
    assert response.status_code == 422, response.text
    named = field_of(response)
    assert named is not None
    if field is not None:
        assert named == field


def test_diff_far_in_the_future_does_not_blame_a_birth_date(client: TestClient) -> None:
    response = client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026", "on": "9999-12-31"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert field_of(response) == "on"
        assert "birth_date" not in (field_of(response) or "")


# --------------------------------------------------------------------------------------------
# Population diff over HTTP (issue 10, item 5)
# --------------------------------------------------------------------------------------------


def test_population_diff_over_http(client: TestClient) -> None:
    body = {"a": "dk-lab-2024", "b": "dk-reform-2026", "on": "2026-08-10", "synthetic": 40, "seed": 3}
    response = client.post("/diff", json=body)
    assert response.status_code == 200, response.text
    population = response.json()["population"]
    assert population["cases"] == 40
    assert population["source"] == "synthetic n=40 seed=3"
    response = client.post("/diff", json={**body, "synthetic": None, "cases": [CASE]})
    assert response.status_code == 200, response.text
    assert response.json()["population"]["cases"] == 1


def test_population_diff_is_bounded() -> None:
    with TestClient(create_app(limits=Limits(max_population=10, max_cases=2))) as small:
        body = {"a": "dk-lab-2024", "b": "dk-reform-2026", "on": "2026-08-10", "synthetic": 11}
        response = small.post("/diff", json=body)
        assert response.status_code == 422
        assert field_of(response) == "synthetic"
        assert "--max-population" in problems(response)[0]["message"]
        response = small.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026", "cases": [CASE] * 3})
        assert response.status_code == 422
        assert field_of(response) == "cases"
        both = {"a": "dk-lab-2024", "b": "dk-reform-2026", "cases": [CASE], "synthetic": 1}
        assert field_of(small.post("/diff", json=both)) == "synthetic"


# --------------------------------------------------------------------------------------------
# Resource limits (issue 12, item 7)
# --------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_naming_it() -> None:
    with TestClient(create_app(limits=Limits(max_body_bytes=1000))) as small:
        big = json.dumps({"cases": [CASE] * 20}).encode()
        response = small.post("/evaluate", content=big, headers=JSON)
        assert response.status_code == 413
        assert field_of(response) == "body"
        assert "1000 bytes" in problems(response)[0]["message"]

        def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(20):
                yield big[:100]

        response = small.post("/evaluate", content=streamed(), headers=JSON)
        assert response.status_code == 413
        assert "--max-body-bytes" in problems(response)[0]["message"]
        ok = json.dumps({"case": CASE, "regime": "dk-lab-2024", "on": "2024-03-10"}).encode()
        assert small.post("/evaluate", content=ok, headers=JSON).status_code == 200


def test_cases_and_events_per_request_are_bounded() -> None:
    with TestClient(create_app(limits=Limits(max_cases=3, max_events=2))) as small:
        response = small.post("/evaluate", json={"cases": [CASE] * 4, "regime": "dk-lab-2024"})
        assert response.status_code == 422
        assert field_of(response) == "cases"
        assert "limit of 3" in problems(response)[0]["message"]
        events = [{"kind": "job_interview", "on": "2024-03-14", "actor": "a_kasse"}] * 3
        response = small.post("/evaluate", json={"cases": [CASE, {**CASE, "events": events}]})
        assert response.status_code == 422
        assert field_of(response) == "cases.1.events"
        response = small.post("/sessions", json={"case": {**CASE, "events": events}})
        assert field_of(response) == "case.events"


def test_a_session_is_bounded_in_events() -> None:
    with TestClient(create_app(limits=Limits(max_events=3))) as small:
        sid = small.post("/sessions", json={"case": CASE, "regime": "dk-lab-2024"}).json()["session"]
        event = {"kind": "job_interview", "on": "2024-03-14", "actor": "a_kasse"}
        assert small.post(f"/sessions/{sid}/events", json=[event, event]).status_code == 200
        response = small.post(f"/sessions/{sid}/events", json=[event, event])
        assert response.status_code == 422
        assert field_of(response) == "events"
        assert "limit of 3" in problems(response)[0]["message"]
        assert small.post(f"/sessions/{sid}/events", json=event).status_code == 200
        assert field_of(small.post(f"/sessions/{sid}/events", json=event)) == "event"
        assert small.get(f"/sessions/{sid}").json()["case"]["events"] == [event] * 3


def test_a_request_over_the_time_limit_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(a: str, b: str, **kwargs: Any) -> Any:
        time.sleep(1.0)
        raise AssertionError("never answered")

    fake = types.ModuleType("regimes.diff")
    fake.diff = slow  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "regimes.diff", fake)
    with TestClient(create_app(limits=Limits(request_seconds=0.2))) as quick:
        started = time.monotonic()
        response = quick.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026"})
        assert time.monotonic() - started < 0.9
    assert response.status_code == 503
    assert "--request-seconds" in problems(response)[0]["message"]


# The middleware on its own, with a scripted client: a slow body, a client that leaves.


def _run_middleware(
    limits: Limits, messages: list[tuple[float, dict[str, Any]]], app_seconds: float
) -> tuple[list[dict[str, Any]], dict[str, bool]]:
    """Drive :class:`LimitsMiddleware` with ``messages`` (delay, message) and an app that works
    ``app_seconds``; return what was sent and whether the app finished or was cancelled."""
    sent: list[dict[str, Any]] = []
    state = {"finished": False, "cancelled": False}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        try:
            await asyncio.sleep(app_seconds)
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise
        state["finished"] = True
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    async def main() -> None:
        queue = list(messages)

        async def receive() -> dict[str, Any]:
            if not queue:
                await asyncio.sleep(3600)
            delay, message = queue.pop(0)
            await asyncio.sleep(delay)
            return message

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
        await LimitsMiddleware(app, limits)(scope, receive, send)

    asyncio.run(main())
    return sent, state


def test_a_slow_body_is_408() -> None:
    limits = Limits(body_seconds=0.2)
    messages = [(0.0, {"type": "http.request", "body": b"{", "more_body": True}), (1.0, {"type": "x"})]
    sent, state = _run_middleware(limits, messages, 0.0)
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert b"--body-seconds" in sent[1]["body"]
    assert not state["finished"]


def test_work_is_cancelled_when_the_client_leaves() -> None:
    messages = [
        (0.0, {"type": "http.request", "body": b"{}", "more_body": False}),
        (0.1, {"type": "http.disconnect"}),
    ]
    started = time.monotonic()
    sent, state = _run_middleware(Limits(), messages, 5.0)
    assert time.monotonic() - started < 2.0
    assert state == {"finished": False, "cancelled": True}
    assert sent == []


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="'max_cases' must be a positive integer"):
        Limits(max_cases=0)
    with pytest.raises(ValueError, match="'request_seconds' must be a positive number"):
        Limits(request_seconds=0)


def test_today_is_the_default_date_on_the_hot_path(client: TestClient) -> None:
    response = client.post("/evaluate", json={"case": CASE, "regime": "dk-lab-2024"})
    assert response.status_code == 200
    assert response.json()["on"] == dt.date.today().isoformat()
