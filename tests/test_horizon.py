"""The known-law horizon (corrections C10) in every output: Python, CLI (table, JSON), HTTP, HTML.

C10: the bundled law is the law as known on 2026-12-02; a new main act was planned for
2027-01-01 and not tabled. An evaluation, a resolution or a diff on a later date must say so,
never silently extend today's law; on a date inside the horizon nothing is said.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes
import regimes.cli.extra
from regimes.cli import app
from regimes.library import list_regimes, load_regime
from regimes.ruleset.model import RegimeHeader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from regimes.service import create_app

runner = CliRunner()
LATER = dt.date(2027, 3, 1)
INSIDE = dt.date(2026, 12, 31)
CASE: dict[str, Any] = {
    "id": "c-2027",
    "birth_date": "1985-06-01",
    "municipality": "101",
    "group": "dagpenge",
    "registered_on": "2026-11-02",
}


def _beyond(warnings_: list[str]) -> bool:
    return any("beyond the known law" in w and "2027-01-01" in w for w in warnings_)


def test_every_bundled_regime_says_up_to_when_it_is_known() -> None:
    for info in list_regimes():
        regime = load_regime(info.id)
        assert regime.known_until == dt.date(2026, 12, 31), regime.id
        assert regime.known_until_reason and "2026-12-02" in regime.known_until_reason


def test_a_horizon_needs_its_reason() -> None:
    with pytest.raises(ValueError, match="known_until_reason"):
        RegimeHeader.model_validate(
            {"id": "x-1", "title": "t", "legal_basis": "b", "status": "proposed", "known_until": "2027-01-01"}
        )


def test_python_evaluation_and_resolution_warn_after_the_horizon() -> None:
    case = regimes.parse_case(CASE)
    assert _beyond(regimes.evaluate(case, None, LATER).warnings)
    assert _beyond(regimes.evaluate(case, "dk-lab-2024", LATER).warnings)
    assert regimes.evaluate(case, None, INSIDE).warnings == []
    assert _beyond(regimes.resolve("101", LATER).warnings)
    assert regimes.resolve("101", INSIDE).warnings == []
    assert _beyond(regimes.diff("dk-lab-2024", "dk-reform-2026", on=LATER, behavioural=False).warnings)
    inside = regimes.diff("dk-lab-2024", "dk-reform-2026", on=INSIDE, behavioural=False)
    assert inside.warnings == []


def test_json_leaves_warnings_out_when_there_are_none() -> None:
    case = regimes.parse_case(CASE)
    assert "warnings" not in json.loads(regimes.evaluate(case, None, INSIDE).model_dump_json())
    assert _beyond(json.loads(regimes.evaluate(case, None, LATER).model_dump_json())["warnings"])


def test_cli_shows_the_warning(tmp_path: Any) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    table = runner.invoke(app, ["evaluate", str(path), "--on", "2027-03-01"], catch_exceptions=False)
    assert table.exit_code == 0
    assert "warning" in table.output and "beyond the known law" in " ".join(table.output.split())
    quiet = runner.invoke(app, ["evaluate", str(path), "--on", "2026-12-31"], catch_exceptions=False)
    assert "beyond the known law" not in quiet.output
    as_json = runner.invoke(app, ["evaluate", str(path), "--on", "2027-03-01", "--format", "json"])
    assert _beyond(json.loads(as_json.output)["warnings"])
    resolved = runner.invoke(app, ["resolve", "101", "2027-03-01", "--format", "json"])
    assert _beyond(json.loads(resolved.output)["warnings"])
    resolved_table = runner.invoke(app, ["resolve", "101", "2027-03-01"])
    assert "beyond the known law" in " ".join(resolved_table.output.split())
    diff = runner.invoke(
        app, ["diff", "dk-lab-2024", "dk-reform-2026", "--on", "2027-03-01", "--format", "json"]
    )
    assert diff.exit_code == 0, diff.output
    assert _beyond(json.loads(diff.output)["warnings"])
    from regimes.diff.report import markdown

    md = markdown(regimes.diff("dk-lab-2024", "dk-reform-2026", on=LATER, behavioural=False))
    assert "**Warning:** beyond the known law" in md


def test_html_report_carries_a_warning_line() -> None:
    from regimes.diff.html import render_html

    later = render_html(regimes.diff("dk-lab-2024", "dk-reform-2026", on=LATER, behavioural=False))
    assert '<p class="warning"><strong>Warning:</strong> beyond the known law' in later
    inside = render_html(regimes.diff("dk-lab-2024", "dk-reform-2026", on=INSIDE, behavioural=False))
    assert 'class="warning"' not in inside


def test_http_carries_the_warning() -> None:
    with TestClient(create_app()) as client:
        later = client.post("/evaluate", json={"case": CASE, "on": "2027-03-01"})
        assert later.status_code == 200, later.text
        assert _beyond(later.json()["warnings"])
        inside = client.post("/evaluate", json={"case": CASE, "on": "2026-12-31"})
        assert "warnings" not in inside.json()
        diff = client.post("/diff", json={"a": "dk-lab-2024", "b": "dk-reform-2026", "on": "2027-03-01"})
        assert diff.status_code == 200, diff.text
        assert _beyond(diff.json()["warnings"])


def test_a_regime_that_does_not_say_inherits_its_base_horizon(tmp_path: Any) -> None:
    source = (
        "regime:\n  id: x-plain\n  title: plain\n  legal_basis: none\n"
        "  status: proposed\n  extends: dk-lab-2024\n"
    )
    path = tmp_path / "x-plain.yaml"
    path.write_text(source, encoding="utf-8")
    regime = load_regime(str(path))
    assert regime.known_until == dt.date(2026, 12, 31)
    assert regime.known_until_reason == load_regime("dk-lab-2024").known_until_reason
