"""One input layer (issue 10, finding 2): every format, every command, the public arguments.

Before the fix ``regimes evaluate cases.csv`` said "not valid JSON", integer kommunekoder were
rejected, ``regimes.evaluate(dict)`` raised AttributeError, ``on="2024-03-10"`` a TypeError and
``backend="gpu"`` a KeyError.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes
import regimes.cli.extra  # registers diff, caseload
from regimes.cli import app
from regimes.errors import ArgumentError, CaseError, MissingExtraError
from regimes.inputs import FORMATS, as_cases, as_day, format_of, read_cases, read_cases_shaped

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "examples" / "inputs"
DEMO = ROOT / "examples" / "cases" / "demo.json"
SCRIPT = Path(sys.executable).parent / "regimes"
runner = CliRunner()
CASE: dict[str, Any] = {
    "id": "c-1",
    "birth_date": "1985-06-01",
    "municipality": "219",
    "group": "dagpenge",
    "registered_on": "2024-03-04",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_example_format_reads_the_same_cases(fmt: str) -> None:
    expected = read_cases(DEMO)
    assert read_cases(INPUTS / f"cases.{fmt}") == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_stdin_in_every_format_is_detected(fmt: str) -> None:
    data = (INPUTS / f"cases.{fmt}").read_bytes()
    result = subprocess.run(
        [str(SCRIPT), "evaluate", "-", "--on", "2024-10-01", "--format", "jsonl"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert len(result.stdout.decode().splitlines()) == 4


@pytest.mark.parametrize("command", ["evaluate", "caseload"])
def test_every_command_reads_csv_and_parquet(command: str) -> None:
    outputs = []
    for fmt in FORMATS:
        args = [command, str(INPUTS / f"cases.{fmt}"), "--on", "2024-10-01", "--format", "json"]
        if command == "caseload":
            args += ["--regime", "dk-reform-2026"]
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert all(o == outputs[0] for o in outputs)


def test_diff_reads_csv_cases() -> None:
    args = ["diff", "dk-lab-2024", "dk-reform-2026", "--cases", str(INPUTS / "cases.csv"), "--format", "json"]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["population"]["cases"] == 4


def test_shape_follows_the_input() -> None:
    assert read_cases_shaped(ROOT / "examples" / "cases" / "dagpenge-2024.json")[1] is False
    assert read_cases_shaped(INPUTS / "cases.csv")[1] is True


def test_format_is_detected_without_a_suffix(tmp_path: Path) -> None:
    for fmt in FORMATS:
        target = tmp_path / f"cases-{fmt}"
        target.write_bytes((INPUTS / f"cases.{fmt}").read_bytes())
        assert len(read_cases(target)) == 4, fmt
    assert format_of("x.NDJSON") == "jsonl"


@pytest.mark.parametrize(("value", "code"), [(219, "219"), ("0219", "219"), (101, "101")])
def test_integer_and_four_digit_kommunekoder_in_json_and_csv(
    tmp_path: Path, value: object, code: str
) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([{**CASE, "municipality": value}]), encoding="utf-8")
    assert read_cases(path)[0].municipality == code
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text(
        f"id,birth_date,municipality,group,registered_on\nc,1985-06-01,{value},dagpenge,2024-03-04\n"
    )
    assert read_cases(csv_path)[0].municipality == code


def test_evaluate_takes_a_mapping_and_an_iso_string() -> None:
    ev = regimes.evaluate({**CASE, "municipality": 219}, "dk-lab-2024", on="2024-03-10")
    same = regimes.evaluate(regimes.parse_case(CASE), "dk-lab-2024", on=as_day("2024-03-10"))
    assert ev == same
    assert ev.obligation("lab-2024.dagpenge.first-interview-akasse") is not None
    many = regimes.evaluate_many([CASE, {**CASE, "id": "c-2"}], "dk-lab-2024", "2024-03-10")
    assert [e.case for e in many] == ["c-1", "c-2"]


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"on": "10/03/2024"}, ArgumentError, "on: must be a date YYYY-MM-DD"),
        ({"on": "2024-02-30"}, ArgumentError, "on: must be a date"),
        ({"on": 20240310}, ArgumentError, "on: must be a date"),
        ({"backend": "gpu"}, ArgumentError, "backend: must be one of durable"),
    ],
)
def test_bad_arguments_are_named_errors(kwargs: dict[str, Any], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        regimes.evaluate(CASE, "dk-lab-2024", **kwargs)


def test_bad_cases_given_to_evaluate_are_case_errors() -> None:
    with pytest.raises(CaseError) as info:
        regimes.evaluate({**CASE, "birth_date": "1985-13-01"}, "dk-lab-2024", on="2024-03-10")
    assert info.value.field == "birth_date"
    with pytest.raises(CaseError, match="got a string"):
        regimes.evaluate(json.dumps(CASE), "dk-lab-2024")  # type: ignore[arg-type]
    with pytest.raises(CaseError) as many:
        as_cases([CASE, {**CASE, "group": "nope"}])
    assert many.value.field == "[1].group"


def test_csv_mistakes_name_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,birth_date,municipality,group,registered_on,colour\nc,1985-06-01,219,dagpenge,2024-03-04,red\n"
    )
    with pytest.raises(CaseError) as info:
        read_cases(path)
    assert info.value.field == "colour" and "row 1" in str(info.value)
    path.write_text("name,birth\nx,y\n")
    with pytest.raises(CaseError, match="no 'id' column"):
        read_cases(path)
    path.write_text(
        'id,birth_date,municipality,group,registered_on,events\nc,1985-06-01,219,dagpenge,2024-03-04,"[{"\n'
    )
    with pytest.raises(CaseError, match="'events' must be a JSON list"):
        read_cases(path)


def test_parquet_without_the_analyst_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingExtraError, match=r"'analyst' extra: pip install 'regimes\[analyst\]'"):
        read_cases(INPUTS / "cases.parquet")


def test_not_a_parquet_file_is_a_case_error(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(CaseError, match="cannot read as Parquet"):
        read_cases(path)


def test_docs_schema_is_the_case_schema() -> None:
    documented = json.loads((ROOT / "docs" / "case.schema.json").read_text(encoding="utf-8"))
    assert documented == regimes.Case.model_json_schema(), "regenerate with `make docs`"
    page = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    for fmt in FORMATS:
        assert f"examples/inputs/cases.{fmt}" in page
    for field in regimes.Case.model_fields:
        assert f"`{field}`" in page, field


def test_read_cases_reads_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((INPUTS / "cases.csv").read_bytes())))
    assert len(read_cases("-")) == 4
