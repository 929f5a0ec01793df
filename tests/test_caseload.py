"""Quota verdicts over constructed caseloads, through the library and ``regimes caseload``.

The quota used is dk-reform-2026's ``reform-2026.dagpenge.akasse-interviews-quota``: 75 % of the
dagpenge cases get 2 a-kasse interviews within the first 3 months. On 2026-10-01:

- a case registered 2026-07-01 (deadline 2026-09-30, closed) with 2 interviews is *met*;
- the same with 1 interview is *missed*;
- a case registered 2026-08-03 (deadline 2026-11-02, still running) without interviews is *open*.

With four cases the floor requires ⌈0.75 × 4⌉ = 3.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes
import regimes.cli.caseload_cmd  # registers the command
from regimes.case import Case
from regimes.caseload import caseload
from regimes.cli import app
from regimes.diff.population import population_backend, population_impact, write_cases_file

ON = date(2026, 10, 1)
QUOTA = "reform-2026.dagpenge.akasse-interviews-quota"


def dagpenge(name: str, registered: str, interviews: list[str]) -> Case:
    events = [{"kind": "job_interview", "on": day, "actor": "a_kasse"} for day in interviews]
    return regimes.parse_case(
        {
            "id": name,
            "birth_date": "1980-01-01",
            "municipality": "461",
            "group": "dagpenge",
            "registered_on": registered,
            "events": events,
        }
    )


def met(i: int) -> Case:
    return dagpenge(f"met-{i}", "2026-07-01", ["2026-07-08", "2026-08-20"])


def missed(i: int) -> Case:
    return dagpenge(f"missed-{i}", "2026-07-01", ["2026-07-08"])


def still_open(i: int) -> Case:
    return dagpenge(f"open-{i}", "2026-08-03", [])


CASELOADS: dict[str, list[Case]] = {
    "met": [met(1), met(2), met(3), missed(1)],
    "open": [met(1), met(2), missed(1), still_open(1)],
    "missed": [met(1), met(2), missed(1), missed(2)],
}
COUNTS = {"met": (3, 0, 1), "open": (2, 1, 1), "missed": (2, 0, 2)}


def quota_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    (row,) = [r for r in rows if r["rule"] == QUOTA]
    return row


@pytest.mark.parametrize("verdict", ["met", "open", "missed"])
def test_verdicts(verdict: str) -> None:
    report = caseload(CASELOADS[verdict], "dk-reform-2026", ON, backend=population_backend())
    (q,) = [q for q in report.quotas if q.rule == QUOTA]
    assert (q.group, q.covered, q.required) == ("dagpenge", 4, 3)
    assert (q.met, q.open, q.missed) == COUNTS[verdict]
    assert q.verdict == verdict


@pytest.mark.parametrize("verdict", ["met", "open", "missed"])
def test_population_coverage_agrees(verdict: str) -> None:
    pop = population_impact(CASELOADS[verdict], "dk-lab-2024", "dk-reform-2026", on=ON, source="test")
    row = quota_row(pop.quota_coverage)
    assert (row["met"], row["open"], row["missed"], row["required"], row["verdict"]) == (
        *COUNTS[verdict],
        3,
        verdict,
    )
    assert row["regime"] == "dk-reform-2026" and row["share"] == 0.75


def test_a_regime_without_quotas() -> None:
    assert caseload(CASELOADS["met"], "dk-lab-2024", ON, backend=population_backend()).quotas == []


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["caseload", *args], env={"COLUMNS": "250"})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {v: write_cases_file(cases, tmp_path / f"{v}.json") for v, cases in CASELOADS.items()}


@pytest.mark.parametrize("verdict", ["met", "open", "missed"])
def test_command_json(files: dict[str, Path], verdict: str) -> None:
    result = run(str(files[verdict]), "--regime", "dk-reform-2026", "--on", "2026-10-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["regime"] == "dk-reform-2026" and data["cases"] == 4 and data["on"] == "2026-10-01"
    row = quota_row(data["quotas"])
    assert (row["met"], row["open"], row["missed"], row["verdict"]) == (*COUNTS[verdict], verdict)
    assert row["met_share"] == COUNTS[verdict][0] / 4


def test_command_table(files: dict[str, Path], tmp_path: Path) -> None:
    csv_file = write_cases_file(CASELOADS["open"], tmp_path / "open.csv")
    result = run(str(csv_file), "--regime", "dk-reform-2026", "--on", "2026-10-01")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if QUOTA in line)
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert cells == [QUOTA, "dagpenge", "75%", "4", "3", "2", "1", "1", "50.0%", "open"]
    assert "Quota coverage under dk-reform-2026 on 2026-10-01 (4 cases)" in result.stdout


def test_command_without_quotas(files: dict[str, Path]) -> None:
    result = run(str(files["met"]), "--regime", "dk-lab-2024", "--on", "2026-10-01")
    assert result.exit_code == 0
    assert "no quota rule of dk-lab-2024 applies" in result.stdout


def test_command_errors(files: dict[str, Path], tmp_path: Path) -> None:
    assert run(str(files["met"]), "--regime", "dk-nowhere", "--on", "2026-10-01").exit_code == 1
    assert run(str(tmp_path / "missing.json"), "--regime", "dk-reform-2026").exit_code == 1
    assert run(str(files["met"]), "--regime", "dk-reform-2026", "--on", "2026-13-01").exit_code == 2
    assert run(str(files["met"])).exit_code == 2  # --regime is required
    assert run(str(files["met"]), "--regime", "dk-reform-2026", "--backend", "abacus").exit_code == 2
