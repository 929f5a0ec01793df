"""Command-line conventions (issue 10, findings 4 and 7).

Outputs are checked before the work (``diff --out /nonexistent/dir/r.html`` used to compute for
minutes, then die with a traceback; ``regimes docs /proc/nope`` likewise); ``--version`` exists;
help placeholders read as names (not ``<bool>`` or ``{CASES}``); ``COLUMNS`` is respected when
piped; ``serve`` on a busy port exits 1 (was 3); a diff not on a terminal says on stderr what it
wrote, where and how long it took.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes
import regimes.cli.extra  # registers diff, caseload, serve
from regimes.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "regimes"
runner = CliRunner()


def run(
    *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=merged,
        timeout=timeout,
        check=False,
    )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"regimes {regimes.__version__}"


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_placeholders_read_as_names(command: str | None) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = runner.invoke(app, args, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert not re.search(r"<(bool|str|int|float|path|list\[str\]|int range)>", text), text
    assert "{" not in text.split("\n\n", 2)[0] + text.splitlines()[1], text  # usage line: CASES, not {CASES}
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage


def test_evaluate_help_names_what_to_type() -> None:
    text = runner.invoke(app, ["evaluate", "--help"], env={"COLUMNS": "160"}).stdout
    assert re.search(r"--on\s+DATE", text) and re.search(r"--regime\s+-r\s+REGIME", text)
    assert re.search(r"--explain\s+Also", text)  # a flag takes no value
    assert "Usage: regimes evaluate [OPTIONS] CASES" in text


@pytest.mark.parametrize("columns", [60, 240])
def test_columns_is_respected_when_piped(columns: int) -> None:
    result = run("list", env={"COLUMNS": str(columns)})
    assert result.returncode == 0
    widths = [len(line) for line in result.stdout.splitlines()]
    assert max(widths) <= columns
    if columns == 60:
        assert max(widths) > 40


def test_piped_without_columns_keeps_a_wide_stable_layout() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = subprocess.run(
        [str(SCRIPT), "list"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False
    )
    assert max(len(line) for line in result.stdout.splitlines()) > 100


def test_diff_out_to_a_missing_folder_fails_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("regimes.diff")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the diff was computed before the output was checked")

    monkeypatch.setattr(module, "diff", boom)
    result = runner.invoke(
        app,
        [
            "diff",
            "dk-lab-2024",
            "dk-reform-2026",
            "--synthetic",
            "100000",
            "--format",
            "html",
            "--out",
            "/nonexistent/dir/r.html",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "/nonexistent/dir/r.html" in result.stderr and "does not exist" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_diff_out_to_a_folder_is_an_error(tmp_path: Path) -> None:
    result = run("diff", "dk-lab-2024", "dk-reform-2026", "--out", str(tmp_path))
    assert result.returncode == 1 and "is a folder" in result.stderr and "Traceback" not in result.stderr


def test_docs_into_an_unwritable_place_is_exit_1_before_building(tmp_path: Path) -> None:
    result = run("docs", "/proc/nope")
    assert result.returncode == 1
    assert "/proc/nope" in result.stderr and "Traceback" not in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("docs", str(blocker / "sub"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_diff_not_on_a_terminal_says_what_it_wrote_where_and_how_long(tmp_path: Path) -> None:
    result = run("diff", "dk-lab-2024", "dk-reform-2026", "--format", "json")
    assert result.returncode == 0
    json.loads(result.stdout)  # stdout stays clean
    assert re.search(
        r"regimes diff: wrote json \([\d,]+ bytes\) to standard output in \d+\.\d s", result.stderr
    )
    target = tmp_path / "r.md"
    result = run("diff", "dk-lab-2024", "dk-reform-2026", "--format", "md", "--out", str(target))
    assert result.returncode == 0 and target.read_text().startswith("# Regime diff")
    assert f"wrote md ({target.stat().st_size:,} bytes) to {target} in" in result.stderr


def test_serve_on_a_busy_port_exits_1_with_a_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), timeout=60)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
