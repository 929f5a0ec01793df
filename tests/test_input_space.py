"""The whole accepted input space, through every door: no traceback, no 5xx (issue 12, "Done when").

Every case the model accepts (:func:`strategies.any_case_dicts`: any group, dates anywhere from
1900-01-01 to 2199-12-31 with the range ends drawn often, any text as ids and notes, every event
kind) on every evaluation date from the birth day to 2199-12-31, under every bundled regime or
the resolved one, goes through

- the Python API (:func:`regimes.evaluate`, and a :class:`regimes.Session` fed the events),
- the CLI (``regimes evaluate - --format json`` in typer's ``CliRunner``, in-process),
- HTTP (``POST /evaluate`` and ``/sessions`` in FastAPI's ``TestClient`` on the service's app),

and must come back as an evaluation (valid JSON, UTF-8) or as one of the package's named errors
(a :class:`~regimes.errors.RegimesError`; CLI exit 1 or 2 with a message; HTTP 4xx with
``detail``). Dates just outside the range and evaluation dates before the birth date must be
named errors on every door.

How many examples: the hypothesis profile decides (``HYPOTHESIS_PROFILE``): ``ci`` runs a few
dozen per door (the file takes well under a minute), ``long`` :data:`LONG_EXAMPLES` per test,
over 10^5 in all (run once; the figures are in CHANGELOG and the report of issue 12).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import regimes
from regimes.case import DATE_MIN, parse_case
from regimes.cli import app as cli_app
from regimes.errors import CaseError, RegimesError
from regimes.library import list_regimes
from regimes.service import create_app
from strategies import any_case_dicts, any_event_dicts, evaluation_days, out_of_range_days

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
LONG_EXAMPLES = {"api": 30_000, "cli": 15_000, "http": 15_000, "refused": 10_000, "session": 5_000}
"""Examples per test in the ``long`` profile: 30k + 15k + 15k + 3 × 10k + 2 × 5k = 100,000 in all."""


def _examples(door: str) -> settings:
    count = {"ci": 25, "dev": 60}.get(PROFILE, LONG_EXAMPLES[door] if PROFILE == "long" else 60)
    if door in ("refused", "session") and PROFILE != "long":
        count = max(10, count // 2)
    return settings(
        max_examples=count,
        deadline=None,
        database=None if PROFILE == "long" else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


REGIME_IDS: list[str | None] = [None, *sorted(info.id for info in list_regimes())]
_regimes = st.sampled_from(REGIME_IDS)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[dict[str, Any], str | None, dt.date]:
    data = draw(any_case_dicts())
    return data, draw(_regimes), draw(evaluation_days(data))


def _check_evaluation_json(text: str, case_id: str, on: dt.date) -> None:
    text.encode("utf-8")  # strict: a lone surrogate would raise
    body = json.loads(text)
    assert body["case"] == case_id
    assert body["on"] == on.isoformat()


# --- Python API -------------------------------------------------------------------------------


@_examples("api")
@given(_requests())
def test_api_evaluates_or_names_the_error(request: tuple[dict[str, Any], str | None, dt.date]) -> None:
    data, regime, on = request
    case = parse_case(data)  # the strategy builds only accepted cases: this must not raise
    try:
        evaluation = regimes.evaluate(case, regime, on)
    except RegimesError as exc:
        str(exc).encode("utf-8")
        return  # e.g. ResolutionError: no regime in force there and then
    _check_evaluation_json(evaluation.model_dump_json(), case.id, on)


@_examples("session")
@given(any_case_dicts(max_events=0), st.lists(any_event_dicts(), max_size=4), _regimes, st.data())
def test_session_adds_and_evaluates_or_names_the_error(
    data: dict[str, Any], events: list[dict[str, Any]], regime: str | None, more: st.DataObject
) -> None:
    session = regimes.Session(parse_case(data), regime)
    for event in events[:1]:
        session.add(event)
    session.add_many(events[1:])
    on = more.draw(evaluation_days(data))
    try:
        evaluation = session.evaluate(on)
    except RegimesError:
        return
    _check_evaluation_json(evaluation.model_dump_json(), data["id"], on)


@_examples("refused")
@given(any_case_dicts(max_events=2), st.data())
def test_dates_outside_or_before_birth_are_named_errors(data: dict[str, Any], more: st.DataObject) -> None:
    case = parse_case(data)
    birth = case.birth_date
    before_birth = st.dates(DATE_MIN, birth - dt.timedelta(days=1)) if birth > DATE_MIN else st.nothing()
    on = more.draw(out_of_range_days() | before_birth)
    with pytest.raises(CaseError) as info:
        regimes.evaluate(case, more.draw(_regimes), on)
    assert info.value.field == "on"
    field = more.draw(st.sampled_from(["birth_date", "registered_on", "event"]))
    bad = more.draw(out_of_range_days()).isoformat()
    event = {"kind": "job_interview", "on": bad}
    changed = {**data, "events": [event]} if field == "event" else {**data, field: bad}
    with pytest.raises(CaseError, match="from 1900-01-01 to 2199-12-31") as refused:
        parse_case(changed)
    assert refused.value.field in (field, "events.0.on")


# --- the command line ---------------------------------------------------------------------------

_runner = CliRunner()


@_examples("cli")
@given(_requests())
def test_cli_evaluates_or_names_the_error(request: tuple[dict[str, Any], str | None, dt.date]) -> None:
    data, regime, on = request
    args = ["evaluate", "-", "--on", on.isoformat(), "--format", "json"]
    if regime is not None:
        args += ["--regime", regime]
    result = _runner.invoke(cli_app, args, input=json.dumps(data))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 0:
        _check_evaluation_json(result.stdout, data["id"], on)
    else:
        assert "error:" in result.output


@_examples("refused")
@given(out_of_range_days())
def test_cli_refuses_dates_outside_the_range(on: dt.date) -> None:
    result = _runner.invoke(cli_app, ["resolve", "851", on.isoformat()])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@_examples("http")
@given(request=_requests(), before_birth=st.booleans())
def test_http_evaluates_or_names_the_error(
    client: TestClient, request: tuple[dict[str, Any], str | None, dt.date], before_birth: bool
) -> None:
    data, regime, on = request
    if before_birth and on > DATE_MIN and dt.date.fromisoformat(data["birth_date"]) > DATE_MIN:
        on = dt.date.fromisoformat(data["birth_date"]) - dt.timedelta(days=1)
    else:
        before_birth = False
    body: dict[str, Any] = {"case": data, "on": on.isoformat()}
    if regime is not None:
        body["regime"] = regime
    response = client.post("/evaluate", json=body)
    assert response.status_code < 500, response.text
    if before_birth:
        assert response.status_code == 422, response.text
    if response.status_code == 200:
        _check_evaluation_json(response.text, data["id"], on)
    else:
        assert response.status_code in (404, 413, 422), response.text
        assert "detail" in response.json()


@_examples("session")
@given(any_case_dicts(), _regimes, st.data())
def test_http_session_evaluates_or_names_the_error(
    client: TestClient, data: dict[str, Any], regime: str | None, more: st.DataObject
) -> None:
    created = client.post("/sessions", json={"case": data, **({"regime": regime} if regime else {})})
    assert created.status_code in (201, 413, 422), created.text
    if created.status_code != 201:
        return
    session = created.json()["session"]
    try:
        on = more.draw(evaluation_days(data))
        response = client.get(f"/sessions/{session}/evaluation", params={"on": on.isoformat()})
        assert response.status_code < 500, response.text
        if response.status_code == 200:
            _check_evaluation_json(response.text, data["id"], on)
    finally:
        client.delete(f"/sessions/{session}")


@_examples("refused")
@given(out_of_range_days(), any_case_dicts(max_events=1))
def test_http_refuses_dates_outside_the_range(client: TestClient, on: dt.date, data: dict[str, Any]) -> None:
    response = client.post("/evaluate", json={"case": data, "on": on.isoformat()})
    assert response.status_code == 422, response.text
    response = client.post("/evaluate", json={"case": {**data, "birth_date": on.isoformat()}})
    assert response.status_code == 422, response.text
