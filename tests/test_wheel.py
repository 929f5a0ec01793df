"""The package a user installs carries the law (issue 10, finding 1).

Built as a user builds it (``python -m build``: an sdist, then a wheel from that sdist), installed
into a fresh venv outside the checkout, and run from another directory: ``regimes list`` shows the
regimes, ``regimes check`` is ok, ``regimes evaluate`` reads a shipped example and ``regimes demo``
prints obligations. Before the fix the wheel held no rulesets: an empty list, "ok: 0 regimes" and a
missing demo file, all with exit 0.

Why the fresh venv borrows the test venv's dependencies through a ``.pth`` file: the install then
needs no network and no index (fast and robust on a fresh CI machine), while ``regimes`` itself comes
only from the wheel (the test venv's editable install is not active there: ``.pth`` files are read
only in site directories, and the borrowed folder is a plain path entry). ``-m "not wheel"``
deselects these tests locally.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
_SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "_bundled",
    "out",
)


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REGIMES_RULESETS", "PYTHONPATH", "VIRTUAL_ENV"}}
    env["COLUMNS"] = "200"
    return env


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built from a copy of the checkout (the checkout is left untouched)."""
    base = tmp_path_factory.mktemp("build")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_SKIP)
    out = base / "dist"
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], cwd=base)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with only the wheel installed as ``regimes``."""
    where = tmp_path_factory.mktemp("venv") / "v"
    made = _run([sys.executable, "-m", "venv", "--without-pip", where], cwd=where.parent)
    assert made.returncode == 0, made.stderr
    python = where / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=where)
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "_borrowed_test_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    wheel = next(dist.glob("regimes-*.whl"))
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel]
    installed = _run(pip, cwd=where.parent)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return where


def test_sdist_and_wheel_carry_rulesets_tests_and_examples(dist: Path) -> None:
    sdist = next(dist.glob("regimes-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {
        "rulesets/dk-lab-2024.yaml",
        "rulesets/dk-lab-2024.tests.yaml",
        "examples/cases/demo.json",
    } <= names
    with zipfile.ZipFile(next(dist.glob("regimes-*.whl"))) as whl:
        inside = set(whl.namelist())
    for name in (
        "regimes/_bundled/rulesets/dk-lab-2024.yaml",
        "regimes/_bundled/rulesets/dk-lab-2024.tests.yaml",
        "regimes/_bundled/rulesets/sdl.yaml",
        "regimes/_bundled/examples/cases/demo.json",
        "regimes/_bundled/examples/cases/dagpenge-2024.json",
        "regimes/data/minutes.yaml",
    ):
        assert name in inside, name
    assert not any(n.startswith(("rulesets/", "examples/")) for n in inside), "law outside the package"


def test_installed_wheel_lists_checks_evaluates_and_demos_from_elsewhere(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env()
    script = venv / "bin" / "regimes"

    where = _run([venv / "bin" / "python", "-c", "import regimes; print(regimes.__file__)"], elsewhere, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    listed = _run([script, "list", "--format", "json"], elsewhere, env)
    assert listed.returncode == 0, listed.stderr
    ids = {r["id"] for r in json.loads(listed.stdout)}
    assert {"dk-lab-2020", "dk-lab-2024", "dk-reform-2026", "dk-6byer-2011"} <= ids

    checked = _run([script, "test"], elsewhere, env)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert " 0 failed" in checked.stdout and not checked.stdout.startswith("0 passed")

    shipped = _run(
        [venv / "bin" / "python", "-c", "from regimes.demo import examples_dir; print(examples_dir())"],
        elsewhere,
        env,
    )
    example = Path(shipped.stdout.strip()) / "cases" / "dagpenge-2024.json"
    assert example.is_relative_to(venv) and example.is_file()
    evaluated = _run(
        [script, "evaluate", example, "-r", "dk-lab-2024", "--on", "2024-03-10", "--format", "json"],
        elsewhere,
        env,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    ev = json.loads(evaluated.stdout)
    first = next(o for o in ev["obligations"] if o["rule"] == "lab-2024.dagpenge.first-interview-akasse")
    assert (first["deadline"], first["status"]) == ("2024-03-18", "due")

    demo = _run([script, "demo"], elsewhere, env)
    assert demo.returncode == 0, demo.stderr
    assert "regimes demo" in demo.stdout and "lab-2024" in demo.stdout
