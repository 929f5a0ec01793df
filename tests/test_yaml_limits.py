"""Hostile YAML gets a named error, quickly and in bounded memory (issue 12, items 2 and 8).

Every YAML reader of the product is attacked with the same files: ruleset files
(``load_ruleset_file``, ``regimes check``), their ``*.tests.yaml`` (``load_test_file``),
caseworker minutes (``load_minutes``, ``regimes diff --minutes``), population parameters
(``load_params``) and register-panel code mappings (``load_mapping``). The attacks run in a child
process whose address space is capped (``RLIMIT_AS``), so an alias bomb that slipped through
would fail that process, not this machine; the child reports each outcome and its peak RSS.

Before the limits (measured on this machine): a 4 KB file of nine nested alias levels made
``regimes check`` take 34 s and 1.2 GB; a tests or minutes file nested 100,000 deep or not
UTF-8 ended in a ``RecursionError``/``UnicodeDecodeError`` traceback; ``!!python/object`` was
read as inert data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from regimes.diff.population import load_minutes
from regimes.errors import RulesetError
from regimes.library import rulesets_dir
from regimes.ruleset.load import load_ruleset_file
from regimes.ruleset.yaml_input import MAX_BYTES, MAX_DEPTH, MAX_NODES
from regimes.testing import load_test_file

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

MEMORY_CAP = 2 * 1024**3  # address space of the child; a bomb of 9^9 nodes needs far more
PEAK_RSS_MB = 300  # the child's peak; importing the package takes ~50 MB, a bomb expanded GBs
SECONDS_PER_FILE = 15.0  # generous for a loaded 2-core machine; each takes ≲ 1.5 s here


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


ATTACKS: dict[str, bytes] = {
    "alias_bomb": _alias_bomb(9, 9).encode(),  # 9^9 nodes in 4 KB (the file)
    "alias_bomb_10": _alias_bomb(10, 9).encode(),  # "one more level exhausts memory"
    "alias_bomb_narrow": _alias_bomb(40, 2).encode(),  # 2^40 through few aliases
    "alias_many": ("a: &a x\nb: [" + ", ".join(["*a"] * 1_500) + "]\n").encode(),
    "alias_cycle": b"a: &a [1, *a]\n",
    "alias_bomb_mappings": ("a0: &a0 {k: v}\n" + "".join(
        f"a{i}: &a{i} {{x: [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]}}\n" for i in range(1, 12)
    )).encode(),
    "tag_python": b"regime: !!python/object/apply:os.system ['echo pwned']\n",
    "tag_python_name": b"regime: !!python/name:os.system\n",
    "tag_custom": b"regime: !include /etc/passwd\n",
    "tag_binary": b"regime: !!binary aGVsbG8=\n",
    "tag_set": b"regime: !!set {a: null}\n",
    "too_large": b"# " + b"x" * (MAX_BYTES + 10) + b"\n",
    "deep_flow": b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "deep_map": b"a: " + b"{k: " * 5_000 + b"v" + b"}" * 5_000 + b"\n",
    "deep_block": "".join("  " * i + f"k{i}:\n" for i in range(300)).encode() + b"  " * 300 + b"v\n",
    "not_utf8": "regime:\n  title: Hiller\u00f8d\n".encode("latin-1"),
    "utf16": "regime: {id: x}\n".encode("utf-16"),
    "surrogate_escape": b'regime: "\\ud800"\n',
    "control_char": b"regime: a\x01b\n",
}
"""Each attack, as the bytes of a file."""

EXPECTED: dict[str, str] = {
    "alias_bomb": "alias bomb",
    "alias_bomb_10": "alias bomb",
    "alias_bomb_narrow": "alias bomb",
    "alias_many": "aliases",
    "alias_cycle": "contains it",
    "alias_bomb_mappings": "alias bomb",
    "tag_python": "not allowed",
    "tag_python_name": "not allowed",
    "tag_custom": "not allowed",
    "tag_binary": "not allowed",
    "tag_set": "not allowed",
    "too_large": "too large",
    "deep_flow": "nested too deeply",
    "deep_map": "nested too deeply",
    "deep_block": "nested too deeply",
    "not_utf8": "not UTF-8",
    "utf16": "not UTF-8",
    "surrogate_escape": "surrogate",
    "control_char": "not allowed",
}
"""What each error message says (besides the file)."""

NO_LINE = {"too_large"}
"""Attacks whose error cannot name a line (the file is refused before it is read)."""

READERS = ("ruleset", "tests", "minutes", "params", "mapping")

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from regimes.errors import RegimesError
    from regimes.ruleset.load import load_ruleset_file
    from regimes.testing import load_test_file
    from regimes.diff.population import load_minutes
    from regimes.population.params import load_params
    from regimes.population.panel import load_mapping
    readers = {{"ruleset": load_ruleset_file, "tests": load_test_file, "minutes": load_minutes,
               "params": load_params, "mapping": load_mapping}}
    for line in sys.stdin:
        reader, path = json.loads(line)
        started = time.perf_counter()
        try:
            readers[reader](Path(path))
            outcome = {{"error": None}}
        except RegimesError as exc:
            first = getattr(exc, "errors", [exc])[0]
            outcome = {{"error": type(exc).__name__, "message": str(exc), "file": first.file,
                        "line": first.line}}
        except BaseException as exc:  # the finding: anything else is a traceback
            outcome = {{"error": "UNNAMED " + type(exc).__name__, "message": str(exc)[:200]}}
        outcome["seconds"] = time.perf_counter() - started
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) pytest parent.
        hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")]
        outcome["rss_mb"] = int(hwm[0].split()[1]) / 1024 if hwm else 0.0
        print(json.dumps({{"reader": reader, "path": path, **outcome}}), flush=True)
    """
)


