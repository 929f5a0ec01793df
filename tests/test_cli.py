"""The ``regimes`` command (contract.md, "Command line"): formats, inputs and exit statuses.

Most tests drive the Typer app in-process with ``CliRunner`` (fast); a few run the installed
``regimes`` script in a subprocess, so the entry point, the registration of the extra commands
and "no traceback reaches the user" are tested as a user meets them.
Exit status: 0 done; 1 the input or a ruleset is invalid; 2 wrong usage.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes.cli.extra  # noqa: F401  (registers diff, caseload, serve, as main() does)
from regimes.cli import app

ROOT = Path(__file__).parents[1]
CASE_FILE = ROOT / "examples" / "cases" / "dagpenge-2024.json"
SCRIPT = Path(sys.executable).parent / "regimes"
FIRST = "lab-2024.dagpenge.first-interview-akasse"

runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed script, as a user runs it."""
    return subprocess.run(
        [str(SCRIPT), *args], input=input, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )


def _case(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CASE_FILE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _assert_contract_evaluation(ev: dict[str, Any]) -> None:
    """The contract's example evaluation (Ex 3)."""
    assert {"case", "regime", "on", "obligations", "rights"} <= set(ev)
    assert (ev["case"], ev["regime"], ev["on"]) == ("c-0001", "dk-lab-2024", "2024-03-10")
    first = next(o for o in ev["obligations"] if o["rule"] == FIRST)
    assert first["deadline"] == "2024-03-18"
    assert first["status"] == "due"
    assert first["citation"] == "LAB § 31, stk. 4"
    assert "group == dagpenge" in first["trace"]
    assert "not jobcenter_course_from_day_one" in first["trace"]


EVAL_ARGS = ("evaluate", str(CASE_FILE), "--regime", "dk-lab-2024", "--on", "2024-03-10")


# --------------------------------------------------------------------------------------------
# list, show
# --------------------------------------------------------------------------------------------


def test_list_table() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    for ident in ("dk-lab-2020", "dk-lab-2024", "dk-reform-2026", "dk-frikommune-ii-nordjylland"):
        assert ident in result.stdout
    assert "never_in_force" in result.stdout


def test_list_json() -> None:
    result = invoke("list", "--format", "json")
    assert result.exit_code == 0
    infos = json.loads(result.stdout)
    by_id = {i["id"]: i for i in infos}
    assert by_id["dk-velfaerdsaftale-2023"]["status"] == "never_in_force"
    assert by_id["dk-lab-2024"]["valid_from"] == "2024-01-01"
    assert by_id["dk-frikommune-ii-nordjylland"]["extends"] == "dk-lab-2020"
    assert "860" in by_id["dk-frikommune-ii-nordjylland"]["scope"]


def test_show_table() -> None:
    result = invoke("show", "dk-lab-2024")
    assert result.exit_code == 0
    assert "sdl.cat23.first-followup" in result.stdout  # long ids wrap in the narrow column
    assert "LAB § 31, stk. 4" in result.stdout
    assert "confidence" in result.stdout


def test_show_json() -> None:
    result = invoke("show", "dk-lab-2024", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["id"] == "dk-lab-2024"
    rule = next(r for r in summary["rules"] if r["id"] == FIRST)
    assert rule["citation"] == "LAB § 31, stk. 4"
    assert rule["confidence"] == "seen"


def test_show_markdown_has_citations_and_confidence() -> None:
    result = invoke("show", "dk-lab-2024", "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.startswith("# dk-lab-2024")
    assert "LAB § 31, stk. 4" in result.stdout
    assert "LAB § 102, stk. 1" in result.stdout
    assert "confidence" in result.stdout


def test_show_unknown_regime_exits_1() -> None:
    result = invoke("show", "dk-nope")
    assert result.exit_code == 1
    assert "dk-nope" in result.stderr


# --------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------


def test_evaluate_json_prints_the_contract_object() -> None:
    result = invoke(*EVAL_ARGS, "--format", "json")
    assert result.exit_code == 0, result.output
    ev = json.loads(result.stdout)
    assert isinstance(ev, dict)
    _assert_contract_evaluation(ev)


def test_evaluate_jsonl_prints_one_object_per_line() -> None:
    result = invoke(*EVAL_ARGS, "--format", "jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    _assert_contract_evaluation(json.loads(lines[0]))


def test_evaluate_table() -> None:
    result = invoke(*EVAL_ARGS)
    assert result.exit_code == 0
    assert FIRST in result.stdout
    assert "2024-03-18" in result.stdout


def test_evaluate_a_list_prints_a_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "two.json", [_case(), _case(id="c-0002", registered_on="2024-02-01")])
    result = invoke(
        "evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    evs = json.loads(result.stdout)
    assert isinstance(evs, list)
    assert [e["case"] for e in evs] == ["c-0001", "c-0002"]
    _assert_contract_evaluation(evs[0])


def test_evaluate_a_list_of_one_prints_a_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "one.json", [_case()])
    result = invoke(
        "evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json"
    )
    assert result.exit_code == 0
    evs = json.loads(result.stdout)
    assert isinstance(evs, list)
    assert len(evs) == 1


def test_evaluate_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in (_case(), _case(id="c-0002"))) + "\n", encoding="utf-8")
    result = invoke(
        "evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "jsonl"
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["case"] for line in result.stdout.splitlines()] == ["c-0001", "c-0002"]


def test_evaluate_stdin_list() -> None:
    text = json.dumps([_case(), _case(id="c-0002")])
    result = invoke(
        "evaluate", "-", "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json", input=text
    )
    assert result.exit_code == 0, result.output
    evs = json.loads(result.stdout)
    assert [e["case"] for e in evs] == ["c-0001", "c-0002"]
    _assert_contract_evaluation(evs[0])


def test_evaluate_stdin_single_case() -> None:
    result = invoke(
        "evaluate", "-", "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json",
        input=CASE_FILE.read_text(encoding="utf-8"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    first = out[0] if isinstance(out, list) else out
    _assert_contract_evaluation(first)


def test_evaluate_stdin_single_case_prints_an_object_like_a_file() -> None:
    result = invoke(
        "evaluate", "-", "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "json",
        input=CASE_FILE.read_text(encoding="utf-8"),
    )  # fmt: skip
    assert isinstance(json.loads(result.stdout), dict)


def test_evaluate_jsonl_on_stdin() -> None:
    text = "\n".join(json.dumps(c) for c in (_case(), _case(id="c-0002"))) + "\n"
    result = invoke(
        "evaluate", "-", "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "jsonl", input=text
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["case"] for line in result.stdout.splitlines()] == ["c-0001", "c-0002"]


def test_two_regimes_give_a_side_by_side_table() -> None:
    result = invoke(
        "evaluate",
        str(CASE_FILE),
        "--regime",
        "dk-lab-2024",
        "--regime",
        "dk-reform-2026",
        "--on",
        "2024-03-10",
    )
    assert result.exit_code == 0, result.output
    header = next(
        line for line in result.stdout.splitlines() if "dk-lab-2024" in line and "dk-reform-2026" in line
    )
    assert header.index("dk-lab-2024") < header.index("dk-reform-2026")
    assert "side by side" in result.stdout
    assert FIRST in result.stdout


def test_two_regimes_in_json_give_both_evaluations() -> None:
    result = invoke(*EVAL_ARGS, "--regime", "dk-lab-2020", "--format", "json")
    assert result.exit_code == 0
    assert [e["regime"] for e in json.loads(result.stdout)] == ["dk-lab-2024", "dk-lab-2020"]


def test_without_regime_the_case_is_resolved() -> None:
    result = invoke("evaluate", str(CASE_FILE), "--on", "2021-05-01", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["regime"] == "dk-lab-2020"


def test_impossible_birth_date_exits_1_naming_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.json", _case(birth_date="2024-13-45"))
    result = invoke("evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10")
    assert result.exit_code == 1
    assert "birth_date" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_invalid_json_exits_1_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "c-1",\n  "birth_date": \n}\n', encoding="utf-8")
    result = invoke("evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10")
    assert result.exit_code == 1
    assert f"{path}:4" in result.stderr


def test_unknown_field_exits_1_naming_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "extra.json", _case(registred_on="2024-03-04"))
    result = invoke("evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10")
    assert result.exit_code == 1
    assert "registred_on" in result.stderr


def test_missing_file_exits_1(tmp_path: Path) -> None:
    result = invoke("evaluate", str(tmp_path / "nope.json"), "--regime", "dk-lab-2024", "--on", "2024-03-10")
    assert result.exit_code == 1
    assert "nope.json" in result.stderr


@pytest.mark.parametrize("bad", ["2024-99-10", "10-03-2024", "tomorrow"])
def test_bad_on_date_is_a_usage_error(bad: str) -> None:
    result = invoke("evaluate", str(CASE_FILE), "--regime", "dk-lab-2024", "--on", bad)
    assert result.exit_code == 2
    assert "--on" in result.output


def test_bad_format_is_a_usage_error() -> None:
    result = invoke(*EVAL_ARGS, "--format", "xml")
    assert result.exit_code == 2


def test_unknown_regime_exits_1_with_a_clear_message() -> None:
    result = invoke("evaluate", str(CASE_FILE), "--regime", "dk-nope", "--on", "2024-03-10")
    assert result.exit_code == 1
    assert "unknown regime 'dk-nope'" in result.stderr
    assert "dk-lab-2024" in result.stderr  # it lists the known ones
    assert "Traceback" not in result.output


def test_no_regime_in_force_exits_1(tmp_path: Path) -> None:
    result = invoke("evaluate", str(CASE_FILE), "--on", "2011-12-01")
    assert result.exit_code == 1
    assert "c-0001" in result.stderr


# --------------------------------------------------------------------------------------------
# resolve, schema, check, test, demo
# --------------------------------------------------------------------------------------------


def test_resolve_names_the_frikommune() -> None:
    result = invoke("resolve", "851", "2021-03-10")
    assert result.exit_code == 0
    assert "dk-frikommune-ii-nordjylland" in result.stdout


def test_resolve_json() -> None:
    result = invoke("resolve", "101", "2026-07-01", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["regime"] == "dk-reform-2026"
    assert data["reason"]


def test_resolve_unknown_municipality_exits_1() -> None:
    result = invoke("resolve", "999", "2024-01-01")
    assert result.exit_code == 1
    assert "999" in result.stderr


def test_resolve_before_2020_exits_1() -> None:
    result = invoke("resolve", "751", "2011-12-01")
    assert result.exit_code == 1


def test_resolve_bad_date_is_a_usage_error() -> None:
    assert invoke("resolve", "101", "2024-02-30").exit_code == 2


def test_schema_prints_json_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$schema" in result.stdout
    assert "$schema" in schema


def test_check_passes_on_the_bundled_rulesets() -> None:
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout


def test_yaml_tests_pass() -> None:
    result = invoke("test")
    assert result.exit_code == 0, result.output
    match = re.search(r"(\d+) passed, 0 failed", result.stdout)
    assert match is not None
    assert int(match.group(1)) > 0


def test_demo_prints_a_table() -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert "┏" in result.stdout  # a rich table
    assert FIRST in result.stdout
    assert "status" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code in (0, 2)
    assert "evaluate" in result.output


# --------------------------------------------------------------------------------------------
# The installed script (subprocess)
# --------------------------------------------------------------------------------------------


def test_script_evaluate_json() -> None:
    proc = run(*EVAL_ARGS, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    _assert_contract_evaluation(json.loads(proc.stdout))


def test_script_list_json_and_table() -> None:
    proc = run("list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "dk-reform-2026" in {i["id"] for i in json.loads(proc.stdout)}
    table = run("list")
    assert table.returncode == 0
    assert "dk-frikommune-ii-nordjylland" in table.stdout


def test_script_bad_case_exits_1_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.json", _case(birth_date="2024-13-45"))
    proc = run("evaluate", str(path), "--regime", "dk-lab-2024", "--on", "2024-03-10")
    assert proc.returncode == 1
    assert "birth_date" in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_script_stdin_and_usage_errors() -> None:
    proc = run(
        "evaluate", "-", "--regime", "dk-lab-2024", "--on", "2024-03-10", "--format", "jsonl",
        input=CASE_FILE.read_text(encoding="utf-8"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    _assert_contract_evaluation(json.loads(proc.stdout.splitlines()[0]))
    bad = run("evaluate", str(CASE_FILE), "--on", "2024-99-10")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stdout + bad.stderr


def test_script_registers_the_extra_commands() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("diff", "caseload", "serve", "evaluate", "check"):
        assert command in proc.stdout


@pytest.mark.parametrize("of", ["ruleset", "case", "evaluation", "diff"])
def test_schema_of_each_contract_document(of: str) -> None:
    result = invoke("schema", "--of", of)
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema.get("properties") or schema.get("$defs")
