"""Where the law is found, and that an empty library is an error (issue 10, finding 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"REGIMES_RULESETS", "PYTHONPATH"}}


def test_an_empty_library_is_an_error_not_ok(tmp_path: Path) -> None:
    env = {**_clean_env(), "REGIMES_RULESETS": str(tmp_path)}
    script = Path(sys.executable).parent / "regimes"
    for args in (["list"], ["check"], ["evaluate", str(ROOT / "examples/cases/dagpenge-2024.json")]):
        result = _run([str(script), *args], tmp_path, env)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "ok" not in result.stdout
        assert "no ruleset" in result.stderr, result.stderr