@pytest.fixture(scope="module")
def attack_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("attacks")
    files = {}
    for name, content in ATTACKS.items():
        path = folder / f"{name}.yaml"
        path.write_bytes(content)
        files[name] = path
    return files


@pytest.fixture(scope="module")
def outcomes(attack_files: dict[str, Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every attack through every reader, in one memory-capped child process."""
    requests = "".join(json.dumps([r, str(p)]) + "\n" for p in attack_files.values() for r in READERS)
    budget = SECONDS_PER_FILE * len(ATTACKS) * len(READERS) / 4 + 30
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(cap=MEMORY_CAP)],
        input=requests,
        capture_output=True,
        text=True,
        timeout=budget,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    by_name = {path.stem: name for name, path in attack_files.items()}
    return {(by_name[Path(r["path"]).stem], r["reader"]): r for r in results}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_is_a_named_error_in_bounded_time_and_memory(
    outcomes: dict[tuple[str, str], dict[str, Any]], attack_files: dict[str, Path], attack: str, reader: str
) -> None:
    outcome = outcomes[(attack, reader)]
    named = {"params": "ParamsError", "mapping": "PanelError"}.get(reader, "RulesetErrors")
    assert outcome["error"] == named, outcome
    assert EXPECTED[attack] in outcome["message"], outcome["message"]
    assert outcome["file"] == str(attack_files[attack])
    if attack not in NO_LINE:
        assert isinstance(outcome["line"], int) and outcome["line"] >= 1, outcome
    assert outcome["seconds"] < SECONDS_PER_FILE, outcome
    assert outcome["rss_mb"] < PEAK_RSS_MB, outcome


def test_limits_leave_room_for_the_bundled_files() -> None:
    """The limits are far above what the bundled rulesets and tests need (see yaml_input)."""
    for path in sorted(rulesets_dir().glob("*.yaml")):
        assert path.stat().st_size * 10 < MAX_BYTES, path
    assert MAX_DEPTH >= 32 and MAX_NODES >= 10_000


@pytest.mark.parametrize("name", ["dk-lab-2024.yaml", "dk-lab-2024.tests.yaml", "minutes"])
def test_a_byte_order_mark_is_accepted(tmp_path: Path, name: str) -> None:
    if name == "minutes":
        source = REPO / "src" / "regimes" / "data" / "minutes.yaml"
    else:
        source = rulesets_dir() / name
    with_bom = tmp_path / (source.name if name != "minutes" else "minutes.yaml")
    with_bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    if name == "minutes":
        assert load_minutes(with_bom).minutes == load_minutes(source).minutes
    elif name.endswith(".tests.yaml"):
        assert load_test_file(with_bom)[0] == load_test_file(source)[0]
    else:
        assert load_ruleset_file(with_bom).ruleset == load_ruleset_file(source).ruleset


def test_aliases_in_bundled_style_still_work(tmp_path: Path) -> None:
    """Anchors, aliases and merge keys of normal size keep working (the bundled files use them)."""
    path = tmp_path / "minutes.yaml"
    path.write_text("base: &m {job_interview: 30}\nminutes:\n  <<: *m\n  offer: 45\n", encoding="utf-8")
    with pytest.raises(RulesetError, match="'base' is not a known key"):
        load_minutes(path)  # read fine; the unknown key is the minutes model's finding
    path.write_text("minutes: &m {job_interview: 30, offer: 45}\nlabel: x\n", encoding="utf-8")
    assert load_minutes(path).minutes[next(iter(load_minutes(path).minutes))] >= 0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(BIN / "regimes"), *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


@pytest.mark.parametrize("attack", ["alias_bomb_10", "tag_python", "not_utf8"])
def test_regimes_check_names_the_attack(attack_files: dict[str, Path], attack: str) -> None:
    done = _cli("check", str(attack_files[attack]))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert str(attack_files[attack]) in done.stdout + done.stderr
    assert EXPECTED[attack] in done.stdout + done.stderr


@pytest.mark.parametrize("attack", ["alias_bomb", "not_utf8"])
def test_diff_minutes_names_the_attack(attack_files: dict[str, Path], attack: str) -> None:
    done = _cli(
        "diff", "dk-lab-2024", "dk-reform-2026", "--synthetic", "5", "--seed", "1",
        "--minutes", str(attack_files[attack]),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert EXPECTED[attack] in done.stderr
