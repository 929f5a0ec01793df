"""What a difference between two regimes adds up to over a set of cases (concepts.md, "Diff" 3).

A structural or behavioural diff says *which* cases are treated differently; an analyst next asks
*how much*: how many interviews, offers and sickness follow-ups does each regime require per
citizen-year, how many caseworker hours is that, for which groups and municipalities, and can
the municipalities meet the new quotas? :func:`population_impact` answers that for any list of
cases (a file read with :func:`read_cases_file`, or :func:`regimes.synthetic.synthetic_population`).

How a case is counted (every choice is repeated in ``Population.assumptions``):

- **Citizen-year.** Each case contributes its first 12 months, counted from its period start
  (the LAB § 9 clock; for sygedagpenge the first day of sickness): the obligations whose window
  *opens* in that year. Figures are averages per case, so per citizen-year.
- **Required, not done.** Required figures are read from an evaluation of the case *without its
  performed steps* (interviews, offers and other step events are set aside; exemption grounds
  and requests, which change what applies, are kept). Why: an evaluation reports an obligation
  as ``met`` before it asks whether a regime lifted it, so with the history in place a lifted
  rule that happened to be fulfilled would still count as required. Quota coverage, which is
  about what was done, uses the full history.
- **Fewest steps.** Obligations of the same step and actor (jobcenter and municipality are one
  authority) share steps when their windows overlap: the first a-kasse interview within 2 weeks
  is one of the three in the first 3 months (the ruleset says it counts), so a dagpenge case
  under ``dk-lab-2024`` requires 3 a-kasse interviews, not 4. The number required is the fewest
  dated steps that satisfy every obligation at once (greedy by deadline, which is exact for
  windows on a line).
- **Lifted and paused.** ``exempted`` and ``suspended`` obligations do not count.
- **Quotas at the floor.** A waivable quota binds only the floor's share of the caseload, so it
  counts as ``share ×`` the steps it adds to the case's binding obligations (``0.75 × 2`` a-kasse
  interviews when nothing else asks for them; ``0.75 × 1`` extra when a binding first interview
  already covers one).
- **Hours.** Σ required steps × standard minutes / 60, for steps whose actor is a caseworker
  (``minutes.yaml``; override with ``minutes=``).

    >>> from datetime import date
    >>> from regimes import Case
    >>> case = Case.model_validate({"id": "dp", "birth_date": "1980-01-01", "municipality": "101",
    ...     "group": "dagpenge", "registered_on": "2025-01-06"})
    >>> pop = population_impact([case], "dk-lab-2024", "dk-reform-2026", on=date(2025, 3, 1),
    ...     source="doctest", backend="reference")
    >>> pop.total.interviews_a, pop.total.offers_a
    (7.0, 1.0)
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from regimes.case import Case
from regimes.caseload import caseload
from regimes.columnar import CaseColumns
from regimes.diff.model import Population, PopulationRow
from regimes.diff.population_columns import CaseSource
from regimes.errors import CaseError, RegimesError, RulesetError
from regimes.evaluate import evaluate_many
from regimes.inputs import read_cases
from regimes.layer import Regime
from regimes.library import load_regime
from regimes.municipalities import MUNICIPALITIES
from regimes.plan import UnsupportedPlanError
from regimes.results import Evaluation, Obligation
from regimes.vocabulary import EQUIVALENT_ACTORS, Actor, Status, Step, TargetGroup

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "FOLLOWUP_STEPS",
    "INTERVIEW_STEPS",
    "OFFER_STEPS",
    "Minutes",
    "count_required",
    "fewest_steps",
    "headline",
    "load_minutes",
    "population_backend",
    "population_impact",
    "read_cases_file",
    "write_cases_file",
]

INTERVIEW_STEPS: Final = frozenset(
    {Step.JOB_INTERVIEW, Step.JOINT_INTERVIEW, Step.CV_INTERVIEW, Step.AVAILABILITY_INTERVIEW}
)
"""Steps counted as interviews."""
OFFER_STEPS: Final = frozenset({Step.OFFER})
"""Steps counted as offers (ret og pligt)."""
FOLLOWUP_STEPS: Final = frozenset({Step.SICKNESS_FOLLOWUP_INTERVIEW})
"""Steps counted as sickness follow-ups."""

YEAR_MONTHS: Final = 12
"""A citizen-year: the first 12 months of a case."""
CHUNK: Final = 2000
"""Cases per batch handed to the back end (and per step of the progress bar)."""

_KEPT_EVENTS: Final = frozenset({"exemption_ground", "early_followup_requested", "interview_requested"})
_NOT_REQUIRED: Final = frozenset({Status.EXEMPTED, Status.SUSPENDED})
_OPEN_ENDED: Final = date.max.toordinal()


# --------------------------------------------------------------------------------------------
# Minutes per step (parameters)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Minutes:
    """Standard caseworker minutes per step, and whose steps count as caseworker time."""

    minutes: Mapping[Step, float]
    caseworker_actors: frozenset[Actor]
    source: str
    label: str

    def hours(self, step: Step, actor: Actor, count: float) -> float:
        """Caseworker hours of ``count`` steps (0 for a citizen's or an employer's step)."""
        if actor not in self.caseworker_actors:
            return 0.0
        return count * self.minutes.get(step, 0.0) / 60.0

    def as_assumption(self) -> dict[str, Any]:
        """The table as ``Population.assumptions`` shows it."""
        return {
            "label": self.label,
            "source": self.source,
            "caseworker_actors": sorted(a.value for a in self.caseworker_actors),
            "minutes": {s.value: m for s, m in self.minutes.items()},
        }


def _read_yaml(text: str, where: str) -> Any:
    """Plain data from minutes YAML, read with the limits of :mod:`regimes.ruleset.yaml_input`."""
    from regimes.ruleset.yaml_input import load_yaml

    return load_yaml(text, where)[0]


def _parse_minutes(data: Any, where: str, base: Minutes | None) -> Minutes:
    if not isinstance(data, Mapping):
        raise RulesetError("must be a mapping with 'minutes' (step: minutes)", file=where)
    unknown = sorted(set(data) - {"label", "caseworker_actors", "minutes"})
    if unknown:
        raise RulesetError(
            f"'{unknown[0]}' is not a known key (label, caseworker_actors, minutes)", file=where
        )
    table: dict[Step, float] = dict(base.minutes) if base else {}
    raw = data.get("minutes", {})
    if not isinstance(raw, Mapping):
        raise RulesetError("'minutes' must be a mapping step: minutes", file=where, field="minutes")
    for key, value in raw.items():
        try:
            step = Step(key)
        except ValueError:
            steps = ", ".join(s.value for s in Step)
            msg = f"'minutes.{key}' is not a step (one of {steps})"
            raise RulesetError(msg, file=where, field=f"minutes.{key}") from None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
            or not math.isfinite(value)
        ):
            msg = f"'minutes.{key}' must be a number of minutes, 0 or more (got {value!r})"
            raise RulesetError(msg, file=where, field=f"minutes.{key}")
        table[step] = float(value)
    actors = (
        base.caseworker_actors if base else frozenset({Actor.JOBCENTER, Actor.MUNICIPALITY, Actor.A_KASSE})
    )
    if "caseworker_actors" in data:
        given = data["caseworker_actors"]
        try:
            actors = frozenset(Actor(a) for a in given)
        except (TypeError, ValueError):
            msg = f"'caseworker_actors' must be a list of actors (got {given!r})"
            raise RulesetError(msg, file=where, field="caseworker_actors") from None
    label = str(data.get("label", base.label if base else "minutes per step"))
    source = where if base is None else f"{base.source}, overridden by {where}"
    return Minutes(minutes=table, caseworker_actors=actors, source=source, label=label)


def load_minutes(minutes: str | Path | Mapping[str, Any] | Minutes | None = None) -> Minutes:
    """The bundled ``minutes.yaml``, optionally overridden by a file or a mapping of the same shape.

    An override needs only the steps it changes: ``{"minutes": {"job_interview": 30}}``.

    Raises:
        RulesetError: the file is missing or invalid; the message names the file and the key.
    """
    if isinstance(minutes, Minutes):
        return minutes
    bundled_text = (resources.files("regimes") / "data" / "minutes.yaml").read_text(encoding="utf-8")
    base = _parse_minutes(_read_yaml(bundled_text, "minutes.yaml"), "regimes/data/minutes.yaml", None)
    if minutes is None:
        return base
    if isinstance(minutes, Mapping):
        return _parse_minutes(minutes, "minutes given", base)
    from regimes.ruleset.yaml_input import read_yaml_text

    path = Path(minutes)
    text = read_yaml_text(path)  # bounded, UTF-8 (a BOM is dropped); errors name the file and line
    return _parse_minutes(_read_yaml(text, str(path)), str(path), base)


# --------------------------------------------------------------------------------------------
# Counting required steps
# --------------------------------------------------------------------------------------------


def fewest_steps(windows: Iterable[tuple[int, int, int]]) -> int:
    """The fewest dated steps such that each ``(opens, deadline, count)`` window holds ``count``.

    Greedy by deadline, placing missing steps as late as possible: optimal for intervals on a
    line (a later step can only serve more of the windows still to come). Days are ordinals.

    >>> fewest_steps([(0, 14, 1), (0, 90, 3)])   # the first interview is one of the three
    3
    >>> fewest_steps([(0, 90, 3), (91, 181, 3)])  # disjoint windows add up
    6
    """
    placed: list[int] = []
    for opens, deadline, count in sorted(windows, key=lambda w: (w[1], w[0])):
        have = bisect_right(placed, deadline) - bisect_left(placed, opens)
        for _ in range(count - have):
            insort(placed, deadline)
    return len(placed)


def _actor_class(actor: Actor) -> Actor:
    """One representative per authority: jobcenter and municipality count as the same."""
    return min(EQUIVALENT_ACTORS[actor], key=lambda a: a.value)


def _month_of(start: date, day: date) -> int:
    """The month of the case (1 = its first month) in which ``day`` falls; ≤ 0 before the start."""
    months = (day.year - start.year) * 12 + day.month - start.month
    return months + 1 if day.day >= start.day else months


def _bucket(start: date, deadline: date | None) -> str:
    if deadline is None:
        return "no deadline"
    month = max(_month_of(start, deadline), 1)
    return f"month {month:02d}" if month <= YEAR_MONTHS else "later"


DEADLINE_BUCKETS: Final = (*(f"month {m:02d}" for m in range(1, YEAR_MONTHS + 1)), "later", "no deadline")
"""Keys of ``Population.deadlines_a/b``: the month of the case in which an obligation's deadline falls."""


