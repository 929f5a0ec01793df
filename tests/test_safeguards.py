"""Safeguards (hegnspæle): every deviating regime keeps what it declares, and a broken copy fails.

Two independent readings are held to each other: the exact class-based check that
``regimes check`` runs (``regimes.safeguards.check_safeguards``) and a per-case reading
(``case_violations``) applied to evaluations of generated cases.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import regimes
from regimes.check import check_paths
from regimes.safeguards import case_violations, check_safeguards
from regimes.vocabulary import TargetGroup
from strategies import case_dicts

DEVIATING = ["dk-reform-2026", "dk-frikommune-ii-nordjylland", "dk-velfaerdsaftale-2023", "dk-6byer-2011"]


@pytest.mark.parametrize("regime_id", DEVIATING)
def test_bundled_regimes_keep_their_safeguards(regime_id: str) -> None:
    findings, _notes = check_safeguards(regimes.load_regime(regime_id))
    assert findings == []


@pytest.mark.parametrize(
    "regime_id", ["dk-frikommune-ii-nordjylland", "dk-velfaerdsaftale-2023", "dk-6byer-2011"]
)
def test_regimes_without_case_level_safeguards_say_so(regime_id: str) -> None:
    _findings, notes = check_safeguards(regimes.load_regime(regime_id))
    assert any("no case-level safeguard" in n for n in notes)


@given(
    data=case_dicts(
        [
            TargetGroup.DAGPENGE,
            TargetGroup.KONTANTHJAELP_JOBPARAT,
            TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT,
            TargetGroup.LEDIGHEDSYDELSE,
        ],
        max_events=4,
    ),
    days=st.integers(0, 400),
)
def test_reform_safeguards_hold_for_generated_cases(data: dict[str, object], days: int) -> None:
    regime = regimes.load_regime("dk-reform-2026")
    case = regimes.parse_case(data)
    on = date(2026, 7, 1) + timedelta(days=days)
    evaluation = regimes.evaluate(case, regime, on)
    assert case_violations(regime, case, evaluation) == []


@given(data=case_dicts(max_events=3), days=st.integers(0, 700))
def test_per_case_reading_agrees_on_every_deviating_regime(data: dict[str, object], days: int) -> None:
    case = regimes.parse_case(data)
    for regime_id in DEVIATING:
        regime = regimes.load_regime(regime_id)
        on = (regime.valid_from or date(2020, 1, 1)) + timedelta(days=days)
        assert case_violations(regime, case, regimes.evaluate(case, regime, on)) == []


BROKEN = """
regime:
  id: dk-reform-2026-broken
  title: A deliberately broken copy of the reform
  legal_basis: test
  status: proposed
  valid_from: 2026-07-01
  scope: all
  extends: dk-reform-2026
exempt:
  - rules: [lab-2024.dagpenge.intensified-effort-16m]
    when: {fact: age, ge: 50}
    citation: a test that breaks the 16-month safeguard
    confidence: secondary
  - rules: [reform-2026.jobparate.first-interview]
    when: {fact: has_vocational_education, is: true}
    citation: a test that breaks the first-interview safeguard
    confidence: secondary
safeguards:
  - id: broken.sixteen-months
    description: the 16-month rules stay
    kind: not_exempted
    rules: [lab-2024.dagpenge.joint-interview-16m, lab-2024.dagpenge.intensified-effort-16m]
    confidence: secondary
  - id: broken.first-interview
    description: the first interview stays for job-ready people
    kind: must_apply
    rule: reform-2026.jobparate.first-interview
    when: {fact: group, eq: kontanthjaelp_jobparat}
    confidence: secondary
"""


def _witness(finding: str) -> tuple[dict[str, object], date]:
    _, _, witness = finding.partition("witness on ")
    day, _, text = witness.partition(": ")
    return json.loads(text), date.fromisoformat(day)


def test_a_broken_copy_fails_check_with_witness_cases(tmp_path: Path) -> None:
    path = tmp_path / "dk-reform-2026-broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    report = check_paths([path])
    guarded = [f for f in report.findings if "safeguard" in f]
    assert any("broken.sixteen-months" in f for f in guarded), report.findings
    assert any("broken.first-interview" in f for f in guarded), report.findings
    regime = regimes.load_regime(path)
    for finding in guarded:
        assert f"{path}:" in finding  # file and line of the safeguard
        data, on = _witness(finding)
        case = regimes.parse_case(data)  # a real, valid case
        evaluation = regimes.evaluate(case, regime, on)
        assert case_violations(regime, case, evaluation), finding  # and it reproduces the breach
        if "sixteen-months" in finding:
            assert int(str(case.birth_date)[:4]) <= on.year - 50
            assert evaluation.obligation("lab-2024.dagpenge.intensified-effort-16m").status == "exempted"
        else:
            assert case.has_vocational_education
            assert evaluation.obligation("reform-2026.jobparate.first-interview").status == "exempted"
