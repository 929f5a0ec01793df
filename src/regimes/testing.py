"""YAML test cases that sit beside the rulesets (``rulesets/<id>.tests.yaml``).

Why YAML and not only pytest: the people who write a rule (a lawyer, an analyst) should
write the cases that pin it down, in the same vocabulary, next to the rule. Each rule
needs at least one case where it *fires* (applies; for a suspension: pauses something) and
one where it does *not*; ``regimes check`` fails a rule without both.

A test file::

    regime: dk-lab-2024            # default regime of the tests in this file
    cases:                         # named cases the tests start from
      dp: {id: c-1, birth_date: 1985-06-01, municipality: "219", group: dagpenge,
           registered_on: 2024-03-04}
    tests:
      - rule: lab-2024.dagpenge.first-interview-akasse
        case: dp                   # a named case, or a case mapping
        set: {jobcenter_course_from_day_one: true}   # fields laid over the case
        events: [...]              # events added to the case
        on: 2024-03-10
        expect: {applies: false}   # or status/count/done/opens/deadline/by/actor/suspends
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regimes.case import Case
from regimes.errors import CaseError, RegimesError, RulesetError, RulesetErrors
from regimes.evaluate import evaluate
from regimes.layer import Layering
from regimes.library import TESTS_SUFFIX
from regimes.ruleset.load import LoadedFile, Path_, _plain
from regimes.vocabulary import Actor, RightStatus, Status


class Expect(BaseModel):
    """What a test asserts; only the fields given are checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    applies: bool = True
    status: Status | RightStatus | None = None
    count: int | None = None
    done: int | None = None
    opens: date | None = None
    deadline: date | None = None
    no_deadline: bool | None = None
    actor: Actor | None = None
    by: str | None = None
    suspends: str | None = None


class TestCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    name: str | None = None
    regime: str | None = None
    case: str | dict[str, Any]
    set: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    on: date
    include_unverified: bool = False
    expect: Expect


class TestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    regime: str | None = None
    cases: dict[str, dict[str, Any]] = {}
    tests: list[TestCase] = Field(min_length=1)


@dataclass
class Outcome:
    """The result of one YAML test."""

    file: Path
    line: int | None
    rule: str
    name: str
    fires: bool
    passed: bool
    problems: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else str(self.file)


def tests_path_for(ruleset_path: Path) -> Path:
    """``rulesets/dk-lab-2024.yaml`` → ``rulesets/dk-lab-2024.tests.yaml``."""
    return ruleset_path.with_name(ruleset_path.stem + TESTS_SUFFIX)


def load_test_file(path: Path) -> tuple[TestFile, dict[Path_, int]]:
    """Parse a test file; errors name file and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        node = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise RulesetErrors([RulesetError(f"cannot read test file: {exc}", file=path)]) from None
    lines: dict[Path_, int] = {}
    data = _plain(node, (), lines)
    try:
        return TestFile.model_validate(data), lines
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = None
            for end in range(len(loc), -1, -1):
                line = lines.get(loc[:end])
                if line is not None:
                    break
            errors.append(
                RulesetError(str(error["msg"]), file=path, line=line, field=".".join(str(p) for p in loc))
            )
        raise RulesetErrors(errors) from None


def _build_case(test: TestCase, named: Mapping[str, dict[str, Any]]) -> Case:
    if isinstance(test.case, str):
        if test.case not in named:
            msg = f"unknown named case {test.case!r} (named: {', '.join(named) or 'none'})"
            raise CaseError(msg, field="case")
        data = dict(named[test.case])
    else:
        data = dict(test.case)
    data.update(test.set)
    data["events"] = [*data.get("events", []), *test.events]
    from regimes.case import parse_case

    return parse_case(data)


def _check(
    test: TestCase, case: Case, layering: Layering, default_regime: str | None
) -> tuple[bool, list[str]]:
    """Run one test: ``(fires, problems)``."""
    regime_id = test.regime or default_regime
    if regime_id is None:
        return False, ["no regime given (set 'regime' in the file or the test)"]
    regime = layering.build(regime_id)
    ev = evaluate(case, regime, test.on, include_unverified=test.include_unverified)
    expect = test.expect
    if expect.suspends is not None:
        target = ev.obligation(expect.suspends) or ev.right(expect.suspends)
        suspended = target is not None and target.status is Status.SUSPENDED and target.by == test.rule
        if suspended != expect.applies:
            state = "is" if suspended else "is not"
            return suspended, [f"{expect.suspends} {state} suspended by {test.rule}"]
        return suspended, []
    found: Any = ev.obligation(test.rule) or ev.right(test.rule)
    fires = found is not None
    if fires != expect.applies:
        if fires:
            return fires, ["the rule applies, but the test expects it not to"]
        not_applied = evaluate(
            case, regime, test.on, include_unverified=test.include_unverified, explain=True
        )
        reason = next(
            (n.reason for n in not_applied.not_applied or [] if n.rule == test.rule), "not in the regime"
        )
        return fires, [f"the rule does not apply ({reason})"]
    problems: list[str] = []
    if found is not None:
        for name in ("status", "count", "done", "opens", "deadline", "actor", "by"):
            wanted = getattr(expect, name)
            if wanted is None:
                continue
            got = getattr(found, name, None)
            if got != wanted:
                problems.append(f"{name}: expected {wanted}, got {got}")
        if expect.no_deadline and getattr(found, "deadline", None) is not None:
            problems.append(f"deadline: expected none, got {found.deadline}")
    return fires, problems


def run_test_file(path: Path, layering: Layering) -> list[Outcome]:
    """Run every test of one file."""
    spec, lines = load_test_file(path)
    outcomes = []
    for index, test in enumerate(spec.tests):
        line = lines.get(("tests", index))
        name = test.name or ("fires" if test.expect.applies else "does not fire")
        try:
            case = _build_case(test, spec.cases)
            _fires, problems = _check(test, case, layering, spec.regime)
        except RegimesError as exc:
            problems = [str(exc)]
        outcomes.append(
            Outcome(
                file=path,
                line=line,
                rule=test.rule,
                name=name,
                fires=test.expect.applies,
                passed=not problems,
                problems=problems,
            )
        )
    return outcomes


def tested_rules(paths: Sequence[Path]) -> dict[str, set[bool]]:
    """For each rule id, which outcomes (fires / does not fire) its tests cover."""
    covered: dict[str, set[bool]] = {}
    for path in paths:
        spec, _ = load_test_file(path)
        for test in spec.tests:
            covered.setdefault(test.rule, set()).add(test.expect.applies)
    return covered


def test_files_for(files: Sequence[LoadedFile]) -> list[Path]:
    """The test files beside the given ruleset files that exist."""
    return [p for p in (tests_path_for(f.path) for f in files) if p.exists()]