@dataclass
class _Figures:
    """One case under one regime: required steps in its first year, and its deadlines."""

    interviews: float = 0.0
    offers: float = 0.0
    followups: float = 0.0
    hours: float = 0.0


WindowRow = tuple[Step, Actor, int, int | None, int, str, float | None]
"""One required obligation: step, actor class, opens and deadline (day numbers in any common
origin; ``None``: no deadline), count, kind (``obligation``/``quota``) and share."""


def _required(ev: Evaluation, start: date, minutes: Minutes, deadlines: Counter[str]) -> _Figures:
    rows: list[WindowRow] = []
    for o in ev.obligations:
        if o.status in _NOT_REQUIRED or _month_of(start, o.opens) > YEAR_MONTHS:
            continue
        deadlines[_bucket(start, o.deadline)] += 1
        rows.append(
            (
                o.step,
                _actor_class(o.actor),
                o.opens.toordinal(),
                o.deadline.toordinal() if o.deadline else None,
                o.count,
                o.kind,
                o.share,
            )
        )
    return figures_of_rows(rows, minutes)


def figures_of_rows(rows: Sequence[WindowRow], minutes: Minutes) -> _Figures:
    """The required figures of one case's obligations, in the order its evaluation lists them.

    Both the per-case path and the columnar one (which calls this once per distinct pattern of
    rows) use this function, so their figures are the same floating-point numbers.
    """
    windows: dict[
        tuple[Step, Actor], tuple[list[tuple[int, int, int]], list[tuple[float, tuple[int, int, int]]]]
    ] = {}
    for step, actor, opens, deadline, count, kind, share in rows:
        window = (opens, deadline if deadline is not None else _OPEN_ENDED, count)
        binding, quotas = windows.setdefault((step, actor), ([], []))
        if kind == "quota":
            quotas.append((share if share is not None else 1.0, window))
        else:
            binding.append(window)
    figures = _Figures()
    for (step, actor), (binding, quotas) in windows.items():
        needed = float(previous := fewest_steps(binding))
        # Larger floors first: a case waived from a 75 % quota is assumed waived from smaller ones.
        for share, window in sorted(quotas, key=lambda q: -q[0]):
            binding = [*binding, window]
            now = fewest_steps(binding)
            needed += share * (now - previous)
            previous = now
        if step in INTERVIEW_STEPS:
            figures.interviews += needed
        elif step in OFFER_STEPS:
            figures.offers += needed
        elif step in FOLLOWUP_STEPS:
            figures.followups += needed
        figures.hours += minutes.hours(step, actor, needed)
    return figures


