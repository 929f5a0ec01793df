"""The synthetic population: deterministic per seed, prefix-stable, valid, and as assumed."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date, timedelta

import pytest

import regimes
from regimes.case import Case
from regimes.dates import age_on
from regimes.diff.population import population_backend
from regimes.municipalities import MUNICIPALITIES
from regimes.synthetic import ASSUMPTIONS, GROUP_SHARES, synthetic_population
from regimes.vocabulary import TargetGroup

ON = date(2026, 10, 1)
UH = {TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT, TargetGroup.UDDANNELSESHJAELP_AKTIVITETSPARAT}
KH = {TargetGroup.KONTANTHJAELP_JOBPARAT, TargetGroup.KONTANTHJAELP_AKTIVITETSPARAT}


@pytest.fixture(scope="module")
def population() -> list[Case]:
    return synthetic_population(20_000, seed=7, on=ON)


def test_same_seed_same_population_and_other_seed_another() -> None:
    first = synthetic_population(500, seed=1, on=ON)
    assert first == synthetic_population(500, seed=1, on=ON)
    assert first != synthetic_population(500, seed=2, on=ON)
    assert [c.id for c in first[:2]] == ["syn-1-000000", "syn-1-000001"]


def test_prefix_stable_across_batches() -> None:
    """Case i reads only row i, also across the generator's internal blocks of rows."""
    small = synthetic_population(100, seed=3, on=ON)
    large = synthetic_population(9_000, seed=3, on=ON)
    assert large[:100] == small
    assert synthetic_population(8_300, seed=3, on=ON) == large[:8_300]


def test_empty_and_negative() -> None:
    assert synthetic_population(0, seed=1, on=ON) == []
    with pytest.raises(ValueError, match="'n' must be 0 or more"):
        synthetic_population(-1, seed=1, on=ON)


def test_every_case_validates_through_json(population: list[Case]) -> None:
    """A case dumped as the contract's JSON is accepted by the strict model and comes back equal."""
    for case in population:
        again = regimes.parse_case(json.loads(case.model_dump_json(exclude_defaults=True)))
        assert again == case


def test_clocks_histories_and_municipalities(population: list[Case]) -> None:
    for case in population:
        start = case.effective_period_start
        assert start is not None and ON - timedelta(days=365) <= start <= ON - timedelta(days=1)
        assert all(event.date <= ON for event in case.events), case.id
        assert all(i.end < ON for i in case.interruptions)
        if case.interruptions:
            assert case.group is TargetGroup.DAGPENGE
    assert {c.municipality for c in population} == set(MUNICIPALITIES)


def test_ages_follow_the_group_definitions(population: list[Case]) -> None:
    """Uddannelseshjælp: under 30 without vocational education; kontanthjælp: 30+ or with one."""
    for case in population:
        age = age_on(case.birth_date, ON)
        assert 18 <= age <= 66
        if case.group in UH:
            assert age < 30 and not case.has_vocational_education, case.id
        if case.group in KH:
            assert age >= 30 or case.has_vocational_education, case.id


def test_group_shares_match_the_assumptions(population: list[Case]) -> None:
    counts = Counter(c.group for c in population)
    for group, share in GROUP_SHARES.items():
        assert counts[group] / len(population) == pytest.approx(share, abs=0.01), group


def test_histories_are_varied(population: list[Case]) -> None:
    kinds = Counter(event.kind for case in population for event in case.events)
    for kind in (
        "job_interview",
        "joint_interview",
        "offer",
        "exemption_ground",
        "sickness_followup_interview",
        "early_followup_requested",
        "education_order",
        "sickness_visitation",
    ):
        assert kinds[kind] > 0, kind
    actors = Counter(
        getattr(e, "actor", None) for c in population for e in c.events if e.kind == "job_interview"
    )
    assert (
        actors[regimes.Actor.A_KASSE]
        and actors[regimes.Actor.MUNICIPALITY]
        and actors[regimes.Actor.JOBCENTER]
    )
    categories = Counter(c.visitation_category for c in population if c.group is TargetGroup.SYGEDAGPENGE)
    assert 3 not in categories  # repealed from 2025
    assert set(categories) == {None, 1, 2}


def test_before_2025_category_3_exists() -> None:
    cases = synthetic_population(3_000, seed=1, on=date(2024, 6, 1))
    assert any(c.visitation_category == 3 for c in cases)


def test_assumptions_are_json_and_shares_sum_to_one() -> None:
    text = json.dumps(ASSUMPTIONS, ensure_ascii=False)
    assert "ASSUMPTIONS" in text
    assert sum(ASSUMPTIONS["group_shares"].values()) == pytest.approx(1.0)
    assert set(ASSUMPTIONS["group_shares"]) == {g.value for g in TargetGroup}


def test_cases_evaluate_under_both_regimes() -> None:
    cases = synthetic_population(400, seed=11, on=ON)
    for regime in ("dk-lab-2024", "dk-reform-2026"):
        evaluations = regimes.evaluate_many(cases, regime, ON, backend=population_backend())
        assert len(evaluations) == len(cases)


def test_fast_enough() -> None:
    """100,000 cases in a few seconds; 20,000 here, with room for a slow test machine.

    CPU time, not wall time: on a shared machine the neighbours' load is not this code's cost.
    """
    started = time.process_time()
    synthetic_population(20_000, seed=5, on=ON)
    assert time.process_time() - started < 6.0
