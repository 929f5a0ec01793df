"""Cold start (issue 12, finding 5): a command loads only what it needs.

Timing on a shared 2-core machine is noise, so these tests hold the causes instead: what
``regimes --help`` and one evaluation import, which ruleset files they parse, and that the cheap
paths (headers only, the parse cache) give exactly what the full ones give.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from regimes.layer import Layering
from regimes.library import bundled, headers, load_files, ruleset_paths, rulesets_dir
from regimes.municipalities import MUNICIPALITIES
from regimes.parse_cache import cached
from regimes.resolve import COVERAGE_START, resolve_in
from regimes.ruleset.load import load_ruleset_file, parse_ruleset

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "cases" / "dagpenge-2024.json"
HEAVY = ("pydantic", "ruamel", "durable", "numpy", "fastapi", "uvicorn", "matplotlib", "pyarrow", "engine")


def _probe(code: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "REGIMES_RULESETS"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out: dict[str, list[str]] = json.loads(result.stderr.strip().splitlines()[-1])
    return out


_REPORT = """
import json, sys
{body}
modules = sorted({{m.split(".")[0] for m in sys.modules}})
ours = sorted(m for m in sys.modules if m.startswith("regimes"))
loaded = []
if "regimes.library" in sys.modules:
    from regimes.library import bundled
    loaded = sorted(dict.keys(bundled().files)) if bundled.cache_info().currsize else []
sys.stderr.write(json.dumps({{"modules": modules, "regimes": ours, "loaded": loaded}}) + "\\n")
"""


def test_help_imports_no_model_engine_or_yaml() -> None:
    body = """
sys.argv = ["regimes", "--help"]
from regimes.cli import main
try:
    main()
except SystemExit:
    pass
"""
    seen = _probe(_REPORT.format(body=body))
    assert not [m for m in HEAVY if m in seen["modules"]], seen["modules"]
    assert seen["loaded"] == []


def test_import_regimes_is_light_and_names_load_on_use() -> None:
    seen = _probe(_REPORT.format(body="import regimes"))
    assert not [m for m in HEAVY if m in seen["modules"]]
    import regimes

    assert regimes.Case.__name__ == "Case" and callable(regimes.evaluate)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = regimes.nope  # type: ignore[attr-defined]


def test_evaluating_one_case_parses_only_its_regime_and_bases() -> None:
    body = f"""
sys.argv = ["regimes", "evaluate", {str(CASE)!r}, "-r", "dk-lab-2024", "--on", "2024-03-10",
    "--format", "json"]
from regimes.cli import main
try:
    main()
except SystemExit:
    pass
"""
    seen = _probe(_REPORT.format(body=body))
    assert seen["loaded"] == ["dk-lab-2020", "dk-lab-2024", "sdl"]
    for heavy in ("numpy", "fastapi", "uvicorn", "matplotlib", "pyarrow"):
        assert heavy not in seen["modules"]
    assert "regimes.diff" not in seen["regimes"]


def test_resolution_from_headers_equals_resolution_from_the_full_library() -> None:
    full = Layering(load_files(ruleset_paths(rulesets_dir())))
    light = headers()
    assert light is not bundled() or not isinstance(light, Layering)
    days = {COVERAGE_START - timedelta(days=1)}
    for ident in full.regime_ids():
        regime = full.build(ident)
        for day in (regime.valid_from, regime.valid_to):
            if day is not None:
                days |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    days.add(date(2030, 1, 1))
    for day in sorted(days):
        for code in [*list(MUNICIPALITIES)[::7], "851", "860", "219", "253"]:
            try:
                expected: object = resolve_in(full, code, day)
            except Exception as exc:  # the same error, with the same message
                expected = (type(exc), str(exc))
            try:
                got: object = resolve_in(light, code, day)
            except Exception as exc:
                got = (type(exc), str(exc))
            assert got == expected, (code, day)
    assert sorted(light.regime_ids()) == sorted(full.regime_ids())


def test_parse_cache_reuses_validated_files_and_notices_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path / "cache"))
    source = ROOT / "rulesets" / "dk-velfaerdsaftale-2023.yaml"
    text = source.read_text(encoding="utf-8")
    calls: list[str] = []

    def parse(t: str, p: Path) -> object:
        calls.append(t)
        return parse_ruleset(t, p)

    first = cached(source, text, parse)  # type: ignore[arg-type]
    again = cached(source, text, parse)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert again.ruleset == first.ruleset == load_ruleset_file(source).ruleset
    assert again.lines == first.lines
    changed = text.replace("title:", "title:  ", 1)
    cached(source, changed, parse)  # type: ignore[arg-type]
    assert len(calls) == 2
    # A damaged entry is parsed again and replaced, never trusted.
    for entry in (tmp_path / "cache").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    cached(source, text, parse)  # type: ignore[arg-type]
    assert len(calls) == 3
    cached(source, text, parse)  # type: ignore[arg-type]
    assert len(calls) == 3, "the damaged entry was rewritten"


def test_parse_cache_off_writes_nothing_and_errors_are_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regimes.errors import RulesetErrors

    monkeypatch.setenv("REGIMES_CACHE_DIR", str(tmp_path / "c"))
    broken = "regime:\n  id: x\n  title: 3\n"
    for _ in range(2):
        with pytest.raises(RulesetErrors):
            cached(tmp_path / "x.yaml", broken, parse_ruleset)
    assert not list((tmp_path / "c").glob("*.pickle"))
    monkeypatch.setenv("REGIMES_CACHE_DIR", "off")
    source = ROOT / "rulesets" / "dk-velfaerdsaftale-2023.yaml"
    cached(source, source.read_text(encoding="utf-8"), parse_ruleset)
    assert not (tmp_path / "off").exists()


def test_functions_named_like_their_module_stay_functions_on_the_package() -> None:
    import regimes
    import regimes.caseload
    import regimes.diff
    import regimes.evaluate
    import regimes.resolve

    for name in ("evaluate", "diff", "resolve", "caseload"):
        assert callable(getattr(regimes, name)) and not isinstance(getattr(regimes, name), type(regimes))