def _without_steps(case: Case) -> Case:
    """The case with only the events that change *what applies* (see the module docstring)."""
    kept = tuple(e for e in case.events if e.kind in _KEPT_EVENTS)
    if len(kept) == len(case.events):
        return case
    return case.model_copy(update={"events": kept})


def _start_of(case: Case) -> date:
    start = case.effective_period_start
    if start is None:  # pragma: no cover - only for cases built without validation
        msg = f"case '{case.id}' has no period start"
        raise CaseError(msg, case=case.id)
    return start


# --------------------------------------------------------------------------------------------
# Back end and quotas
# --------------------------------------------------------------------------------------------


def population_backend() -> str:
    """The back end population runs use by default.

    ``REGIMES_BACKEND`` when it is set (the user chose); else ``columnar``, which executes the
    whole evaluation plan over columns, chunk by chunk, without an object per case; else
    ``vector``, ``durable``, ``reference``. All give identical evaluations and figures (the
    back-end tests hold them to it), so the choice changes only the wall time and the memory.
    """
    from engine.backends import available_backends, get_backend

    chosen = os.environ.get("REGIMES_BACKEND")
    candidates: list[str] = [chosen] if chosen else []
    for name in [*candidates, "columnar", "vector", "durable", "reference"]:
        if name not in available_backends():
            continue
        try:
            get_backend(name)
        except (ImportError, KeyError, RegimesError):
            continue
        return name
    return "reference"  # pragma: no cover - the reference back end is always there


def _quota_groups(regime: Regime) -> frozenset[TargetGroup] | None:
    """The groups a regime's quota rules cover (``None``: some quota covers every group)."""
    groups: set[TargetGroup] = set()
    for er in regime.rules:
        if er.rule.effect_kind != "quota":
            continue
        if er.rule.groups is None:
            return None
        groups.update(er.rule.groups)
    return frozenset(groups)


def _verdict(share: float, covered: int, met: int, still_open: int) -> tuple[int, str]:
    """Floor and verdict exactly as :mod:`regimes.caseload` defines them (for merged batches)."""
    required = math.ceil(share * covered - 1e-9)
    if covered == 0:
        return required, "no cases"
    if met >= required:
        return required, "met"
    if met + still_open >= required:
        return required, "open"
    return required, "missed"


