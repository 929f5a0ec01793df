"""The population figures computed on the columnar back end's long result tables.

The same figures as the per-case path of :mod:`regimes.diff.population` (the tests hold them
identical), without one Python object per case:

- required steps: each case's obligations (not exempted or suspended, opening in its citizen
  year) are sorted as an evaluation lists them and hashed (two independent 64-bit hashes of the
  rows relative to the period start); the fewest-steps figures are a function of those rows
  alone, so they are computed once per distinct pattern (a population repeats a few thousand)
  with the very function the per-case path uses, and scattered back;
- deadlines: the month of the case in which each deadline falls, counted with ``bincount``;
- quota coverage: covered, met, open and missed per rule and group, as column sums.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.columnar.dates import civil
from engine.columnar.execute import KIND_OBLIGATION, KIND_QUOTA, ColumnarResult, Items
from engine.columnar.tables import NO_DATE, day_number
from engine.plan import STATUS_PRECEDENCE
from regimes.case import Case
from regimes.columnar import CaseColumns, columns_from_cases
from regimes.layer import Regime
from regimes.vocabulary import EQUIVALENT_ACTORS, Actor, Step

__all__ = ["KEPT_EVENTS", "CaseSource", "coverage_counts", "required_figures", "strip_steps"]

KEPT_EVENTS: tuple[str, ...] = ("exemption_ground", "early_followup_requested", "interview_requested")
_EXEMPTED = STATUS_PRECEDENCE.index("exempted")
_SUSPENDED = STATUS_PRECEDENCE.index("suspended")
_MET = STATUS_PRECEDENCE.index("met")
_YEAR_MONTHS = 12
_U64 = np.uint64
_I64 = np.int64

Rows = list[tuple[Step, Actor, int, int | None, int, str, float | None]]
"""One case's required obligations as ``regimes.diff.population.figures_of_rows`` reads them."""


@dataclass(frozen=True)
class CaseSource:
    """A population to run in chunks: ``n`` cases, ``chunks()`` yields them as columns, in order.

    Why chunks: a million cases' events and results need not be in memory at once; each chunk
    is evaluated and reduced (figures per case, counts per rule and group) before the next.
    """

    n: int
    chunks: Callable[[], Iterator[CaseColumns]]
    label: str = ""
    partitions: tuple[Any, ...] | None = None
    """How Dask workers load it (:class:`regimes.distributed.Partition`); ``None``: not splittable."""
    as_cases: Callable[[], Sequence[Case]] | None = None
    """The same cases as validated objects, for the per-case path (a rule the plan cannot express)."""

    @staticmethod
    def parquet(path: str | Path, chunk: int = 100_000, partition_rows: int = 250_000) -> CaseSource:
        """A Parquet case file, read straight to columns (partitionable by row groups)."""
        from regimes.columnar_inputs import parquet_row_groups, read_case_columns
        from regimes.distributed import parquet_partitions

        def chunks() -> Iterator[CaseColumns]:
            columns = read_case_columns(path)
            yield from CaseSource.of_columns(columns, chunk).chunks()

        def as_cases() -> Sequence[Case]:
            from regimes.inputs import read_cases

            return read_cases(path)

        n = sum(parquet_row_groups(path))
        return CaseSource(n, chunks, str(path), tuple(parquet_partitions(path, partition_rows)), as_cases)

    @staticmethod
    def of_cases(cases: Sequence[Case], chunk: int = 50_000) -> CaseSource:
        def chunks() -> Iterator[CaseColumns]:
            for first in range(0, len(cases), chunk):
                yield columns_from_cases(cases[first : first + chunk])

        return CaseSource(len(cases), chunks, as_cases=lambda: cases)

    @staticmethod
    def of_columns(columns: CaseColumns, chunk: int = 100_000) -> CaseSource:
        def chunks() -> Iterator[CaseColumns]:
            if columns.n <= chunk:
                yield columns
                return
            for first in range(0, columns.n, chunk):
                yield columns.slice(first, first + chunk)

        return CaseSource(columns.n, chunks)

    @staticmethod
    def synthetic(n: int, seed: int, on: date, chunk: int = 65_536) -> CaseSource:
        from regimes.distributed import synthetic_partitions
        from regimes.synthetic import synthetic_population
        from regimes.synthetic_columns import synthetic_chunks

        return CaseSource(
            n,
            lambda: synthetic_chunks(n, seed, on=on, chunk=chunk),
            f"synthetic n={n} seed={seed}",
            tuple(synthetic_partitions(n, seed, on)),
            lambda: synthetic_population(n, seed, on=on),
        )


def drop_cases(result: ColumnarResult, mask: npt.NDArray[np.bool_]) -> ColumnarResult:
    """The result without the rows of the cases where ``mask`` holds (they are counted elsewhere)."""
    keep = ~mask[result.items.case]
    it = result.items
    items = Items(
        it.case[keep],
        it.rule[keep],
        it.kind[keep],
        it.opens[keep],
        it.deadline[keep],
        it.done[keep],
        it.status[keep],
        it.by[keep],
        it.order[keep],
    )
    return ColumnarResult(
        result.plan, result.on, result.version_date, result.n, result.matched, result.in_force, items
    )


