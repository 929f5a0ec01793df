"""Receipts on every evaluation and diff, and ``regimes verify`` (issue 10, "beyond the fixes").

A receipt names the package version, the regime(s), the SHA-256 of every ruleset file that went
into the result, the back end, the date, the known-law horizon and (from the CLI) the input's
digest; ``regimes verify`` re-runs it and says whether the installed law is the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import regimes
from regimes.library import rulesets_dir

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "regimes"
CASES = ROOT / "examples" / "inputs" / "cases.csv"
CASE = {
    "id": "c-1",
    "birth_date": "1985-06-01",
    "municipality": "219",
    "group": "dagpenge",
    "registered_on": "2024-03-04",
}


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=180,
        check=False,
    )


def test_an_evaluation_carries_its_receipt() -> None:
    ev = regimes.evaluate(CASE, "dk-lab-2024", on="2024-03-10", backend="vector")
    receipt = ev.receipt
    assert receipt is not None
    assert (receipt.version, receipt.regimes, receipt.backend, receipt.on) == (
        regimes.__version__,
        ["dk-lab-2024"],
        "vector",
        date(2024, 3, 10),
    )
    files = {d.file: d.sha256 for d in receipt.rulesets}
    assert set(files) == {"rulesets/dk-lab-2020.yaml", "rulesets/dk-lab-2024.yaml", "rulesets/sdl.yaml"}
    for name, digest in files.items():
        assert hashlib.sha256((rulesets_dir() / Path(name).name).read_bytes()).hexdigest() == digest
    header = regimes.load_regime("dk-lab-2024").header
    assert receipt.known_until == {"dk-lab-2024": getattr(header, "known_until", None)}
    assert json.loads(ev.model_dump_json())["receipt"]["backend"] == "vector"
    # equal results are equal whatever produced them
    assert ev == regimes.evaluate(CASE, "dk-lab-2024", on="2024-03-10", backend="durable")


def test_a_diff_carries_its_receipt() -> None:
    d = regimes.diff("dk-lab-2024", "dk-reform-2026", behavioural=False)
    assert d.receipt is not None and d.receipt.regimes == ["dk-lab-2024", "dk-reform-2026"]
    assert "rulesets/dk-reform-2026.yaml" in {x.file for x in d.receipt.rulesets}


def test_cli_json_always_has_the_receipt_with_the_input_digest_and_tables_on_request() -> None:
    result = run("evaluate", str(CASES), "--on", "2024-10-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    receipts = [ev["receipt"] for ev in json.loads(result.stdout)]
    assert receipts[0]["input"] == {
        "source": str(CASES),
        "sha256": hashlib.sha256(CASES.read_bytes()).hexdigest(),
        "cases": 4,
    }
    assert receipts[0]["resolved"] is True
    table = run("evaluate", str(CASES), "--on", "2024-10-01", "--receipt")
    assert (
        "receipt" in table.stdout and "sha256" in table.stdout and "rulesets/dk-lab-2024.yaml" in table.stdout
    )
    assert "sha256" not in run("evaluate", str(CASES), "--on", "2024-10-01").stdout


def test_the_html_report_shows_the_receipt(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run(
        "diff", "dk-lab-2024", "dk-reform-2026", "--cases", str(CASES), "--format", "html", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<h2>Receipt</h2>" in page and hashlib.sha256(CASES.read_bytes()).hexdigest() in page


@pytest.fixture
def outputs(tmp_path: Path) -> dict[str, Path]:
    evaluation = tmp_path / "ev.json"
    result = run("evaluate", str(CASES), "--on", "2024-10-01", "--format", "json")
    evaluation.write_text(result.stdout)
    diff = tmp_path / "diff.json"
    result = run(
        "diff", "dk-lab-2024", "dk-reform-2026", "--synthetic", "40", "--seed", "3", "--format", "json"
    )
    diff.write_text(result.stdout)
    return {"evaluation": evaluation, "diff": diff}


def test_verify_says_same_law_and_same_result(outputs: dict[str, Path]) -> None:
    for path in outputs.values():
        result = run("verify", str(path), cwd=path.parent)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "law: same" in result.stdout and "result: same" in result.stdout


def test_verify_names_the_ruleset_file_that_changed(outputs: dict[str, Path], tmp_path: Path) -> None:
    changed = tmp_path / "rulesets"
    shutil.copytree(rulesets_dir(), changed)
    target = changed / "dk-lab-2024.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    result = run("verify", str(outputs["evaluation"]), env={"REGIMES_RULESETS": str(changed)})
    assert result.returncode == 1
    assert "law: differs: rulesets/dk-lab-2024.yaml changed" in result.stdout


def test_verify_notices_a_changed_input(outputs: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "cases.csv"
    copy.write_text(CASES.read_text().replace("1989-03-02", "1989-03-03"))
    result = run("verify", str(outputs["evaluation"]), "--cases", str(copy))
    assert result.returncode == 1 and "input: differs" in result.stdout


def test_verify_rejects_what_is_not_a_result(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    result = run("verify", str(bad))
    assert result.returncode == 1 and "not a result" in result.stderr and "Traceback" not in result.stderr