def _chunks(items: Sequence[Case]) -> Iterator[Sequence[Case]]:
    size = CHUNK  # read at call time, so a test can make batches small
    for first in range(0, len(items), size):
        yield items[first : first + size]


# --------------------------------------------------------------------------------------------
# The population impact
# --------------------------------------------------------------------------------------------


def population_impact(
    cases: Sequence[Case] | CaseColumns | CaseSource,
    a: Regime | str,
    b: Regime | str,
    *,
    on: date,
    source: str,
    minutes: str | Path | Mapping[str, Any] | Minutes | None = None,
    backend: str | None = None,
    progress: Progress | None = None,
    assumptions: Mapping[str, Any] | None = None,
    client: Any = None,
) -> Population:
    """Required interviews, offers, follow-ups and hours per citizen-year under A and B.

    Args:
        cases: validated cases (a file's, or a synthetic population), or the same as columns
            (:class:`~regimes.columnar.CaseColumns`, or a chunked
            :class:`~regimes.diff.population_columns.CaseSource`: only the ``columnar`` back end
            reads those).
        a: regime A (an id, a YAML path or a :class:`~regimes.Regime`), applied as a what-if on ``on``.
        b: regime B, likewise.
        on: the evaluation date: the rule versions in force then apply, and quota coverage is
            judged as of then.
        source: where the cases came from, for the report (a file name, "synthetic n=… seed=…").
        minutes: minutes per step: ``None`` for the bundled ``minutes.yaml``, or an override
            (a file or a mapping, see :func:`load_minutes`).
        backend: the evaluation back end; default :func:`population_backend`.
        progress: a :class:`rich.progress.Progress` to drive (one task, advanced per batch).
        assumptions: more assumptions to report (e.g. :data:`regimes.synthetic.ASSUMPTIONS`).
        client: a ``distributed.Client``: run partition-wise on its workers (``cases`` must be a
            :class:`~regimes.diff.population_columns.CaseSource` of a Parquet file or of the
            synthetic population); the result is identical to the single-process one.

    Raises:
        ResolutionError: a regime id is unknown.
        RulesetError: a regime or the minutes file is invalid.
        EngineError: the back end failed.
    """
    started = time.perf_counter()
    regime_a, regime_b = load_regime(a), load_regime(b)
    table = load_minutes(minutes)
    engine = backend or population_backend()
    quota_runs = [(r, _quota_groups(r)) for r in _unique((regime_a, regime_b)) if _has_quotas(r)]
    if client is not None:
        return population_impact_dask(
            cases,
            regime_a,
            regime_b,
            a,
            b,
            on,
            source,
            table,
            [r for r, _ in quota_runs],
            progress,
            assumptions,
            started,
            client,
        )
    if engine == "columnar" and not _plannable(regime_a, regime_b):
        # A rule the plan cannot express yet: the per-case path, explicitly (never a silent difference).
        if isinstance(cases, CaseSource) and cases.as_cases is not None:
            cases = cases.as_cases()
        if isinstance(cases, Sequence):
            return population_impact(
                cases,
                regime_a,
                regime_b,
                on=on,
                source=source,
                minutes=table,
                backend="vector",
                progress=progress,
                assumptions=assumptions,
            )
    if engine == "columnar" or not isinstance(cases, Sequence):
        try:
            return _columnar_impact(
                cases, regime_a, regime_b, on, source, table, quota_runs, progress, assumptions, started
            )
        except UnsupportedPlanError:
            # Cases the tables cannot carry yet (paid hours, C1): the per-case path, explicitly.
            listed = cases.as_cases() if isinstance(cases, CaseSource) and cases.as_cases else cases
            if not isinstance(listed, Sequence):
                raise
            return population_impact(
                listed,
                regime_a,
                regime_b,
                on=on,
                source=source,
                minutes=table,
                backend="vector",
                progress=progress,
                assumptions=assumptions,
            )
    quota_cases = {
        r.id: [c for c in cases if groups is None or c.group in groups] for r, groups in quota_runs
    }
    task = None
    if progress is not None:
        steps = 2 * len(cases) + sum(len(v) for v in quota_cases.values())
        task = progress.add_task(f"{regime_a.id} vs {regime_b.id}", total=steps)

    n = len(cases)
    figures = np.zeros((n, 8))  # interviews, offers, followups, hours under A, then under B
    deadlines: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    starts = [_start_of(c) for c in cases]
    for side, regime in enumerate((regime_a, regime_b)):
        if progress is not None and task is not None:
            progress.update(task, description=f"required steps under {regime.id}")
        position = 0
        for chunk in _chunks(cases):
            stripped = [_without_steps(c) for c in chunk]
            for ev in evaluate_many(stripped, regime, on, backend=engine, traces=False):
                f = _required(ev, starts[position], table, deadlines[side])
                figures[position, 4 * side : 4 * side + 4] = (f.interviews, f.offers, f.followups, f.hours)
                position += 1
            if progress is not None and task is not None:
                progress.advance(task, len(chunk))

    coverage: list[dict[str, Any]] = []
    for regime, _ in quota_runs:
        if progress is not None and task is not None:
            progress.update(task, description=f"quota coverage under {regime.id}")
        coverage.extend(_coverage(quota_cases[regime.id], regime, on, engine, progress, task))

    group_index = {g: i for i, g in enumerate(TargetGroup)}
    code_index = {code: i for i, code in enumerate(MUNICIPALITIES)}
    return _population(
        source,
        on,
        regime_a,
        regime_b,
        table,
        engine,
        assumptions,
        started,
        figures,
        np.array([group_index[c.group] for c in cases], dtype=np.int64),
        np.array([code_index[c.municipality] for c in cases], dtype=np.int64),
        deadlines,
        coverage,
    )


