"""The columnar back end gives the same evaluations as the reference, durable and vector ones.

Differential tests: generated cases (events, interruptions, suspensions, exemptions, requests)
under every bundled regime on random dates, evaluated per case by the reference semantics and
column-wise by :mod:`engine.columnar`, must give equal :class:`~regimes.Evaluation` objects,
"why not?" lists included. A batch of synthetic cases is compared in full: 2,000 cases in the
``ci`` and ``dev`` profiles, 100,000 in ``long``.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import regimes
from engine.columnar import dates as cd
from engine.columnar.tables import NO_DATE, day_number, from_day_number
from regimes import dates
from regimes.columnar import evaluate_many_columnar
from regimes.synthetic import synthetic_population
from regimes.vocabulary import TargetGroup
from strategies import case_dicts, case_start, recent_case_dicts

REGIME_IDS = sorted(info.id for info in regimes.list_regimes())
BATCH = 100_000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 2_000


def _same(cases: list[regimes.Case], regime_id: str, on: date, backend: str, explain: bool = True) -> None:
    expected = regimes.evaluate_many(cases, regime_id, on, backend=backend, explain=explain)
    got = evaluate_many_columnar(cases, regime_id, on, explain=explain)
    for e, g in zip(expected, got, strict=True):
        assert g.model_dump_json() == e.model_dump_json()
        assert g == e


@given(
    data=st.lists(recent_case_dicts(), min_size=1, max_size=6),
    days=st.integers(-30, 700),
    regime_id=st.sampled_from(REGIME_IDS),
)
def test_columnar_agrees_with_reference_on_recent_cases(
    data: list[dict[str, object]], days: int, regime_id: str
) -> None:
    cases = [regimes.parse_case(d) for d in data]
    on = case_start(data[0]) + timedelta(days=days)  # type: ignore[arg-type]
    _same(cases, regime_id, on, "reference")


@given(
    data=st.lists(case_dicts(max_events=5), min_size=1, max_size=6),
    days=st.integers(-200, 900),
    regime_id=st.sampled_from(REGIME_IDS),
)
def test_columnar_agrees_with_durable_on_any_case(
    data: list[dict[str, object]], days: int, regime_id: str
) -> None:
    cases = [regimes.parse_case(d) for d in data]
    _same(cases, regime_id, date(2024, 6, 1) + timedelta(days=days), "durable")


@given(data=st.lists(recent_case_dicts(list(TargetGroup)[:6]), min_size=1, max_size=8))
def test_columnar_resolves_like_evaluate_many(data: list[dict[str, object]]) -> None:
    cases = [regimes.parse_case(d) for d in data]
    on = date(2025, 3, 1)
    try:
        expected = regimes.evaluate_many(cases, None, on, backend="reference")
    except regimes.ResolutionError as exc:
        try:
            evaluate_many_columnar(cases, None, on)
        except regimes.ResolutionError as mine:
            assert str(mine) == str(exc)
            return
        raise AssertionError("columnar resolved what evaluate_many could not") from None
    assert evaluate_many_columnar(cases, None, on) == expected


def test_a_synthetic_batch_agrees_in_full() -> None:
    on = date(2026, 10, 1)
    cases = synthetic_population(BATCH, seed=7, on=on)
    for regime_id in ("dk-lab-2024", "dk-reform-2026"):
        expected = regimes.evaluate_many(cases, regime_id, on, backend="vector", traces=False)
        got = evaluate_many_columnar(cases, regime_id, on, traces=False)
        assert got == expected


# --- the vectorised reckonings against their scalar twins ------------------------------------

_DAYS = st.dates(date(1990, 1, 1), date(2060, 12, 31))


@given(
    st.lists(_DAYS, min_size=1, max_size=30), st.integers(1, 40), st.sampled_from(["days", "weeks", "months"])
)
def test_after_and_first_match_dates(days: list[date], n: int, unit: str) -> None:
    column = np.array([day_number(d) for d in days], dtype=np.int64)
    assert [from_day_number(x) for x in cd.after(column, unit, n)] == [
        dates.after(d, **{unit: n}) for d in days
    ]
    if unit != "days":
        assert [from_day_number(x) for x in cd.first(column, unit, n)] == [
            dates.first(d, **{unit: n}) for d in days
        ]


@given(
    st.lists(
        st.tuples(_DAYS, st.lists(st.tuples(_DAYS, st.integers(0, 90)), max_size=4)), min_size=1, max_size=10
    )
)
def test_accumulate_matches_dates(rows: list[tuple[date, list[tuple[date, int]]]]) -> None:
    deadline = np.array([day_number(d) for d, _ in rows], dtype=np.int64)
    icase, istart, iend = [], [], []
    for i, (_, spans) in enumerate(rows):
        for start, length in spans:
            icase.append(i)
            istart.append(day_number(start))
            iend.append(day_number(start) + length)
    merged = cd.merge_intervals(
        np.array(icase, dtype=np.int64), np.array(istart, dtype=np.int64), np.array(iend, dtype=np.int64)
    )
    got = cd.accumulate(deadline, *merged)
    for i, (d, spans) in enumerate(rows):
        intervals = [dates.Interval(s, s + timedelta(days=k)) for s, k in spans]
        assert from_day_number(got[i]) == dates.accumulate(d, intervals)


@given(
    st.lists(st.tuples(_DAYS, st.one_of(st.none(), _DAYS)), min_size=1, max_size=20),
    _DAYS,
    st.integers(1, 30),
    st.sampled_from(["months", "weeks"]),
)
def test_recurring_mark_matches_the_scalar_one(
    rows: list[tuple[date, date | None]], on: date, n: int, unit: str
) -> None:
    """LAB § 36 a's recurring anchor: the columns give the mark windows.recurring_mark gives."""
    from regimes.ruleset.model import RecurringAnchor
    from regimes.windows import recurring_mark

    anchor = RecurringAnchor.model_validate({"every": {unit: n}, "from": "period_start"})
    start = np.array([day_number(s) for s, _ in rows], dtype=np.int64)
    last = np.array([day_number(d) if d is not None else NO_DATE for _, d in rows], dtype=np.int64)
    got = cd.month_end(start)
    assert [from_day_number(v) for v in got] == [dates.month_end(s) for s, _ in rows]
    marks = cd.recurring_mark(start, day_number(on), unit, n, np.where(last <= day_number(on), last, NO_DATE))
    for (s, done), value in zip(rows, marks, strict=True):
        assert from_day_number(value) == recurring_mark(anchor, s, on, [done] if done else [])
