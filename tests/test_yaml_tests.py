"""The YAML test cases beside the rulesets (``rulesets/*.tests.yaml``) all pass, and the runner can fail.

The second half matters as much as the first: a runner that never reports a failure would make
every bundled test file "pass". A test with a wrong expected deadline must come back failed,
naming the rule and saying ``deadline: expected …``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from regimes.cli import app
from regimes.library import TESTS_SUFFIX, bundled, rulesets_dir
from regimes.testing import Outcome, run_test_file

TEST_FILES = sorted(rulesets_dir().glob(f"*{TESTS_SUFFIX}"))

WRONG_DEADLINE = """\
regime: dk-lab-2024
cases:
  dp24: {id: c-0001, birth_date: 1985-06-01, municipality: "219", group: dagpenge, registered_on: 2024-03-04}
tests:
  - rule: lab-2024.dagpenge.first-interview-akasse
    name: right
    case: dp24
    on: 2024-03-10
    expect: {status: due, deadline: 2024-03-18}
  - rule: lab-2024.dagpenge.first-interview-akasse
    name: wrong deadline
    case: dp24
    on: 2024-03-10
    expect: {status: due, deadline: 2024-03-19}
"""


def _describe(outcomes: list[Outcome]) -> str:
    return "\n".join(
        f"{o.where}: {o.rule} ({o.name}): {'; '.join(o.problems)}" for o in outcomes if not o.passed
    )


def test_there_are_test_files() -> None:
    assert len(TEST_FILES) >= 4
    assert {p.name for p in TEST_FILES} >= {
        "dk-lab-2020.tests.yaml",
        "dk-lab-2024.tests.yaml",
        "sdl.tests.yaml",
    }


@pytest.mark.parametrize("path", TEST_FILES, ids=[p.name for p in TEST_FILES])
def test_bundled_yaml_tests_pass(path: Path) -> None:
    outcomes = run_test_file(path, bundled())
    assert outcomes
    assert all(o.passed for o in outcomes), _describe(outcomes)
    # every test knows where it sits, so a failure can be found
    assert all(o.line for o in outcomes)


@pytest.mark.parametrize("path", TEST_FILES, ids=[p.name for p in TEST_FILES])
def test_each_file_has_tests_that_fire_and_that_do_not(path: Path) -> None:
    outcomes = run_test_file(path, bundled())
    assert {o.fires for o in outcomes} == {True, False}


def test_the_runner_reports_a_wrong_deadline(tmp_path: Path) -> None:
    path = tmp_path / "wrong.tests.yaml"
    path.write_text(WRONG_DEADLINE, encoding="utf-8")
    outcomes = run_test_file(path, bundled())
    assert [o.passed for o in outcomes] == [True, False]
    failed = outcomes[1]
    assert failed.rule == "lab-2024.dagpenge.first-interview-akasse"
    assert failed.name == "wrong deadline"
    assert failed.line == 10
    assert failed.problems == ["deadline: expected 2024-03-19, got 2024-03-18"]
    assert "deadline: expected" in "; ".join(failed.problems)


@pytest.mark.parametrize(
    ("expect", "problem"),
    [
        pytest.param("{status: overdue}", "status: expected overdue, got due", id="status"),
        pytest.param("{count: 2}", "count: expected 2, got 1", id="count"),
        pytest.param("{actor: jobcenter}", "actor: expected jobcenter, got a_kasse", id="actor"),
        pytest.param("{applies: false}", "the rule applies", id="applies"),
        pytest.param("{no_deadline: true}", "deadline: expected none", id="no-deadline"),
    ],
)
def test_the_runner_reports_other_wrong_expectations(tmp_path: Path, expect: str, problem: str) -> None:
    path = tmp_path / "wrong.tests.yaml"
    path.write_text(WRONG_DEADLINE.replace("{status: due, deadline: 2024-03-19}", expect), encoding="utf-8")
    failed = run_test_file(path, bundled())[1]
    assert not failed.passed
    assert any(problem in p for p in failed.problems), failed.problems


def test_the_runner_reports_a_rule_that_does_not_apply(tmp_path: Path) -> None:
    path = tmp_path / "wrong.tests.yaml"
    text = WRONG_DEADLINE.replace("{status: due, deadline: 2024-03-19}", "{status: due}").replace(
        "    name: wrong deadline\n    case: dp24\n",
        "    name: wrong deadline\n    case: dp24\n    set: {jobcenter_course_from_day_one: true}\n",
    )
    path.write_text(text, encoding="utf-8")
    failed = run_test_file(path, bundled())[1]
    assert not failed.passed
    assert "does not apply" in failed.problems[0]
    assert "jobcenter_course_from_day_one" in failed.problems[0]  # the "why not?"


def test_the_cli_fails_on_a_wrong_test(tmp_path: Path) -> None:
    path = tmp_path / "wrong.tests.yaml"
    path.write_text(WRONG_DEADLINE, encoding="utf-8")
    result = CliRunner().invoke(app, ["test", str(path)])
    assert result.exit_code == 1
    assert "1 passed, 1 failed" in result.stdout
    assert f"{path}:10: rule 'lab-2024.dagpenge.first-interview-akasse'" in result.output
    assert "deadline: expected 2024-03-19" in result.output


def test_a_bad_test_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tests.yaml"
    path.write_text(
        WRONG_DEADLINE.replace("    on: 2024-03-10\n", "    on: 2024-03-10\n    expects: {}\n", 1)
    )
    result = CliRunner().invoke(app, ["test", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert "expects" in result.output
    assert "Traceback" not in result.output


def test_cli_test_runs_the_tests_beside_a_new_ruleset(tmp_path: Path) -> None:
    (tmp_path / "dk-test-2025.yaml").write_text(
        "regime:\n  id: dk-test-2025\n  title: t\n  legal_basis: none\n"
        "  status: proposed\n  extends: dk-lab-2024\n",
        encoding="utf-8",
    )
    (tmp_path / "dk-test-2025.tests.yaml").write_text(
        WRONG_DEADLINE.replace("regime: dk-lab-2024", "regime: dk-test-2025").replace(
            "2024-03-19", "2024-03-18"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["test", str(tmp_path)])
    assert "2 passed, 0 failed" in result.stdout, result.output