def _population(
    source: str,
    on: date,
    regime_a: Regime,
    regime_b: Regime,
    table: Minutes,
    engine: str,
    assumptions: Mapping[str, Any] | None,
    started: float,
    figures: np.ndarray[Any, Any],
    groups: np.ndarray[Any, Any],
    municipalities: np.ndarray[Any, Any],
    deadlines: tuple[Counter[str], Counter[str]],
    coverage: list[dict[str, Any]],
) -> Population:
    """The report from per-case figures and the group and municipality index of each case."""
    codes = list(MUNICIPALITIES)
    return Population(
        source=source,
        cases=int(figures.shape[0]),
        on=on,
        assumptions=_assumptions(regime_a, regime_b, on, table, engine, assumptions),
        total=_row("all", figures),
        by_group=_rows(figures, groups, [g.value for g in TargetGroup]),
        by_municipality=_rows(figures, municipalities, [f"{code} {MUNICIPALITIES[code]}" for code in codes]),
        quota_coverage=coverage,
        deadlines_a={k: deadlines[0][k] for k in DEADLINE_BUCKETS},
        deadlines_b={k: deadlines[1][k] for k in DEADLINE_BUCKETS},
        seconds=round(time.perf_counter() - started, 3),
    )


@dataclass
class Partial:
    """What one chunk of a population contributes: per-case rows (in the chunk's order) and
    counts. Partials of consecutive chunks merge exactly (:func:`merge_partials`), in one
    process or from Dask workers."""

    figures: np.ndarray[Any, Any]
    groups: np.ndarray[Any, Any]
    municipalities: np.ndarray[Any, Any]
    deadlines: tuple[Counter[str], Counter[str]]
    coverage: dict[tuple[str, str, str], list[Any]]


def chunk_partial(
    chunk: CaseColumns,
    regime_a: Regime,
    regime_b: Regime,
    on: date,
    table: Minutes,
    quota_regimes: Sequence[Regime],
    advance: Any = None,
    caches: tuple[dict[Any, Any], dict[Any, Any]] | None = None,
) -> Partial:
    """One chunk's figures (A then B, on the stripped cases) and quota counts (full history).

    ``caches`` (one per side) keep the figures of patterns already seen in earlier chunks.
    """
    from regimes.columnar import evaluate_columns
    from regimes.diff import population_columns as pc

    def figures_of(rows: pc.Rows) -> tuple[float, float, float, float]:
        f = figures_of_rows(rows, table)
        return f.interviews, f.offers, f.followups, f.hours

    m = chunk.n
    figures = np.zeros((m, 8))
    deadlines: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    coverage: dict[tuple[str, str, str], list[Any]] = {}
    from engine.columnar.tables import from_day_number
    from regimes.columnar import cases_from_columns, transition_cases

    starts = chunk.clocks["period_start"]
    stripped = pc.strip_steps(chunk)
    for side, regime in enumerate((regime_a, regime_b)):
        result = evaluate_columns(stripped, regime, on)
        # Transitions (C8): cases with a duty another law judges go the per-case way, explicitly.
        moved = transition_cases(result, regime)
        if moved.any():
            result = pc.drop_cases(result, moved)
        figures[:, 4 * side : 4 * side + 4] = pc.required_figures(
            result, starts, figures_of, deadlines[side], DEADLINE_BUCKETS, caches[side] if caches else None
        )
        if moved.any():
            index = np.flatnonzero(moved)
            evaluations = evaluate_many(
                cases_from_columns(stripped, index), regime, on, backend="vector", traces=False
            )
            for i, ev in zip(index.tolist(), evaluations, strict=True):
                f = _required(ev, from_day_number(int(starts[i])), table, deadlines[side])
                figures[i, 4 * side : 4 * side + 4] = (f.interviews, f.offers, f.followups, f.hours)
        if advance is not None:
            advance(f"required steps under {regime.id}", m)
    for regime in quota_regimes:
        for (rule, group), row in pc.caseload_counts(chunk, regime, on).items():
            coverage[(regime.id, rule, group)] = row
        if advance is not None:
            advance(f"quota coverage under {regime.id}", m)
    return Partial(
        figures,
        chunk.group.codes.astype(np.int64),
        chunk.municipality.codes.astype(np.int64),
        deadlines,
        coverage,
    )