def strip_steps(columns: CaseColumns) -> CaseColumns:
    """The cases with only the events that change *what applies* (as ``_without_steps``)."""
    ev = columns.events
    keep = ev.kind.isin(KEPT_EVENTS)
    if bool(keep.all()):
        return columns
    return CaseColumns(
        ids=columns.ids,
        birth=columns.birth,
        municipality=columns.municipality,
        group=columns.group,
        clocks=columns.clocks,
        flags=columns.flags,
        visitation_category=columns.visitation_category,
        events=ev.select(keep),
        intervals=columns.intervals,
    )


def month_of(
    start: npt.NDArray[np.int64] | tuple[npt.NDArray[np.int64], ...], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The month of the case (1 = its first) in which ``day`` falls (``_month_of``, vectorised);
    ``start`` as day numbers or as their ``civil`` parts."""
    sy, sm, sday = civil(start) if isinstance(start, np.ndarray) else start
    dy, dm, dday = civil(day)
    months = (dy - sy) * 12 + dm - sm
    return np.where(dday >= sday, months + 1, months)


def _mix(x: npt.NDArray[np.uint64], salt: int) -> npt.NDArray[np.uint64]:
    """splitmix64 of ``x ^ salt``: a well-spread 64-bit hash of each value."""
    with np.errstate(over="ignore"):
        z = x ^ _U64(salt)
        z = z + _U64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
        return z ^ (z >> _U64(31))


def _segment_sums(
    values: npt.NDArray[np.uint64], case: npt.NDArray[np.int64], n: int
) -> npt.NDArray[np.uint64]:
    """Per case the (wrapping) sum of its rows' values; rows sorted by case."""
    total = np.zeros(len(values) + 1, dtype=_U64)
    with np.errstate(over="ignore"):
        np.cumsum(values, dtype=_U64, out=total[1:])
        ends = np.searchsorted(case, np.arange(n, dtype=_I64), side="right")
        starts = np.searchsorted(case, np.arange(n, dtype=_I64), side="left")
        return np.asarray(total[ends] - total[starts], dtype=_U64)


def _actor_class(actor: str) -> Actor:
    return min(EQUIVALENT_ACTORS[Actor(actor)], key=lambda a: a.value)


def required_figures(
    result: ColumnarResult,
    start: npt.NDArray[np.int64],
    figures_of: Callable[[Rows], tuple[float, float, float, float]],
    deadlines: Counter[str],
    bucket_names: Sequence[str],
    cache: dict[tuple[int, int], tuple[float, float, float, float]] | None = None,
) -> npt.NDArray[np.float64]:
    """``(n, 4)`` required interviews, offers, follow-ups and hours per case; deadline buckets
    counted into ``deadlines`` (names by index: months 1–12, "later", "no deadline").

    ``cache`` (pattern hashes → figures) carries patterns from one chunk of the same plan and
    minutes to the next: chunks repeat each other's patterns.
    """
    plan = result.plan
    items = result.items
    n = result.n
    keep = ((items.kind == KIND_OBLIGATION) | (items.kind == KIND_QUOTA)) & (items.status != _EXEMPTED)
    keep &= items.status != _SUSPENDED
    case = items.case[keep]
    opens = items.opens[keep]
    keep_rows = np.flatnonzero(keep)
    parts = civil(start)
    in_year = month_of(tuple(x[case] for x in parts), opens) <= _YEAR_MONTHS
    rows = keep_rows[in_year]
    case, opens = case[in_year], opens[in_year]
    deadline = items.deadline[rows]
    rule = items.rule[rows]
    has_deadline = deadline != NO_DATE
    # Deadline buckets.
    month = np.maximum(month_of(tuple(x[case] for x in parts), np.where(has_deadline, deadline, opens)), 1)
    bucket = np.where(
        ~has_deadline, _YEAR_MONTHS + 1, np.where(month <= _YEAR_MONTHS, month - 1, _YEAR_MONTHS)
    )
    counts = np.bincount(bucket, minlength=len(bucket_names))
    for i, name in enumerate(bucket_names):
        deadlines[name] += int(counts[i])
    # Rows in the order an evaluation lists them: (opens, no deadline last, deadline or opens, rule).
    order = np.lexsort((rule, np.where(has_deadline, deadline, opens), ~has_deadline, opens, case))
    case, opens, deadline, rule, has_deadline = (
        case[order],
        opens[order],
        deadline[order],
        rule[order],
        has_deadline[order],
    )
    rel_open = (opens - start[case]).astype(_I64)
    rel_dead = np.where(has_deadline, deadline - start[case], -(2**40)).astype(_I64)
    position = np.arange(len(case), dtype=_I64) - np.searchsorted(case, case, side="left")
    row_code = rule.astype(_U64) * _U64(1 << 20) ^ position.astype(_U64)
    h1 = _mix(_mix(rel_open.astype(_U64), 1) ^ _mix(rel_dead.astype(_U64), 2) ^ _mix(row_code, 3), 4)
    h2 = _mix(_mix(rel_open.astype(_U64), 5) + _mix(rel_dead.astype(_U64), 6) + _mix(row_code, 7), 8)
    k1 = _segment_sums(h1, case, n)
    k2 = _segment_sums(h2, case, n)
    uniques, first, inverse = np.unique(k1, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not bool((k2[first[inverse]] == k2).all()):  # pragma: no cover - a 64-bit collision
        uniques, first, inverse = np.unique(
            np.stack([k1, k2], axis=1), axis=0, return_index=True, return_inverse=True
        )
    starts = np.searchsorted(case, np.arange(n, dtype=_I64), side="left")
    ends = np.searchsorted(case, np.arange(n, dtype=_I64), side="right")
    table = np.zeros((len(uniques), 4), dtype=np.float64)
    actor_class = {r.actor: _actor_class(r.actor) for r in plan.rules if r.actor is not None}
    known = {} if cache is None else cache
    for u, representative in enumerate(first.tolist()):
        key = (int(k1[representative]), int(k2[representative]))
        hit = known.get(key)
        if hit is not None:
            table[u] = hit
            continue
        lo, hi = int(starts[representative]), int(ends[representative])
        pattern: Rows = []
        for r in range(lo, hi):
            rp = plan.rules[int(rule[r])]
            assert rp.step is not None and rp.actor is not None
            quota = rp.effect == "quota"
            pattern.append(
                (
                    Step(rp.step),
                    actor_class[rp.actor],
                    int(rel_open[r]),
                    int(rel_dead[r]) if has_deadline[r] else None,
                    rp.count,
                    "quota" if quota else "obligation",
                    rp.share if quota else None,
                )
            )
        table[u] = known[key] = figures_of(pattern)
    return table[inverse.reshape(-1)]


def coverage_counts(
    result: ColumnarResult, group_codes: npt.NDArray[Any], groups: Sequence[str]
) -> dict[tuple[str, str], list[Any]]:
    """Quota coverage per (rule id, group): ``[citation, share, covered, met, open, missed]``."""
    plan = result.plan
    items = result.items
    quota = items.kind == KIND_QUOTA
    out: dict[tuple[str, str], list[Any]] = {}
    if not quota.any():
        return out
    case = items.case[quota]
    rule = items.rule[quota]
    status = items.status[quota]
    deadline = items.deadline[quota]
    today = day_number(result.on)
    met = status == _MET
    still_open = ~met & ((deadline == NO_DATE) | (today <= deadline))
    missed = ~met & ~still_open
    g = group_codes[case].astype(_I64)
    n_groups = len(groups)
    key = rule * n_groups + g
    size = len(plan.rules) * n_groups
    covered_n = np.bincount(key, minlength=size)
    met_n = np.bincount(key[met], minlength=size)
    open_n = np.bincount(key[still_open], minlength=size)
    missed_n = np.bincount(key[missed], minlength=size)
    for k in np.flatnonzero(covered_n).tolist():
        rp = plan.rules[k // n_groups]
        name = (rp.id, groups[k % n_groups])
        row = out.setdefault(name, [rp.citation, rp.share or 0.0, 0, 0, 0, 0])
        row[2] += int(covered_n[k])
        row[3] += int(met_n[k])
        row[4] += int(open_n[k])
        row[5] += int(missed_n[k])
    return out


def caseload_counts(chunk: CaseColumns, regime: Regime, on: date) -> dict[tuple[str, str], list[Any]]:
    """Quota counts per (rule, group) of one chunk; cases another law judges (transitions, C8)
    are counted the per-case way, explicitly."""
    from regimes.caseload import _pooled_groups, caseload
    from regimes.columnar import GROUPS, cases_from_columns, evaluate_columns, transition_cases

    result = evaluate_columns(chunk, regime, on)
    moved = transition_cases(result, regime)
    pooled = _pooled_groups(regime)
    counts: dict[tuple[str, str], list[Any]] = {}
    kept = drop_cases(result, moved) if moved.any() else result
    # A pooled quota is one row over all its groups (as the per-case caseload counts it).
    for (rule, group), row in coverage_counts(kept, chunk.group.codes, GROUPS).items():
        into = counts.setdefault((rule, pooled.get(rule, group)), [row[0], row[1], 0, 0, 0, 0])
        for k in range(2, 6):
            into[k] += row[k]
    if not moved.any():
        return counts
    report = caseload(cases_from_columns(chunk, np.flatnonzero(moved)), regime, on, backend="vector")
    for q in report.quotas:
        row = counts.setdefault((q.rule, q.group), [q.citation, q.share, 0, 0, 0, 0])
        row[2] += q.covered
        row[3] += q.met
        row[4] += q.open
        row[5] += q.missed
    return counts
