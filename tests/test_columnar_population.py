"""Population figures and caseloads on the columnar back end equal the per-case path's.

The per-case path (:func:`regimes.evaluate_many` with the vector or reference back end, one
``Evaluation`` per case) is the definition; the columnar one must give the identical report
(every figure, every count, every verdict), on the synthetic population (also generated
column-wise), on hypothesis-generated cases, and whatever the chunking.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import regimes
from regimes.caseload import caseload
from regimes.columnar import CaseColumns, columns_from_cases
from regimes.columnar_inputs import read_case_columns
from regimes.diff.model import Population
from regimes.diff.population import population_impact, write_cases_file
from regimes.diff.population_columns import CaseSource
from regimes.plan import UnsupportedPlanError
from regimes.synthetic import synthetic_population
from regimes.synthetic_columns import synthetic_chunks, synthetic_columns
from strategies import case_start, recent_case_dicts

ON = date(2026, 10, 1)
PAIRS = [
    ("dk-lab-2024", "dk-reform-2026"),
    ("dk-lab-2020", "dk-lab-2024"),
    ("dk-frikommune-ii-nordjylland", "dk-6byer-2011"),
]


def _comparable(p: Population) -> dict[str, Any]:
    data = p.model_dump(exclude={"seconds"})
    data["assumptions"].pop("backend")
    return data


@pytest.fixture(scope="module")
def population() -> list[regimes.Case]:
    return synthetic_population(3000, seed=11, on=ON)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_population_figures_identical_on_the_synthetic_population(
    population: list[regimes.Case], a: str, b: str
) -> None:
    expected = population_impact(population, a, b, on=ON, source="s", backend="vector")
    got = population_impact(population, a, b, on=ON, source="s", backend="columnar")
    assert _comparable(got) == _comparable(expected)
    assert got.assumptions["backend"] == "columnar"


def test_column_wise_generation_gives_the_same_report(population: list[regimes.Case]) -> None:
    listed = population_impact(population, *PAIRS[0], on=ON, source="s", backend="columnar")
    generated = population_impact(
        CaseSource.synthetic(3000, 11, ON, chunk=1000), *PAIRS[0], on=ON, source="s"
    )
    assert _comparable(generated) == _comparable(listed)


def test_chunking_does_not_change_the_report(population: list[regimes.Case]) -> None:
    whole = population_impact(CaseSource.of_cases(population), *PAIRS[0], on=ON, source="s")
    small = population_impact(CaseSource.of_cases(population, chunk=257), *PAIRS[0], on=ON, source="s")
    assert _comparable(small) == _comparable(whole)
    columns = columns_from_cases(population)
    sliced = population_impact(CaseSource.of_columns(columns, chunk=1000), *PAIRS[0], on=ON, source="s")
    assert _comparable(sliced) == _comparable(whole)


@pytest.mark.parametrize("regime_id", ["dk-reform-2026", "dk-lab-2024"])
def test_caseload_identical(population: list[regimes.Case], regime_id: str) -> None:
    expected = caseload(population, regime_id, ON, backend="vector")
    assert caseload(population, regime_id, ON, backend="columnar") == expected
    assert caseload(columns_from_cases(population), regime_id, ON) == expected


_NOTHING_REQUIRED = {  # a case with no obligation in its year under either regime
    "id": "c-00000",
    "birth_date": "2000-01-01",
    "municipality": "101",
    "group": "kontanthjaelp_jobparat",
    "first_inquiry_on": "2024-01-01",
}


@given(
    data=st.lists(recent_case_dicts(), min_size=1, max_size=12),
    days=st.integers(0, 500),
    pair=st.sampled_from(PAIRS),
)
@example(data=[_NOTHING_REQUIRED], days=0, pair=PAIRS[2])
def test_population_identical_on_generated_cases(
    data: list[dict[str, object]], days: int, pair: tuple[str, str]
) -> None:
    cases = [regimes.parse_case(d) for d in data]
    on = case_start(data[0]) + timedelta(days=days)  # type: ignore[arg-type]
    expected = population_impact(cases, *pair, on=on, source="g", backend="reference")
    got = population_impact(cases, *pair, on=on, source="g", backend="columnar")
    assert _comparable(got) == _comparable(expected)
    for regime_id in pair:
        assert caseload(cases, regime_id, on, backend="columnar") == caseload(
            cases, regime_id, on, backend="reference"
        )


def _same_columns(a: CaseColumns, b: CaseColumns) -> None:
    assert a.n == b.n
    assert [a.id_of(i) for i in range(a.n)] == [b.id_of(i) for i in range(b.n)]
    pairs = [
        (a.birth, b.birth),
        (a.municipality.codes, b.municipality.codes),
        (a.group.codes, b.group.codes),
        (a.visitation_category, b.visitation_category),
        *((a.clocks[k], b.clocks[k]) for k in a.clocks),
        *((a.flags[k], b.flags[k]) for k in a.flags),
        *(
            (getattr(a.events, f), getattr(b.events, f))
            for f in ("case", "day", "start", "end", "given", "keeps")
        ),
        *(
            (getattr(a.events, f).codes, getattr(b.events, f).codes)
            for f in ("kind", "actor", "offer_type", "ground")
        ),
        *((getattr(a.intervals, f), getattr(b.intervals, f)) for f in ("case", "start", "end")),
    ]
    for x, y in pairs:
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("on", [ON, date(2024, 11, 5)])
def test_synthetic_columns_are_the_synthetic_population(on: date) -> None:
    """Same seed, same cases: the column-wise generator keeps the per-case one's semantics."""
    _same_columns(
        synthetic_columns(3000, seed=5, on=on), columns_from_cases(synthetic_population(3000, 5, on=on))
    )