def merge_partials(
    partials: Iterable[Partial], quota_regimes: Sequence[Regime]
) -> tuple[
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    tuple[Counter[str], Counter[str]],
    list[dict[str, Any]],
]:
    """Partials of consecutive chunks, in order, as one population's figures and coverage rows."""
    figures, groups, municipalities = [], [], []
    deadlines: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    merged: dict[tuple[str, str, str], list[Any]] = {}
    for p in partials:
        figures.append(p.figures)
        groups.append(p.groups)
        municipalities.append(p.municipalities)
        for side in (0, 1):
            deadlines[side].update(p.deadlines[side])
        for key, row in p.coverage.items():
            into = merged.setdefault(key, [row[0], row[1], 0, 0, 0, 0])
            for k in range(2, 6):
                into[k] += row[k]
    coverage: list[dict[str, Any]] = []
    for regime in quota_regimes:
        for key in sorted(k for k in merged if k[0] == regime.id):
            citation, share, covered, met, still_open, missed = merged[key]
            required, verdict = _verdict(share, covered, met, still_open)
            coverage.append(
                {
                    "regime": regime.id,
                    "rule": key[1],
                    "group": key[2],
                    "citation": citation,
                    "share": share,
                    "covered": covered,
                    "met": met,
                    "open": still_open,
                    "missed": missed,
                    "required": required,
                    "verdict": verdict,
                    "met_share": round(met / covered if covered else 0.0, 4),
                }
            )
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(figures) if figures else np.zeros((0, 8)),
        np.concatenate(groups) if groups else empty,
        np.concatenate(municipalities) if municipalities else empty,
        deadlines,
        coverage,
    )


def _columnar_figures(
    source: CaseSource,
    regime_a: Regime,
    regime_b: Regime,
    on: date,
    table: Minutes,
    quota_regimes: Sequence[Regime],
    progress: Progress | None,
) -> tuple[
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    np.ndarray[Any, Any],
    tuple[Counter[str], Counter[str]],
    list[dict[str, Any]],
]:
    """Per-case figures, group and municipality codes, deadline counts and quota coverage,
    chunk by chunk on the columnar back end (one progress step per chunk and pass)."""
    advance = None
    if progress is not None:
        task = progress.add_task(f"{regime_a.id} vs {regime_b.id}", total=(2 + len(quota_regimes)) * source.n)

        def advance(description: str, m: int) -> None:
            progress.update(task, description=description, advance=m)

    caches: tuple[dict[Any, Any], dict[Any, Any]] = ({}, {})
    partials = (
        chunk_partial(chunk, regime_a, regime_b, on, table, quota_regimes, advance, caches)
        for chunk in source.chunks()
    )
    return merge_partials(partials, quota_regimes)


def _columnar_impact(
    cases: Any,
    regime_a: Regime,
    regime_b: Regime,
    on: date,
    source: str,
    table: Minutes,
    quota_runs: Sequence[tuple[Regime, Any]],
    progress: Progress | None,
    assumptions: Mapping[str, Any] | None,
    started: float,
) -> Population:
    """The population part on the columnar back end, chunk by chunk."""
    if isinstance(cases, CaseColumns):
        cases = CaseSource.of_columns(cases)
    elif not isinstance(cases, CaseSource):
        cases = CaseSource.of_cases(cases)
    columnar = _columnar_figures(cases, regime_a, regime_b, on, table, [r for r, _ in quota_runs], progress)
    return _population(
        source,
        on,
        regime_a,
        regime_b,
        table,
        "columnar",
        assumptions,
        started,
        *columnar,
    )


def population_impact_dask(
    cases: Any,
    regime_a: Regime,
    regime_b: Regime,
    a: Regime | str,
    b: Regime | str,
    on: date,
    source: str,
    table: Minutes,
    quota_regimes: Sequence[Regime],
    progress: Progress | None,
    assumptions: Mapping[str, Any] | None,
    started: float,
    client: Any,
) -> Population:
    """:func:`population_impact` partition-wise on a Dask cluster, reduced exactly."""
    from regimes.distributed import _regime_ref, gather_in_order, run_partition

    parts = getattr(cases, "partitions", None)
    if not parts:
        msg = "a Dask run needs a CaseSource of a Parquet file or of the synthetic population"
        raise ValueError(msg)
    advance = None
    if progress is not None:
        task = progress.add_task(f"{regime_a.id} vs {regime_b.id} on Dask", total=cases.n)

        def advance(m: int) -> None:
            progress.update(task, advance=m)

    partials = gather_in_order(
        client,
        run_partition,
        parts,
        _regime_ref(a),
        _regime_ref(b),
        on,
        table,
        [r.id for r in quota_regimes],
        advance=advance,
    )
    return _population(
        source,
        on,
        regime_a,
        regime_b,
        table,
        "columnar",
        assumptions,
        started,
        *merge_partials(partials, quota_regimes),
    )


def _plannable(*regimes: Regime) -> bool:
    from regimes.plan import UnsupportedPlanError, plan_of

    try:
        for r in regimes:
            plan_of(r)
    except UnsupportedPlanError:
        return False
    return True


def _unique(regimes: Sequence[Regime]) -> list[Regime]:
    seen: dict[str, Regime] = {}
    for r in regimes:
        seen.setdefault(r.id, r)
    return list(seen.values())


