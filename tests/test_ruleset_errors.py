"""Broken ruleset files are reported as ``file:line: rule 'id': what`` (ruleset-language.md).

Each case writes a small ruleset into ``tmp_path`` — a new regime that ``extends: dk-lab-2024``
(the bundled files are loaded beside the given paths) — breaks one thing, and checks both the
command (``regimes check PATH`` exits 1) and the Python API (``parse_ruleset`` for what one file
shows, ``check_paths`` for what needs the layering). Line numbers are asserted against the line
of the mistake, found by its text, so the fixtures can be edited without recounting.

Last, a fuzz property: ``parse_ruleset`` on any text or any YAML-ish structure raises only
:class:`~regimes.errors.RulesetError` — never a bare pydantic, ruamel or Python error.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from typer.testing import CliRunner

from regimes.check import check_paths
from regimes.cli import app
from regimes.errors import RulesetError, RulesetErrors
from regimes.ruleset.load import parse_ruleset

RULE = "test.dagpenge.first"

HEADER = """\
regime:
  id: dk-test-2025
  title: A test regime
  legal_basis: none (a test)
  status: proposed
  extends: dk-lab-2024
"""

RULE_TEXT = """\
  - id: test.dagpenge.first
    title: A first interview
    citation: LAB § 99
    valid_from: 2024-01-01
    confidence: seen
    topic: contact_course
    groups: [dagpenge]
    when: {fact: age, ge: 30}
    obligation:
      step: job_interview
      actor: jobcenter
      count: 1
      window:
        anchor: registered_on
        deadline: {after: {weeks: 2}}
"""

GOOD = HEADER + "\nrules:\n" + RULE_TEXT

TESTS = """\
regime: dk-test-2025
cases:
  dp: {id: c-1, birth_date: 1985-06-01, municipality: "219", group: dagpenge, registered_on: 2024-03-04}
tests:
  - rule: test.dagpenge.first
    case: dp
    on: 2024-03-10
    expect: {status: due, deadline: 2024-03-18}
  - rule: test.dagpenge.first
    case: dp
    set: {birth_date: 2000-01-01}
    on: 2024-03-10
    expect: {applies: false}