def test_synthetic_chunks_are_prefix_stable() -> None:
    whole = synthetic_columns(9000, seed=2, on=ON)
    first = next(synthetic_chunks(9000, seed=2, on=ON, chunk=8192))
    _same_columns(first, whole.slice(0, first.n))
    assert synthetic_columns(0, seed=2, on=ON).n == 0


def test_a_rule_the_plan_cannot_express_goes_the_per_case_way(
    population: list[regimes.Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a silent difference: a window feature the plan does not know makes the columnar
    entry points run those cases per case (here: accumulated windows declared unknown)."""
    import regimes.plan as plan_module

    monkeypatch.setattr(plan_module, "_WINDOW_FIELDS", plan_module._WINDOW_FIELDS - {"accumulated"})
    monkeypatch.setattr(plan_module, "_PLANS", {})
    regime = regimes.load_regime("dk-lab-2020")
    with pytest.raises(plan_module.UnsupportedPlanError, match="accumulated"):
        plan_module.compile_plan(regime)
    sample = population[:300]
    on = date(2021, 5, 1)
    assert regimes.evaluate_many(sample, regime, on, backend="columnar") == regimes.evaluate_many(
        sample, regime, on, backend="reference"
    )
    got = population_impact(sample, "dk-lab-2020", "dk-lab-2024", on=on, source="s", backend="columnar")
    expected = population_impact(sample, "dk-lab-2020", "dk-lab-2024", on=on, source="s", backend="vector")
    assert _comparable(got) == _comparable(expected)
    assert got.assumptions["backend"] == "vector"  # it says which path ran
    assert caseload(CaseSource.of_cases(sample), regime, on) == caseload(sample, regime, on, backend="vector")


def test_cases_with_paid_hours_go_the_per_case_way(tmp_path: Path) -> None:
    """Hours-based accumulation (C1) is not in the tables yet: such cases run per case, explicitly."""
    data = {
        "id": "h-1",
        "birth_date": "1980-01-01",
        "municipality": "101",
        "group": "dagpenge",
        "registered_on": "2026-01-05",
        "paid_hours": [{"start": "2026-01-05", "end": "2026-02-01", "hours": 148}],
    }
    cases = [regimes.parse_case(data), *synthetic_population(50, seed=2, on=ON)]
    expected = population_impact(cases, *PAIRS[0], on=ON, source="h", backend="vector")
    got = population_impact(cases, *PAIRS[0], on=ON, source="h", backend="columnar")
    assert _comparable(got) == _comparable(expected)
    assert caseload(cases, "dk-reform-2026", ON, backend="columnar") == caseload(
        cases, "dk-reform-2026", ON, backend="vector"
    )
    path = write_cases_file(cases, tmp_path / "hours.jsonl")
    with pytest.raises(UnsupportedPlanError):
        read_case_columns(path)