def _has_quotas(regime: Regime) -> bool:
    return any(er.rule.effect_kind == "quota" for er in regime.rules)


def _coverage(
    cases: Sequence[Case], regime: Regime, on: date, backend: str, progress: Progress | None, task: Any
) -> list[dict[str, Any]]:
    """:func:`regimes.caseload.caseload` over batches, merged per rule and group."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for chunk in _chunks(cases):
        for q in caseload(chunk, regime, on, backend=backend).quotas:
            row = merged.setdefault(
                (q.rule, q.group),
                {
                    "regime": regime.id,
                    "rule": q.rule,
                    "group": q.group,
                    "citation": q.citation,
                    "share": q.share,
                    "covered": 0,
                    "met": 0,
                    "open": 0,
                    "missed": 0,
                },
            )
            for count in ("covered", "met", "open", "missed"):
                row[count] += getattr(q, count)
        if progress is not None and task is not None:
            progress.advance(task, len(chunk))
    out = []
    for key in sorted(merged):
        row = merged[key]
        required, verdict = _verdict(row["share"], row["covered"], row["met"], row["open"])
        met_share = row["met"] / row["covered"] if row["covered"] else 0.0
        out.append({**row, "required": required, "verdict": verdict, "met_share": round(met_share, 4)})
    return out


def _row(name: str, figures: np.ndarray[Any, Any]) -> PopulationRow:
    n = int(figures.shape[0])
    mean = figures.mean(axis=0) if n else np.zeros(8)
    v = [round(float(x), 4) for x in mean]
    return PopulationRow(
        slice=name,
        cases=n,
        interviews_a=v[0],
        offers_a=v[1],
        followups_a=v[2],
        hours_a=v[3],
        interviews_b=v[4],
        offers_b=v[5],
        followups_b=v[6],
        hours_b=v[7],
    )


def _rows(
    figures: np.ndarray[Any, Any], index: np.ndarray[Any, Any], names: Sequence[str]
) -> list[PopulationRow]:
    return [_row(name, figures[index == i]) for i, name in enumerate(names) if np.any(index == i)]


def _assumptions(
    a: Regime, b: Regime, on: date, minutes: Minutes, backend: str, extra: Mapping[str, Any] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "regimes": f"A = {a.id}, B = {b.id}, both applied as what-ifs on {on} (the rule versions in force "
        "then; after a regime's valid_to, those of its last day)",
        "citizen_year": "each case's first 12 months from its period start (LAB § 9 clock; sygedagpenge: the "
        "first day of sickness); figures are averages per case",
        "counted": "obligations whose window opens in the citizen-year; interviews = "
        + ", ".join(sorted(s.value for s in INTERVIEW_STEPS))
        + "; offers = offer; follow-ups = sickness_followup_interview",
        "fewest_steps": "obligations of one step and actor (jobcenter = municipality) share steps where "
        "their windows overlap: the count is the fewest dated steps meeting all of them",
        "not_counted": "exempted and suspended obligations; rights (on request); obligations opening after "
        "the citizen-year",
        "quotas": "waivable quotas count at the floor: share × the steps they add to the binding obligations "
        "(e.g. 0.75 × 2 interviews); with several quotas on one step, larger floors first",
        "history": "required figures ignore performed steps (only exemption grounds and requests are kept); "
        "quota coverage uses the full history as of the evaluation date",
        "hours": "Σ required steps × minutes / 60, for steps of caseworker actors",
        "minutes": minutes.as_assumption(),
        "deadlines": "obligations counted, by the month of the case in which their deadline falls",
        "backend": backend,
    }
    if extra:
        out["population"] = dict(extra)
    return out


def headline(population: Population, a: str = "A", b: str = "B") -> str:
    """One sentence: the change in required interviews per citizen-year, by group.

    >>> row = PopulationRow(slice="dagpenge", cases=1, interviews_a=7, interviews_b=4.25, offers_a=1,
    ...     offers_b=0.75, followups_a=0, followups_b=0, hours_a=7.8, hours_b=5)
    >>> pop = Population(source="x", cases=1, on=date(2026, 10, 1), assumptions={}, total=row.model_copy(
    ...     update={"slice": "all"}), by_group=[row], by_municipality=[])
    >>> for part in headline(pop, "dk-lab-2024", "dk-reform-2026").split("; "): print(part)
    Required interviews per citizen-year, dk-lab-2024 → dk-reform-2026: all 1 case 7.00 → 4.25 (−2.75)
    dagpenge 7.00 → 4.25 (−2.75).
    """

    def change(row: PopulationRow) -> str:
        delta = row.interviews_b - row.interviews_a
        sign = "+" if delta > 0.005 else "−" if delta < -0.005 else "±"
        return f"{row.interviews_a:.2f} → {row.interviews_b:.2f} ({sign}{abs(delta):.2f})"

    total = population.total
    parts = [f"all {total.cases:,} case{'s' if total.cases != 1 else ''} {change(total)}"]
    parts += [f"{row.slice} {change(row)}" for row in population.by_group]
    return f"Required interviews per citizen-year, {a} → {b}: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------------------------
# Reading and writing case files
# --------------------------------------------------------------------------------------------

_LIST_FIELDS: Final = ("interruptions", "paid_hours", "events")
# A yes/no field, or an optional one (``jobcenter_course_from_day_one``: left out, it is derived).
_BOOL_FIELDS: Final = frozenset(
    name for name, info in Case.model_fields.items() if info.annotation in (bool, bool | None)
)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".jsonl"):
        return suffix[1:]
    return "json"


def read_cases_file(path: str | Path) -> list[Case]:
    """Validated cases from a JSON, JSON Lines, CSV or Parquet file: :func:`regimes.inputs.read_cases`.

    Kept here by name for callers of the population part; the one input layer (and its
    documented column layout, ``docs/inputs.md``) is :mod:`regimes.inputs`.
    """
    return read_cases(path)


def write_cases_file(cases: Iterable[Case], path: str | Path) -> Path:
    """Write cases as JSON, JSON Lines, CSV or Parquet (by the suffix), as :func:`read_cases_file` reads them.

    Why: an analyst exports a synthetic population to inspect or edit it in a spreadsheet or a
    data frame, and feeds it back with ``--cases``.
    """
    target = Path(path)
    kind = _format_of(target)
    dumped = [c.model_dump(mode="json", exclude_defaults=True) for c in cases]
    if kind == "json":
        target.write_text(json.dumps(dumped, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif kind == "jsonl":
        lines = (json.dumps(d, ensure_ascii=False) for d in dumped)
        target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    elif kind == "csv":
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(Case.model_fields))
            writer.writeheader()
            for d in dumped:
                writer.writerow({name: _csv_cell(name, d.get(name)) for name in Case.model_fields})
    else:
        _write_parquet(dumped, target)
    return target


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _LIST_FIELDS:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_parquet(dumped: Sequence[Mapping[str, Any]], target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {}
    for name, info in Case.model_fields.items():
        values = [d.get(name) for d in dumped]
        if name in _LIST_FIELDS:
            texts = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) if v else None for v in values]
            columns[name] = pa.array(texts, type=pa.string())
        elif info.annotation is bool:
            columns[name] = pa.array([bool(v) for v in values], type=pa.bool_())
        elif name in _BOOL_FIELDS:  # optional: a missing value stays missing (null)
            columns[name] = pa.array([None if v is None else bool(v) for v in values], type=pa.bool_())
        elif name == "visitation_category":
            columns[name] = pa.array(values, type=pa.int8())
        elif name in ("id", "municipality", "group", "insurance"):
            columns[name] = pa.array(values, type=pa.string())
        else:
            columns[name] = pa.array([date.fromisoformat(v) if v else None for v in values], type=pa.date32())
    pq.write_table(pa.table(columns), target)


# --------------------------------------------------------------------------------------------
# A hook for other windows than the citizen-year (regimes.population: calendar years)
# --------------------------------------------------------------------------------------------


def count_required(obligations: Iterable[Obligation], minutes: Minutes) -> tuple[float, float, float, float]:
    """(interviews, offers, follow-ups, hours) required by ``obligations``, counted as the citizen-year is.

    The caller chooses which obligations count (e.g. those opening in a calendar year); this counts
    them the way :func:`population_impact` does: per step and actor (jobcenter = municipality) the
    fewest dated steps meeting all binding windows, plus each waivable quota at its floor share of
    the steps it adds (larger floors first); hours from ``minutes`` for caseworker actors. Statuses
    are not looked at: leave out exempted and suspended obligations before calling.

    >>> from regimes import Case, evaluate
    >>> case = Case.model_validate({"id": "dp", "birth_date": "1980-01-01", "municipality": "101",
    ...     "group": "dagpenge", "registered_on": "2025-01-06"})
    >>> ev = evaluate(case, "dk-lab-2024", on=date(2025, 3, 1))
    >>> count_required([o for o in ev.obligations if o.opens < date(2026, 1, 6)], load_minutes())[:2]
    (7.0, 1.0)
    """
    windows: dict[
        tuple[Step, Actor], tuple[list[tuple[int, int, int]], list[tuple[float, tuple[int, int, int]]]]
    ] = {}
    for o in obligations:
        window = (o.opens.toordinal(), o.deadline.toordinal() if o.deadline else _OPEN_ENDED, o.count)
        binding, quotas = windows.setdefault((o.step, _actor_class(o.actor)), ([], []))
        if o.kind == "quota":
            quotas.append((o.share if o.share is not None else 1.0, window))
        else:
            binding.append(window)
    interviews = offers = followups = hours = 0.0
    for (step, actor), (binding, quotas) in windows.items():
        needed = float(previous := fewest_steps(binding))
        for share, window in sorted(quotas, key=lambda q: -q[0]):
            binding = [*binding, window]
            now = fewest_steps(binding)
            needed += share * (now - previous)
            previous = now
        if step in INTERVIEW_STEPS:
            interviews += needed
        elif step in OFFER_STEPS:
            offers += needed
        elif step in FOLLOWUP_STEPS:
            followups += needed
        hours += minutes.hours(step, actor, needed)
    return interviews, offers, followups, hours