"""

runner = CliRunner()


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in the fixture"
    return hits[occurrence - 1]


def write(tmp_path: Path, text: str, *, tests: str | None = TESTS, name: str = "dk-test-2025") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    if tests is not None:
        (tmp_path / f"{name}.tests.yaml").write_text(tests, encoding="utf-8")
    return path


def cli_check(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(path)], catch_exceptions=False)
    return result.exit_code, result.output


def assert_reported(findings: list[str], path: Path, line: int, rule: str | None, *words: str) -> str:
    """One finding starts ``path:line: rule 'id': `` and contains every word; returns it."""
    prefix = f"{path}:{line}: " + (f"rule '{rule}': " if rule else "")
    matching = [f for f in findings if f.startswith(prefix) and all(w in f for w in words)]
    assert matching, f"no finding {prefix}… with {words} in:\n" + "\n".join(findings)
    return matching[0]


def parse_errors(text: str, path: Path) -> list[str]:
    with pytest.raises(RulesetErrors) as info:
        parse_ruleset(text, path)
    assert info.value.errors
    return [str(e) for e in info.value.errors]


def test_the_fixture_itself_is_clean(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    report = check_paths([path])
    assert report.findings == []
    assert "dk-test-2025" in report.regimes
    assert cli_check(path)[0] == 0


# --------------------------------------------------------------------------------------------
# Mistakes one file shows: parse_ruleset and check agree
# --------------------------------------------------------------------------------------------

FILE_MISTAKES = [
    pytest.param(
        ("    citation: LAB § 99", "    citaton: LAB § 99"),
        "citaton",
        ("citaton", "unknown field"),
        id="typo-in-field",
    ),
    pytest.param(
        ("      count: 1", '      count: "three"'), "count:", ("count", "three"), id="count-not-a-number"
    ),
    pytest.param(
        ("{after: {weeks: 2}}", "{after: {weeks: -2}}"),
        "weeks: -2",
        ("window.deadline.after.weeks", "-2"),
        id="negative-weeks",
    ),
    pytest.param(
        ("{fact: age, ge: 30}", "{fact: shoe_size, ge: 30}"),
        "shoe_size",
        ("unknown fact", "shoe_size"),
        id="unknown-fact",
    ),
    pytest.param(
        ("{fact: age, ge: 30}", "{fact: age, ge: thirty}"),
        "thirty",
        ("when", "thirty"),
        id="wrong-value-type-in-when",
    ),
    pytest.param(
        ("      actor: jobcenter", "      actor: jobcentre"), "jobcentre", ("jobcentre",), id="unknown-actor"
    ),
    pytest.param(
        ("    topic: contact_course", "    topic: contact_courses"),
        "contact_courses",
        ("topic",),
        id="unknown-topic",
    ),
]


@pytest.mark.parametrize(("edit", "needle", "words"), FILE_MISTAKES)
def test_a_mistake_in_one_rule_names_file_line_and_rule(
    tmp_path: Path, edit: tuple[str, str], needle: str, words: tuple[str, ...]
) -> None:
    old, new = edit
    assert old in GOOD
    text = GOOD.replace(old, new)
    path = write(tmp_path, text)
    line = line_of(text, needle)

    assert_reported(parse_errors(text, path), path, line, RULE, *words)
    assert_reported(check_paths([path]).findings, path, line, RULE, *words)
    code, output = cli_check(path)
    assert code == 1
    assert f"{path}:{line}: rule '{RULE}'" in output
    assert "Traceback" not in output


def test_a_wrong_comparison_value_names_the_operator(tmp_path: Path) -> None:
    text = GOOD.replace("{fact: age, ge: 30}", "{fact: age, ge: thirty}")
    path = write(tmp_path, text)
    errors = parse_errors(text, path)
    assert all("when.ge" in e for e in errors), errors


def test_a_missing_required_field_names_the_rule_and_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("    confidence: seen\n", "")
    path = write(tmp_path, text)
    found = assert_reported(parse_errors(text, path), path, line_of(text, f"id: {RULE}"), RULE, "confidence")
    assert "missing" in found


def test_the_error_object_carries_file_line_rule_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("    citation: LAB § 99", "    citaton: LAB § 99")
    path = tmp_path / "x.yaml"
    with pytest.raises(RulesetError) as info:  # RulesetErrors is a RulesetError
        parse_ruleset(text, path)
    typo = next(e for e in info.value.errors if e.field and "citaton" in e.field)  # type: ignore[attr-defined]
    assert (typo.file, typo.line, typo.rule) == (str(path), line_of(text, "citaton"), RULE)


def test_two_mistakes_are_both_reported(tmp_path: Path) -> None:
    text = GOOD.replace("    citation: LAB § 99", "    citaton: LAB § 99").replace("weeks: 2", "weeks: -2")
    path = write(tmp_path, text)
    findings = check_paths([path]).findings
    assert_reported(findings, path, line_of(text, "citaton"), RULE, "citaton")
    assert_reported(findings, path, line_of(text, "weeks: -2"), RULE, "weeks")


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = GOOD.replace("    title: A first interview", "    title: A first: interview")
    path = write(tmp_path, text)
    line = line_of(text, "A first: interview")
    assert_reported(parse_errors(text, path), path, line, None, "YAML syntax")
    code, output = cli_check(path)
    assert code == 1
    assert f"{path}:{line}: YAML syntax" in output
    assert "Traceback" not in output


def test_yaml_unclosed_bracket_is_reported_near_it(tmp_path: Path) -> None:
    text = GOOD.replace("    groups: [dagpenge]", "    groups: [dagpenge")
    path = write(tmp_path, text)
    (error,) = parse_errors(text, path)
    line = int(re.match(rf"{re.escape(str(path))}:(\d+): YAML syntax", error).group(1))  # type: ignore[union-attr]
    # the parser notices on the next line; either is where a person looks
    assert line in (line_of(text, "groups: [dagpenge"), line_of(text, "groups: [dagpenge") + 1)


def test_yaml_unclosed_quote_points_at_the_quote(tmp_path: Path) -> None:
    text = GOOD.replace("  title: A test regime", '  title: "A test regime')
    path = write(tmp_path, text)
    quote_line = line_of(text, 'title: "A test regime')
    (error,) = parse_errors(text, path)
    assert error.startswith(f"{path}:{quote_line}: ")


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- just\n- a list\n")
    (error,) = parse_errors("- just\n- a list\n", path)
    assert error.startswith(f"{path}:1: ")
    assert cli_check(path)[0] == 1


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = GOOD.replace("    title: A first interview\n", "    title: A first interview\n    title: Again\n")
    path = write(tmp_path, text)
    errors = parse_errors(text, path)
    assert any(e.startswith(f"{path}:") and "title" in e for e in errors)


# --------------------------------------------------------------------------------------------
# Mistakes that need the layering: check_paths and `regimes check`
# --------------------------------------------------------------------------------------------


def _check_both(path: Path) -> list[str]:
    findings = check_paths([path]).findings
    code, output = cli_check(path)
    assert code == 1
    for finding in findings:
        assert finding.splitlines()[0] in output
    return findings


@pytest.mark.parametrize(
    ("section", "entry", "missing"),
    [
        pytest.param(
            "exempt",
            "  - rules: [lab-2024.no-such-rule]\n"
            "    citation: lov nr. 1 af 1/1/2025\n    confidence: secondary\n",
            "lab-2024.no-such-rule",
            id="exempt-dangling",
        ),
        pytest.param(
            "repeal",
            "  - rules:\n      - lab-2024.dagpenge.first-interview-akasse\n      - lab-2024.nope\n"
            "    citation: lov nr. 1 af 1/1/2025\n    confidence: secondary\n",
            "lab-2024.nope",
            id="repeal-dangling",
        ),
        pytest.param(
            "replace",
            "  - rule: lab-2024.nope\n    with: {id: test.replaced, citation: LAB § 1}\n"
            "    citation: lov nr. 1 af 1/1/2025\n    confidence: secondary\n",
            "lab-2024.nope",
            id="replace-dangling",
        ),
    ],
)
def test_a_dangling_reference_names_the_rule(tmp_path: Path, section: str, entry: str, missing: str) -> None:
    text = GOOD + f"\n{section}:\n" + entry
    path = write(tmp_path, text)
    findings = _check_both(path)
    entry_line = line_of(text, f"{section}:") + 1
    assert_reported(findings, path, entry_line, missing, section, "lacks")


def test_extends_an_unknown_regime(tmp_path: Path) -> None:
    text = GOOD.replace("extends: dk-lab-2024", "extends: dk-nowhere")
    path = write(tmp_path, text)
    finding = assert_reported(_check_both(path), path, line_of(text, "extends:"), None, "dk-nowhere")
    assert "extends" in finding


def test_a_duplicate_rule_id(tmp_path: Path) -> None:
    text = GOOD + RULE_TEXT
    path = write(tmp_path, text)
    assert_reported(_check_both(path), path, line_of(text, f"id: {RULE}", 2), RULE, "duplicate")


def test_a_rule_id_that_clashes_with_the_base(tmp_path: Path) -> None:
    text = GOOD.replace(f"id: {RULE}", "id: lab-2024.dagpenge.first-interview-akasse")
    path = write(tmp_path, text, tests=TESTS.replace(RULE, "lab-2024.dagpenge.first-interview-akasse"))
    findings = check_paths([path]).findings
    assert findings, "a new rule reusing a base rule's id must be reported"
    assert any(f.startswith(f"{path}:") for f in findings)


def test_overlapping_versions_of_one_rule(tmp_path: Path) -> None:
    second = RULE_TEXT.replace("valid_from: 2024-01-01", "valid_from: 2025-01-01")
    text = GOOD + second  # the first version is open-ended, so both hold from 2025
    path = write(tmp_path, text)
    assert_reported(_check_both(path), path, line_of(text, f"id: {RULE}", 2), RULE, "overlap")


def test_versions_that_do_not_overlap_are_fine(tmp_path: Path) -> None:
    first = RULE_TEXT.replace("    confidence: seen\n", "    valid_to: 2024-12-31\n    confidence: seen\n")
    second = RULE_TEXT.replace("valid_from: 2024-01-01", "valid_from: 2025-01-01")
    path = write(tmp_path, HEADER + "\nrules:\n" + first + second)
    assert check_paths([path]).findings == []


def test_a_rule_without_yaml_tests(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, tests=None)
    finding = assert_reported(_check_both(path), path, line_of(GOOD, f"id: {RULE}"), RULE, "no YAML test")
    assert "fires / does not fire" in finding


def test_a_rule_tested_only_where_it_fires(tmp_path: Path) -> None:
    only_fires = TESTS.split("  - rule: test.dagpenge.first\n    case: dp\n    set:")[0]
    path = write(tmp_path, GOOD, tests=only_fires)
    finding = assert_reported(_check_both(path), path, line_of(GOOD, f"id: {RULE}"), RULE, "no YAML test")
    assert "does not fire" in finding
    assert "fires /" not in finding


def test_tests_naming_an_unknown_rule(tmp_path: Path) -> None:
    extra = TESTS + "  - rule: test.nothing\n    case: dp\n    on: 2024-03-10\n    expect: {applies: false}\n"
    path = write(tmp_path, GOOD, tests=extra)
    assert any("test.nothing" in f for f in _check_both(path))


def test_check_on_a_folder(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("weeks: 2", "weeks: -2"))
    report = check_paths([tmp_path])
    assert any(f.startswith(str(tmp_path / "dk-test-2025.yaml")) for f in report.findings)
    assert runner.invoke(app, ["check", str(tmp_path)]).exit_code == 1


def test_an_impossible_date_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("valid_from: 2024-01-01", "valid_from: 2024-02-30")
    path = write(tmp_path, text)
    errors = parse_errors(text, path)
    assert any(str(path) in e and "day value is outside expected range" in e for e in errors)
    assert cli_check(path)[0] == 1


def test_an_impossible_date_names_line_and_rule(tmp_path: Path) -> None:
    text = GOOD.replace("valid_from: 2024-01-01", "valid_from: 2024-02-30")
    path = write(tmp_path, text)
    assert_reported(parse_errors(text, path), path, line_of(text, "2024-02-30"), RULE, "valid_from")


def test_an_absurd_window_amount_is_reported(tmp_path: Path) -> None:
    text = GOOD.replace("{after: {weeks: 2}}", "{after: {months: 99999999999}}")
    path = write(tmp_path, text)
    assert_reported(check_paths([path]).findings, path, line_of(text, "99999999999"), RULE, "months")


def test_a_cyclic_alias_is_a_ruleset_error() -> None:
    with pytest.raises(RulesetError):
        parse_ruleset("&a\nregime: *a\n", "cyclic.yaml")


def test_deep_nesting_is_a_ruleset_error() -> None:
    with pytest.raises(RulesetError):
        parse_ruleset("[" * 500 + "]" * 500, "deep.yaml")


# --------------------------------------------------------------------------------------------
# Fuzz: nothing but RulesetError escapes parse_ruleset
# --------------------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        "regime", "module", "rules", "id", "title", "legal_basis", "status", "extends", "scope", "valid_from",
        "citation", "confidence", "topic", "groups", "when", "fact", "all", "any", "not", "in", "is", "ge",
        "obligation", "quota", "right", "suspension", "window", "anchor", "deadline", "after", "first",
        "weeks", "months", "count", "step", "actor", "exempt", "repeal", "replace", "with", "amend", "set",
        "safeguards", "kind", "share", "opens", "end_of_week", "counting", "offer",
    ]
)  # fmt: skip
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-10, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        ["dagpenge", "seen", "proposed", "all", "2024-01-01", "job_interview", "a_kasse", "age"]
    )
    | st.text(max_size=10)
    | st.dates()
)
_STRUCTURES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=25,
)


def _ruleset_like() -> st.SearchStrategy[Any]:
    """Structures shaped a little like a ruleset, so the fuzz gets past the first check."""
    header = st.fixed_dictionaries(
        {"id": st.sampled_from(["dk-x", "x", "Bad Id"]), "title": st.text(max_size=5)},
        optional={"status": _SCALARS, "legal_basis": _SCALARS, "extends": _SCALARS, "scope": _STRUCTURES},
    )
    return st.fixed_dictionaries(
        {"regime": header | _STRUCTURES},
        optional={
            "rules": st.lists(st.dictionaries(_KEYS, _STRUCTURES, max_size=8), max_size=3),
            "exempt": _STRUCTURES,
        },
    )


def _dump_yaml(data: Any) -> str:
    stream = StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()


def _parse_only_ruleset_errors(text: str) -> None:
    try:
        parse_ruleset(text, "fuzz.yaml")
    except RulesetError as exc:
        assert str(exc)  # printable, as the CLI prints it


_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.text(max_size=300))
def test_any_text_raises_only_ruleset_errors(text: str) -> None:
    _parse_only_ruleset_errors(text)


_YAML_BITS = [*":-[]{}'\"#|>,?%@ \t\n", "a", "&x", "*x", "!t", "regime", "rules", "id"]


@_FUZZ
@given(st.lists(st.sampled_from(_YAML_BITS), max_size=60).map("".join))
def test_yaml_punctuation_raises_only_ruleset_errors(text: str) -> None:
    _parse_only_ruleset_errors(text)


@_FUZZ
@given(_STRUCTURES | _ruleset_like(), st.sampled_from(["yaml", "json"]))
def test_any_structure_raises_only_ruleset_errors(data: Any, dumper: str) -> None:
    text = _dump_yaml(data) if dumper == "yaml" else json.dumps(data, default=str)
    _parse_only_ruleset_errors(text)
