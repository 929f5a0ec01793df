"""The HTTP service: each endpoint answers the CLI's JSON, names the field of bad input, keeps only sessions.

The last test starts ``regimes serve`` for real, so the command, uvicorn and the app are shown
to fit together, not only the app under a test client.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

import regimes
from regimes.explorer import regime_summary
from regimes.library import list_regimes, load_regime

with warnings.catch_warnings():  # starlette warns about httpx on import; not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from regimes.service import create_app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cases" / "dagpenge-2024.json"
FIRST = "lab-2024.dagpenge.first-interview-akasse"
INTERVIEW: dict[str, Any] = {"kind": "job_interview", "on": "2024-03-14", "actor": "a_kasse"}


def _nr(data: Any) -> Any:
    """``data`` without receipts: they name the back end and the input, which differ by design."""
    if isinstance(data, dict):
        return {k: _nr(v) for k, v in data.items() if k != "receipt"}
    if isinstance(data, list):
        return [_nr(v) for v in data]
    return data


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def case_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def cli_json(evaluation: regimes.Evaluation) -> Any:
    """What ``regimes evaluate --format json`` prints for an evaluation."""
    return evaluation.model_dump(mode="json")


def problems(response: httpx.Response) -> list[dict[str, Any]]:
    body = response.json()
    assert set(body) == {"detail"}
    for problem in body["detail"]:
        assert set(problem) == {"field", "message"}
    detail: list[dict[str, Any]] = body["detail"]
    return detail


def fields(response: httpx.Response) -> list[str | None]:
    return [p["field"] for p in problems(response)]


# --------------------------------------------------------------------------------------------
# Regimes
# --------------------------------------------------------------------------------------------


def test_list_regimes(client: TestClient) -> None:
    response = client.get("/regimes")
    assert response.status_code == 200
    assert response.json() == [info.model_dump(mode="json") for info in list_regimes()]


def test_show_regime(client: TestClient) -> None:
    response = client.get("/regimes/dk-lab-2024")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(regime_summary(load_regime("dk-lab-2024"))))


def test_unknown_regime_is_404(client: TestClient) -> None:
    response = client.get("/regimes/dk-no-such-regime")
    assert response.status_code == 404
    assert fields(response) == ["regime_id"]
    assert "unknown regime" in problems(response)[0]["message"]


# --------------------------------------------------------------------------------------------
# Evaluate
# --------------------------------------------------------------------------------------------


def test_contract_example_is_the_cli_json(client: TestClient, case_data: dict[str, Any]) -> None:
    on = dt.date(2024, 3, 10)
    response = client.post(
        "/evaluate", json={"case": case_data, "regime": "dk-lab-2024", "on": on.isoformat()}
    )
    assert response.status_code == 200
    expected = cli_json(regimes.evaluate(regimes.parse_case(case_data), "dk-lab-2024", on))
    assert _nr(response.json()) == _nr(expected)
    first = next(o for o in response.json()["obligations"] if o["rule"] == FIRST)
    assert (first["deadline"], first["status"], first["citation"]) == (
        "2024-03-18",
        "due",
        "LAB § 31, stk. 4",
    )


def test_contract_example_matches_the_cli_itself(client: TestClient, case_data: dict[str, Any]) -> None:
    """The real ``regimes evaluate --format json`` (needs the CLI's default back end, durable)."""
    pytest.importorskip("engine.backends.durable", reason="the durable back end is not written yet")
    from typer.testing import CliRunner

    from regimes.cli import app

    result = CliRunner().invoke(
        app, ["evaluate", str(EXAMPLE), "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    response = client.post("/evaluate", json={"case": case_data, "regime": "dk-lab-2024", "on": "2024-03-10"})
    assert _nr(response.json()) == _nr(json.loads(result.stdout))


def test_cases_give_a_list(client: TestClient, case_data: dict[str, Any]) -> None:
    other = {
        **case_data,
        "id": "c-0002",
        "municipality": "851",
        "registered_on": "2021-05-03",
        "period_start": "2021-05-03",
    }
    on = dt.date(2021, 5, 10)
    response = client.post("/evaluate", json={"cases": [case_data, other], "on": on.isoformat()})
    assert response.status_code == 200
    cases = [regimes.parse_case(case_data), regimes.parse_case(other)]
    assert _nr(response.json()) == _nr([cli_json(ev) for ev in regimes.evaluate_many(cases, None, on)])
    assert client.post("/evaluate", json={"cases": []}).json() == []


def test_options_pass_through(client: TestClient, case_data: dict[str, Any]) -> None:
    on = dt.date(2024, 3, 10)
    body = {"case": case_data, "on": on.isoformat(), "explain": True, "include_unverified": True}
    response = client.post("/evaluate", json=body)
    expected = regimes.evaluate(
        regimes.parse_case(case_data), None, on, explain=True, include_unverified=True
    )
    assert _nr(response.json()) == _nr(cli_json(expected))
    assert "not_applied" in response.json()


def test_on_defaults_to_today(client: TestClient, case_data: dict[str, Any]) -> None:
    response = client.post("/evaluate", json={"case": case_data, "regime": "dk-lab-2024"})
    assert response.status_code == 200
    assert response.json()["on"] == dt.date.today().isoformat()


def test_bad_birth_date_names_the_field(client: TestClient, case_data: dict[str, Any]) -> None:
    response = client.post("/evaluate", json={"case": {**case_data, "birth_date": "1985-13-01"}})
    assert response.status_code == 422
    [problem] = problems(response)
    assert problem["field"] == "case.birth_date"
    assert problem["message"].startswith("'case.birth_date' must be a date YYYY-MM-DD")


def test_unknown_fields_are_named(client: TestClient, case_data: dict[str, Any]) -> None:
    response = client.post("/evaluate", json={"case": {**case_data, "birthday": "1985-06-01"}})
    assert response.status_code == 422
    assert fields(response) == ["case.birthday"]
    response = client.post("/evaluate", json={"case": case_data, "regmie": "dk-lab-2024"})
    assert response.status_code == 422
    assert fields(response) == ["regmie"]


def test_a_bad_case_in_a_list_is_named_by_index(client: TestClient, case_data: dict[str, Any]) -> None:
    bad = {**case_data, "events": [{"kind": "offer", "type": "virksomhedspraktik", "start": "2024-08-26"}]}
    response = client.post("/evaluate", json={"cases": [case_data, bad]})
    assert response.status_code == 422
    assert fields(response) == ["cases.1.events.0.end"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"regime": "dk-lab-2024"}, "case"),
        ({"regime": "dk-lab-2024", "case": "EXAMPLE", "cases": []}, "cases"),
        ({"case": "EXAMPLE", "on": "10-03-2024"}, "on"),
        ({"case": "EXAMPLE", "on": 20240310}, "on"),
        ({"case": "EXAMPLE", "explain": "yes"}, "explain"),
        ({"case": "EXAMPLE", "regime": "dk-no-such-regime"}, "regime"),
        ({"case": "EXAMPLE", "regime": "rulesets/dk-lab-2024.yaml"}, "regime"),
        ({"case": "EXAMPLE", "on": "2010-01-01"}, "case.municipality"),
        ({"cases": ["EXAMPLE"], "on": "2010-01-01"}, "cases.0.municipality"),
        ({"case": 42}, "case"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, case_data: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    def fill(value: Any) -> Any:
        if value == "EXAMPLE":
            return case_data
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    response = client.post("/evaluate", json={k: fill(v) for k, v in body.items()})
    assert response.status_code == 422, response.text
    assert field in fields(response)


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post("/evaluate", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert fields(response) == ["body"]
    response = client.post("/evaluate", json=[1, 2])
    assert response.status_code == 422
    assert fields(response) == ["body"]


# --------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------


class _FakeDiff(BaseModel):
    a: str
    b: str
    on: dt.date | None
    population: None = None


def test_diff_calls_regimes_diff(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = []

    def diff(a: str, b: str, **kwargs: Any) -> _FakeDiff:
        calls.append((a, b, kwargs))
        return _FakeDiff(a=a, b=b, on=kwargs.get("on"))

    fake = types.ModuleType("regimes.diff")
    fake.diff = diff  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "regimes.diff", fake)
    response = client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026", "on": "2026-08-10"})
    assert response.status_code == 200
    assert response.json() == {
        "a": "dk-lab-2024",
        "b": "dk-reform-2026",
        "on": "2026-08-10",
        "population": None,
    }
    assert calls == [("dk-lab-2024", "dk-reform-2026", {"on": dt.date(2026, 8, 10)})]
    client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026"})
    assert calls[-1] == ("dk-lab-2024", "dk-reform-2026", {})


def test_diff_unavailable_is_501(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "regimes.diff", types.ModuleType("regimes.diff"))
    response = client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026"})
    assert response.status_code == 501
    assert fields(response) == [None]


def test_diff_names_an_unknown_regime(client: TestClient) -> None:
    response = client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-nope"})
    assert response.status_code == 422
    assert fields(response) == ["b"]
    response = client.post("/diff", json={"a": "dk-lab-2024"})
    assert response.status_code == 422
    assert fields(response) == ["b"]


# --------------------------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------------------------


def test_openapi(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    for path in (
        "/regimes",
        "/regimes/{regime_id}",
        "/evaluate",
        "/diff",
        "/sessions",
        "/sessions/{session_id}/events",
        "/sessions/{session_id}/evaluation",
    ):
        assert path in spec["paths"]
    assert {"Case", "Evaluation", "ErrorBody"} <= set(spec["components"]["schemas"])
    evaluate_422 = spec["paths"]["/evaluate"]["post"]["responses"]["422"]
    assert evaluate_422["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def new_session(client: TestClient, case_data: dict[str, Any], regime: str | None = "dk-lab-2024") -> str:
    body: dict[str, Any] = {"case": case_data}
    if regime is not None:
        body["regime"] = regime
    response = client.post("/sessions", json=body)
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"session"}
    session_id: str = response.json()["session"]
    return session_id


def evaluation(client: TestClient, session_id: str, on: str = "2024-03-15") -> dict[str, Any]:
    response = client.get(f"/sessions/{session_id}/evaluation", params={"on": on})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def first_status(body: dict[str, Any]) -> str:
    status: str = next(o for o in body["obligations"] if o["rule"] == FIRST)["status"]
    return status


def test_session_evaluates_incrementally(client: TestClient, case_data: dict[str, Any]) -> None:
    sid = new_session(client, case_data)
    assert first_status(evaluation(client, sid)) == "due"
    response = client.post(f"/sessions/{sid}/events", json=INTERVIEW)
    assert response.status_code == 200
    assert response.json() == {"session": sid, "added": 1, "events": 1}
    after = evaluation(client, sid)
    assert first_status(after) == "met"
    expected = regimes.evaluate(
        regimes.parse_case({**case_data, "events": [INTERVIEW]}), "dk-lab-2024", dt.date(2024, 3, 15)
    )
    assert _nr(after) == _nr(cli_json(expected))
    more = [{"kind": "job_interview", "on": d, "actor": "a_kasse"} for d in ("2024-04-10", "2024-05-20")]
    response = client.post(f"/sessions/{sid}/events", json=more)
    assert response.json() == {"session": sid, "added": 2, "events": 3}
    state = client.get(f"/sessions/{sid}").json()
    assert state["regime"] == "dk-lab-2024"
    assert state["history"] == [INTERVIEW, *more]
    assert state["case"]["events"] == [INTERVIEW, *more]


def test_a_bad_event_is_422_and_changes_nothing(client: TestClient, case_data: dict[str, Any]) -> None:
    sid = new_session(client, case_data)
    client.post(f"/sessions/{sid}/events", json=INTERVIEW)
    before = client.get(f"/sessions/{sid}").json()
    evaluated = evaluation(client, sid)

    response = client.post(f"/sessions/{sid}/events", json={"kind": "job_interview", "on": "2024-02-30"})
    assert response.status_code == 422
    [problem] = problems(response)
    assert problem["field"] == "event.on"
    assert problem["message"].startswith("'event.on' must be a date")

    batch = [{"kind": "job_interview", "on": "2024-04-10"}, {"kind": "interview", "on": "2024-04-11"}]
    response = client.post(f"/sessions/{sid}/events", json=batch)
    assert response.status_code == 422
    assert fields(response) == ["events.1.kind"]

    response = client.post(f"/sessions/{sid}/events", json="job_interview")
    assert response.status_code == 422
    assert fields(response) == ["body"]

    assert client.get(f"/sessions/{sid}").json() == before
    assert evaluation(client, sid) == evaluated


def test_session_creation_checks_its_input(client: TestClient, case_data: dict[str, Any]) -> None:
    response = client.post("/sessions", json={"case": {**case_data, "group": "dagpengee"}})
    assert response.status_code == 422
    assert fields(response) == ["case.group"]
    response = client.post("/sessions", json={"case": case_data, "regime": "dk-nope"})
    assert response.status_code == 422
    assert fields(response) == ["regime"]


def test_resolved_session(client: TestClient, case_data: dict[str, Any]) -> None:
    sid = new_session(client, case_data, regime=None)
    assert evaluation(client, sid, "2024-03-10")["regime"] == "dk-lab-2024"
    response = client.get(f"/sessions/{sid}/evaluation", params={"on": "2010-01-01"})
    assert response.status_code == 422
    assert fields(response) == ["case.municipality"]
    response = client.get(f"/sessions/{sid}/evaluation", params={"on": "2024-3-10"})
    assert response.status_code == 422
    assert fields(response) == ["on"]


def test_unknown_and_deleted_sessions_are_404(client: TestClient, case_data: dict[str, Any]) -> None:
    sid = new_session(client, case_data)
    assert client.delete(f"/sessions/{sid}").status_code == 204
    for response in (
        client.get(f"/sessions/{sid}/evaluation"),
        client.post(f"/sessions/{sid}/events", json=INTERVIEW),
        client.get(f"/sessions/{sid}"),
        client.delete(f"/sessions/{sid}"),
    ):
        assert response.status_code == 404
        assert fields(response) == ["session_id"]


def test_sessions_are_bounded_and_per_app(case_data: dict[str, Any]) -> None:
    with TestClient(create_app(max_sessions=2)) as small, TestClient(create_app()) as other:
        first, second, third = (new_session(small, case_data) for _ in range(3))
        assert small.get(f"/sessions/{first}").status_code == 404  # evicted, least recently used
        assert small.get(f"/sessions/{second}").status_code == 200
        assert small.get(f"/sessions/{third}").status_code == 200
        assert other.get(f"/sessions/{third}").status_code == 404  # nothing shared between apps


# --------------------------------------------------------------------------------------------
# `regimes serve`, for real
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_regimes_serve_answers_http() -> None:
    port = free_port()
    command = [sys.executable, "-c", "from regimes.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 10
        response: httpx.Response | None = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/regimes", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, f"server did not answer (exit {server.poll()})"
        assert response.status_code == 200
        assert "dk-lab-2024" in {item["id"] for item in response.json()}
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn ignored SIGTERM
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()
