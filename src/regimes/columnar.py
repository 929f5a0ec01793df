"""Cases as columns, and the columnar back end behind the product's words.

Why this module: :mod:`engine.columnar` executes a plan over tables it knows only by the
plan's words; this one knows the case model. It builds the tables (from validated cases here,
from files and the synthetic generator in :mod:`regimes.columnar_inputs` and
:mod:`regimes.synthetic`), derives the fact columns a program reads as they stood on the date
(the vectorised :mod:`regimes.facts`), runs the plan, and turns one case's rows back into an
:class:`~regimes.results.Evaluation` when someone asks for one case.

    >>> from datetime import date
    >>> import regimes
    >>> case = regimes.parse_case({"id": "c", "birth_date": "1985-06-01", "municipality": "219",
    ...     "group": "dagpenge", "registered_on": "2024-03-04"})
    >>> ev = evaluate_many_columnar([case], "dk-lab-2024", date(2024, 3, 10))[0]
    >>> ev == regimes.evaluate(case, "dk-lab-2024", date(2024, 3, 10), backend="reference")
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from engine.columnar.dates import civil
from engine.columnar.execute import (
    KIND_NO_ANCHOR,
    KIND_QUOTA,
    KIND_RIGHT,
    NO_CLOCK,
    NO_EVENT,
    NO_TARGET_DEADLINE,
    RIGHT_STATUSES,
    ColumnarResult,
    execute,
)
from engine.columnar.tables import (
    NO_DATE,
    CaseTable,
    Categorical,
    EventTable,
    IntervalTable,
    day_number,
    from_day_number,
)
from engine.plan import STATUS_PRECEDENCE, RegimePlan
from regimes.case import Case, ExemptionGroundEvent, OfferEvent
from regimes.errors import ResolutionError
from regimes.facts import FACTS
from regimes.horizon import horizon_texts
from regimes.layer import Regime
from regimes.municipalities import MUNICIPALITIES
from regimes.plan import UnsupportedPlanError, plan_of
from regimes.results import Evaluation, NotApplied, Obligation, Right
from regimes.vocabulary import Actor, ExemptionGround, OfferType, TargetGroup

__all__ = [
    "ACTORS",
    "CLOCKS",
    "EVENT_KINDS",
    "FLAGS",
    "GROUPS",
    "CaseColumns",
    "case_table",
    "cases_from_columns",
    "columns_from_cases",
    "evaluate_columns",
    "evaluate_many_columnar",
    "to_evaluation",
    "transition_cases",
]

GROUPS: Final[tuple[str, ...]] = tuple(g.value for g in TargetGroup)
ACTORS: Final[tuple[str, ...]] = tuple(a.value for a in Actor)
OFFER_TYPES: Final[tuple[str, ...]] = tuple(t.value for t in OfferType)
GROUNDS: Final[tuple[str, ...]] = tuple(g.value for g in ExemptionGround)
MUNICIPALITY_CODES: Final[tuple[str, ...]] = tuple(MUNICIPALITIES)
EVENT_KINDS: Final[tuple[str, ...]] = (
    "job_interview",
    "joint_interview",
    "availability_interview",
    "cv_interview",
    "education_order",
    "intensified_effort",
    "clarification",
    "sickness_visitation",
    "sickness_followup_interview",
    "sickness_reassessment",
    "rehabilitation_team",
    "medical_certificate",
    "job_oriented_education",
    "cv_registration",
    "employer_absence_interview",
    "offer",
    "interview_requested",
    "early_followup_requested",
    "exemption_ground",
)
CLOCKS: Final[tuple[str, ...]] = (
    "registered_on",
    "first_inquiry_on",
    "period_start",
    "sickness_first_day",
    "visitation_on",
)
FLAGS: Final[tuple[str, ...]] = tuple(
    name for name, info in Case.model_fields.items() if info.annotation is bool
)
OPTIONAL_FLAGS: Final[tuple[str, ...]] = tuple(
    name for name, info in Case.model_fields.items() if info.annotation == (bool | None)
)
"""Yes/no fields a case may leave out (``jobcenter_course_from_day_one``: then derived)."""
GIVEN: Final = ":given"
_PERIOD_DEFAULT: Final[dict[str, str]] = {
    "dagpenge": "registered_on",
    "kontanthjaelp_jobparat": "first_inquiry_on",
    "kontanthjaelp_aktivitetsparat": "first_inquiry_on",
    "uddannelseshjaelp_uddannelsesparat": "first_inquiry_on",
    "uddannelseshjaelp_aktivitetsparat": "first_inquiry_on",
    "sygedagpenge": "sickness_first_day",
}
_I64 = np.int64


@dataclass(frozen=True, eq=False)
class CaseColumns:
    """A population as three tables: cases (one row each), events, interruptions.

    ``clocks`` hold the case's own clock fields; ``period_start`` there is the *effective*
    period start (the field, else the group's default clock, LAB § 9), as the rules read it.
    ``ids`` is a NumPy object array or a pyarrow string array.
    """

    ids: Any
    birth: npt.NDArray[np.int64]
    municipality: Categorical
    group: Categorical
    clocks: Mapping[str, npt.NDArray[np.int64]]
    flags: Mapping[str, npt.NDArray[np.bool_]]
    visitation_category: npt.NDArray[np.int64]
    events: EventTable
    intervals: IntervalTable

    @property
    def n(self) -> int:
        return len(self.birth)

    def take(self, index: npt.NDArray[np.int64]) -> CaseColumns:
        """The cases at sorted positions ``index``, with their events and interruptions renumbered."""
        n = self.n
        new = np.full(n, -1, dtype=_I64)
        new[index] = np.arange(len(index), dtype=_I64)
        ev_keep = new[self.events.case] >= 0
        events = self.events.select(ev_keep)
        events = EventTable(
            new[events.case],
            events.day,
            events.kind,
            events.actor,
            events.start,
            events.end,
            events.given,
            events.offer_type,
            events.ground,
            events.keeps,
        )
        iv_keep = new[self.intervals.case] >= 0
        iv = self.intervals.select(iv_keep)
        return CaseColumns(
            ids=self.ids[index] if isinstance(self.ids, np.ndarray) else self.ids.take(index),
            birth=self.birth[index],
            municipality=self.municipality.take(index),
            group=self.group.take(index),
            clocks={k: v[index] for k, v in self.clocks.items()},
            flags={k: v[index] for k, v in self.flags.items()},
            visitation_category=self.visitation_category[index],
            events=events,
            intervals=IntervalTable(new[iv.case], iv.start, iv.end),
        )

    def slice(self, first: int, last: int) -> CaseColumns:
        """Cases ``first … last − 1`` (a chunk)."""
        return self.take(np.arange(first, min(last, self.n), dtype=_I64))

    def id_of(self, i: int) -> str:
        value = self.ids[i]
        return str(value.as_py() if hasattr(value, "as_py") else value)


def _codes(values: Sequence[str | None], categories: tuple[str, ...]) -> Categorical:
    index = {c: i for i, c in enumerate(categories)}
    return Categorical(
        np.fromiter((index[v] if v is not None else -1 for v in values), dtype=np.int16, count=len(values)),
        categories,
    )


def _day(d: date | None) -> int:
    return NO_DATE if d is None else day_number(d)


def columns_from_cases(cases: Sequence[Case]) -> CaseColumns:
    """The tables of validated cases (events sorted by case, then history date, stably).

    Raises:
        UnsupportedPlanError: a dagpenge case gives ``paid_hours`` (accumulation in hours, C1),
            which the tables do not carry yet: such cases must take the per-case path.
    """
    hourly = next(
        (c.id for c in cases if getattr(c, "paid_hours", ()) and c.group is TargetGroup.DAGPENGE), None
    )
    if hourly is not None:
        msg = f"case {hourly!r} gives paid_hours: the columnar tables do not carry hours yet"
        raise UnsupportedPlanError(msg)
    n = len(cases)
    clocks: dict[str, npt.NDArray[np.int64]] = {}
    for name in CLOCKS:
        if name == "period_start":
            values = [c.effective_period_start for c in cases]
        else:
            values = [getattr(c, name) for c in cases]
        clocks[name] = np.fromiter((_day(v) for v in values), dtype=_I64, count=n)
    flags = {
        name: np.fromiter((bool(getattr(c, name)) for c in cases), dtype=np.bool_, count=n) for name in FLAGS
    }
    # An optional flag: its value and whether the case gave it (else facts.py derives it).
    for name in OPTIONAL_FLAGS:
        values = [getattr(c, name) for c in cases]
        flags[name] = np.fromiter((bool(v) for v in values), dtype=np.bool_, count=n)
        flags[f"{name}{GIVEN}"] = np.fromiter((v is not None for v in values), dtype=np.bool_, count=n)
    ev_rows: list[tuple[Any, ...]] = []
    row: tuple[Any, ...]
    for i, case in enumerate(cases):
        for seq, event in enumerate(case.events):
            if isinstance(event, OfferEvent):
                row = (
                    i,
                    _day(event.date),
                    seq,
                    "offer",
                    event.actor.value,
                    _day(event.start),
                    _day(event.end),
                    _day(event.given_on),
                    event.type.value,
                    None,
                    False,
                )
            elif isinstance(event, ExemptionGroundEvent):
                row = (
                    i,
                    _day(event.date),
                    seq,
                    "exemption_ground",
                    None,
                    _day(event.start),
                    _day(event.end),
                    NO_DATE,
                    None,
                    event.ground.value,
                    event.jobcenter_keeps_duties,
                )
            else:
                actor = getattr(event, "actor", None)
                row = (
                    i,
                    _day(event.date),
                    seq,
                    event.kind,
                    actor.value if actor is not None else None,
                    NO_DATE,
                    NO_DATE,
                    NO_DATE,
                    None,
                    None,
                    False,
                )
            ev_rows.append(row)
    ev_rows.sort(key=lambda r: (r[0], r[1], r[2]))
    m = len(ev_rows)

    def col(k: int) -> npt.NDArray[np.int64]:
        return np.fromiter((r[k] for r in ev_rows), dtype=_I64, count=m)

    events = EventTable(
        case=col(0),
        day=col(1),
        kind=_codes([r[3] for r in ev_rows], EVENT_KINDS),
        actor=_codes([r[4] for r in ev_rows], ACTORS),
        start=col(5),
        end=col(6),
        given=col(7),
        offer_type=_codes([r[8] for r in ev_rows], OFFER_TYPES),
        ground=_codes([r[9] for r in ev_rows], GROUNDS),
        keeps=np.fromiter((r[10] for r in ev_rows), dtype=np.bool_, count=m),
    )
    iv = [(i, day_number(x.start), day_number(x.end)) for i, c in enumerate(cases) for x in c.interruptions]
    intervals = IntervalTable(
        np.array([r[0] for r in iv], dtype=_I64),
        np.array([r[1] for r in iv], dtype=_I64),
        np.array([r[2] for r in iv], dtype=_I64),
    )
    return CaseColumns(
        ids=np.array([c.id for c in cases], dtype=object),
        birth=np.fromiter((day_number(c.birth_date) for c in cases), dtype=_I64, count=n),
        municipality=_codes([c.municipality for c in cases], MUNICIPALITY_CODES),
        group=_codes([c.group.value for c in cases], GROUPS),
        clocks=clocks,
        flags=flags,
        visitation_category=np.fromiter((c.visitation_category or 0 for c in cases), dtype=_I64, count=n),
        events=events,
        intervals=intervals,
    )


def _ymd(days: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    return civil(days)


def yyyymmdd(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Day numbers as the engine's ``YYYYMMDD`` ints (:data:`NO_DATE` → ``0``, as facts do)."""
    safe = np.where(days == NO_DATE, 0, days)
    y, m, d = _ymd(safe)
    return np.where(days == NO_DATE, 0, y * 10000 + m * 100 + d)


def fact_columns(columns: CaseColumns, on: date) -> dict[str, Any]:
    """Every registered fact as a column, as it stood on ``on``: the vectorised
    :func:`regimes.facts.fact_row`."""
    y, m, d = _ymd(columns.birth)
    before = (on.month < m) | ((on.month == m) & (on.day < d))
    facts: dict[str, Any] = {
        "group": columns.group,
        "age": (on.year - y - before).astype(_I64),
        "visitation_category": columns.visitation_category,
        "period_start": yyyymmdd(columns.clocks["period_start"]),
    }
    ev = columns.events
    asked = (ev.kind.codes == ev.kind.code("early_followup_requested")) & (ev.day <= day_number(on))
    requested = np.zeros(columns.n, dtype=np.bool_)
    requested[ev.case[asked]] = True
    facts["early_followup_requested"] = requested
    for name in FLAGS:
        facts[name] = columns.flags[name]
    facts["jobcenter_course_from_day_one"] = _day_one(columns, on)
    missing = set(FACTS) - set(facts)
    if missing:  # pragma: no cover - a test keeps the registry and this function in step
        msg = f"facts without a column: {', '.join(sorted(missing))}"
        raise AssertionError(msg)
    return facts


def _day_one(columns: CaseColumns, on: date) -> npt.NDArray[np.bool_]:
    """The vectorised :func:`regimes.facts.jobcenter_course_from_day_one`: the case's flag where
    given, else dagpenge, under 25 at the period start (the evaluation date without one), no
    vocational education and no child in custody at home (LAB § 27, stk. 3; § 42, stk. 3)."""
    name = "jobcenter_course_from_day_one"
    start = columns.clocks["period_start"]
    reference = np.where(start == NO_DATE, day_number(on), start)
    by, bm, bd = _ymd(columns.birth)
    ry, rm, rd = _ymd(reference)
    age = ry - by - ((rm < bm) | ((rm == bm) & (rd < bd)))
    derived = (
        columns.group.isin(("dagpenge",))
        & (age < 25)
        & ~columns.flags["has_vocational_education"]
        & ~columns.flags["has_child_in_custody_at_home"]
    )
    given = columns.flags.get(f"{name}{GIVEN}")
    if given is None:
        return np.asarray(derived, dtype=np.bool_)
    return np.asarray(np.where(given, columns.flags[name], derived), dtype=np.bool_)


def case_table(columns: CaseColumns, on: date) -> CaseTable:
    """The engine's cases table for ``on``."""
    return CaseTable(
        n=columns.n,
        facts=fact_columns(columns, on),
        group=columns.group,
        clocks=columns.clocks,
        ids=columns.ids,
    )


def evaluate_columns(
    columns: CaseColumns, regime: Regime | str, on: date, *, include_unverified: bool = False
) -> ColumnarResult:
    """Every case of ``columns`` under ``regime`` on ``on``, column-wise."""
    from regimes.library import load_regime

    chosen = load_regime(regime) if isinstance(regime, str) else regime
    plan = plan_of(chosen, include_unverified=include_unverified)
    return execute(plan, case_table(columns, on), columns.events, columns.intervals, on)


# --------------------------------------------------------------------------------------------
# One case's rows as an Evaluation
# --------------------------------------------------------------------------------------------


def _fact_row(facts: Mapping[str, Any], i: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, column in facts.items():
        if isinstance(column, Categorical):
            row[name] = column.value(i)
        elif column.dtype == np.bool_:
            row[name] = bool(column[i])
        else:
            row[name] = int(column[i])
    return row


def _notes(plan: RegimePlan, group: str, applying_ids: set[str], version_date: date) -> list[str]:
    notes = [
        n.text
        for n in plan.not_modelled
        if n.holds_on(version_date) and (n.groups is None or group in n.groups)
    ]
    for lift in plan.possible_lifts:
        for rule_id in lift.rules:
            if rule_id in applying_ids:
                notes.append(
                    f"{rule_id}: a lift may exist ({lift.citation}, unverified); the base rule keeps binding"
                )
    if not plan.include_unverified:
        skipped = sorted({rid for rid, groups in plan.unverified if groups is None or group in groups})
        if skipped:
            notes.append(
                f"unverified rules left out (ask for them with include_unverified): {', '.join(skipped)}"
            )
    return notes


class Materializer:
    """Turns cases' rows of a result into :class:`Evaluation` objects (only when asked)."""

    def __init__(self, result: ColumnarResult, columns: CaseColumns, facts: Mapping[str, Any]) -> None:
        self.result = result
        self.columns = columns
        self.facts = facts
        items = result.items
        order = np.argsort(items.case, kind="stable")
        self._order = order
        self._starts = np.searchsorted(items.case[order], np.arange(result.n + 1, dtype=_I64))

    def evaluation(self, i: int, *, what_if: bool, explain: bool = False, traces: bool = True) -> Evaluation:
        from regimes.evaluate import trace_of, why_not

        result, plan = self.result, self.result.plan
        items = result.items
        rows = self._order[self._starts[i] : self._starts[i + 1]]
        row = _fact_row(self.facts, i) if (traces or explain) else {}
        applying = result.applying()[i]
        on = result.on
        not_applied: list[NotApplied] = []
        if explain:
            for position, rule in enumerate(plan.rules):
                if not result.in_force[position]:
                    not_applied.append(
                        NotApplied(rule=rule.id, reason=f"not in force on {result.version_date}")
                    )
                elif not applying[position]:
                    predicate = plan.program.conditions[rule.condition].predicate
                    not_applied.append(NotApplied(rule=rule.id, reason=why_not(predicate, row)))
        obligations: list[tuple[int, Obligation]] = []
        rights: list[tuple[int, Right]] = []
        for r in sorted(rows.tolist(), key=lambda k: int(items.order[k])):
            position = int(items.rule[r])
            rule = plan.rules[position]
            kind = int(items.kind[r])
            if kind == KIND_NO_ANCHOR:
                if explain:
                    not_applied.append(
                        NotApplied(
                            rule=rule.id,
                            reason=self._no_anchor(
                                rule.window, int(items.status[r]), int(items.deadline[r]), on
                            ),
                        )
                    )
                continue
            predicate = plan.program.conditions[rule.condition].predicate
            trace = trace_of(predicate, row) if traces else []
            by_code = int(items.by[r])
            by = by_citation = None
            if by_code >= 0:
                ex = plan.exemptions[by_code]
                by, by_citation = ex.by, ex.citation
            elif by_code <= -2:
                s = plan.rules[-(by_code + 2)]
                by, by_citation = s.id, s.citation
            opens = from_day_number(int(items.opens[r]))
            assert rule.window is not None and rule.step is not None and rule.actor is not None
            if kind == KIND_RIGHT:
                rights.append(
                    (
                        position,
                        Right(
                            rule=rule.id,
                            step=rule.step,
                            actor=rule.actor,
                            opens=opens,
                            status=RIGHT_STATUSES[int(items.status[r])],
                            citation=rule.citation,
                            trace=trace,
                            title=rule.title,
                            confidence=rule.confidence,
                            by=by,
                            by_citation=by_citation,
                        ),
                    )
                )
                continue
            dl = int(items.deadline[r])
            deadline = None if dl == NO_DATE else from_day_number(dl)
            quota = kind == KIND_QUOTA
            obligations.append(
                (
                    position,
                    Obligation(
                        rule=rule.id,
                        step=rule.step,
                        actor=rule.actor,
                        count=rule.count,
                        done=int(items.done[r]),
                        opens=opens,
                        deadline=deadline,
                        status=STATUS_PRECEDENCE[int(items.status[r])],
                        citation=rule.citation,
                        trace=trace,
                        kind="quota" if quota else "obligation",
                        title=rule.title,
                        confidence=rule.confidence,
                        by=by,
                        by_citation=by_citation,
                        share=rule.share if quota else None,
                        deadline_asserted=deadline is not None
                        and not rule.window.deadline_unverified
                        and rule.confidence != "unverified",
                    ),
                )
            )
        applying_ids = {plan.rules[p].id for p in np.flatnonzero(applying).tolist()}
        group = self.columns.group.value(i) or ""
        return Evaluation(
            case=self.columns.id_of(i),
            regime=plan.id,
            on=on,
            obligations=sorted(
                (o for _, o in sorted(obligations, key=lambda t: t[0])),
                key=lambda o: (o.opens, o.deadline is None, o.deadline or o.opens),
            ),
            rights=sorted((x for _, x in sorted(rights, key=lambda t: t[0])), key=lambda x: x.opens),
            what_if=what_if,
            notes=_notes(plan, group, applying_ids, result.version_date),
            not_applied=not_applied if explain else None,
            warnings=horizon_texts(plan.id, plan.known_until, plan.known_until_reason, on),
        )

    @staticmethod
    def _no_anchor(window: Any, reason: int, deadline: int, on: date) -> str:
        if reason == NO_CLOCK:
            return f"the case has no {window.anchor}"
        if reason == NO_EVENT:
            return f"no {window.anchor} event on or before {on}"
        if reason == NO_TARGET_DEADLINE:
            return f"{window.anchor} has no deadline here"
        return f"no exemption held on {window.anchor}'s deadline {from_day_number(deadline)}"


def to_evaluation(
    result: ColumnarResult,
    columns: CaseColumns,
    i: int,
    *,
    what_if: bool,
    explain: bool = False,
    traces: bool = True,
) -> Evaluation:
    """Case ``i`` of a result as an :class:`Evaluation` (the same object the other back ends give)."""
    return Materializer(result, columns, fact_columns(columns, result.on)).evaluation(
        i, what_if=what_if, explain=explain, traces=traces
    )


def evaluate_many_columnar(
    cases: Sequence[Case],
    regime: Regime | str | None,
    on: date,
    *,
    include_unverified: bool = False,
    explain: bool = False,
    traces: bool = True,
) -> list[Evaluation]:
    """:func:`regimes.evaluate_many` through the columnar back end (the differential tests' entry)."""
    from regimes.evaluate import _finished, _is_what_if, _resolved, evaluate_many, finish_evaluation
    from regimes.facts import fact_row
    from regimes.library import load_regime
    from regimes.receipt import receipt_for

    explicit = load_regime(regime) if isinstance(regime, str) else regime
    groups: dict[str, tuple[Regime, list[int]]] = {}
    for position, case in enumerate(cases):
        if explicit is not None:
            chosen = explicit
        else:
            resolved = _resolved(case.municipality, on)
            if isinstance(resolved, ResolutionError):
                msg = f"case '{case.id}': {resolved}"
                raise ResolutionError(msg)
            chosen = load_regime(resolved)
        groups.setdefault(chosen.id, (chosen, []))[1].append(position)
    out: dict[int, Evaluation] = {}
    options = {"include_unverified": include_unverified, "explain": explain}
    # Dagpenge cases that give paid hours (BEK 2636/2021 § 7, C1) are reckoned in hours, which the
    # columnar date kernels do not do yet: those cases take the per-case evaluator.
    for chosen, positions in groups.values():
        receipt = receipt_for([chosen], "columnar", on, resolved=explicit is None, options=options)
        hourly = [p for p in positions if cases[p].paid_hours and cases[p].group is TargetGroup.DAGPENGE]
        if hourly:
            done = evaluate_many(
                [cases[p] for p in hourly],
                regime,
                on,
                backend="reference",
                include_unverified=include_unverified,
                explain=explain,
                traces=traces,
            )
            out.update(zip(hourly, done, strict=True))
            positions[:] = [p for p in positions if p not in set(hourly)]
        if not positions:
            continue
        subset = [cases[p] for p in positions]
        try:
            plan_of(chosen, include_unverified=include_unverified)
        except UnsupportedPlanError:
            # A feature the plan cannot express yet: these cases go the per-case way, explicitly.
            from regimes.evaluate import evaluate_many

            fallback = evaluate_many(
                subset,
                explicit if explicit is not None else None,
                on,
                backend="vector",
                include_unverified=include_unverified,
                explain=explain,
                traces=traces,
            )
            out.update(zip(positions, fallback, strict=True))
            continue
        columns = columns_from_cases(subset)
        result = evaluate_columns(columns, chosen, on, include_unverified=include_unverified)
        materializer = Materializer(result, columns, fact_columns(columns, on))
        for k, p in enumerate(positions):
            what_if = explicit is not None and _is_what_if(cases[p], chosen, on)
            evaluation = materializer.evaluation(k, what_if=what_if, explain=explain, traces=traces)
            # Transitions (C8): each obligation judged by the law on its deadline; the few that a
            # different law judges are re-evaluated by the reference semantics (regimes.transitions).
            judged = finish_evaluation(
                evaluation,
                cases[p],
                chosen,
                fact_row(cases[p], on),
                named=explicit is not None,
                include_unverified=include_unverified,
                explain=explain,
                traces=traces,
            )
            out[p] = _finished(judged, cases[p], on, receipt)  # receipt, case warnings and notes
    return [out[p] for p in range(len(cases))]


# --------------------------------------------------------------------------------------------
# Transitions (C8) on a population: which cases another law judges
# --------------------------------------------------------------------------------------------


def transition_cases(result: ColumnarResult, regime: Regime, *, named: bool = True) -> npt.NDArray[np.bool_]:
    """Per case: whether some obligation of it is judged by another law than the evaluation's
    (corrections C8, :mod:`regimes.transitions`): its deadline (or the date, without one) falls
    where a different law is in force. The columnar plan does not re-judge yet; callers evaluate
    these cases per case, explicitly, so the figures stay those of the per-case path.

    Only for named regimes (population runs always name them).
    """
    from engine.columnar.execute import KIND_OBLIGATION, KIND_QUOTA
    from regimes.evaluate import _judge, _law_key, engine_for

    assert named, "resolved evaluations re-judge per municipality: use evaluate_many"
    items = result.items
    duty = (items.kind == KIND_OBLIGATION) | (items.kind == KIND_QUOTA)
    on = day_number(result.on)
    judge_day = np.where(items.deadline[duty] == NO_DATE, on, items.deadline[duty])
    affected = np.zeros(result.n, dtype=np.bool_)
    if not len(judge_day):
        return affected
    include = result.plan.include_unverified
    own = _law_key(engine_for(regime, "reference", include).compiled, regime.version_date(result.on))
    days, inverse = np.unique(judge_day, return_inverse=True)
    other = np.zeros(len(days), dtype=np.bool_)
    for k, d in enumerate(days.tolist()):
        judge = _judge(regime, from_day_number(d), True, "")
        compiled = engine_for(judge.regime, "reference", include).compiled
        other[k] = _law_key(compiled, judge.version_date) != own
    if other.any():
        affected[items.case[duty][other[inverse.reshape(-1)]]] = True
    return affected


def cases_from_columns(columns: CaseColumns, index: npt.NDArray[np.int64]) -> list[Case]:
    """Validated cases for rows ``index``, with every field an evaluation reads.

    Why this is enough: ``period_start`` is given as the effective period start (what the rules
    read), and fields no rule reads (an event's ``form``, ``note``, ``documented_start_on``) are
    not in the tables. Used to run a few cases the per-case way (transitions).
    """
    ev = columns.events
    starts = np.searchsorted(ev.case, index, side="left")
    ends = np.searchsorted(ev.case, index, side="right")
    iv = columns.intervals
    out: list[Case] = []
    for k, i in enumerate(index.tolist()):
        data: dict[str, Any] = {
            "id": columns.id_of(i),
            "birth_date": from_day_number(int(columns.birth[i])),
            "municipality": columns.municipality.value(i),
            "group": columns.group.value(i),
        }
        for name in CLOCKS:
            value = int(columns.clocks[name][i])
            if value != NO_DATE:
                data[name] = from_day_number(value)
        for name in FLAGS:
            if columns.flags[name][i]:
                data[name] = True
        for name in OPTIONAL_FLAGS:
            given = columns.flags.get(f"{name}{GIVEN}")
            if given is not None and given[i]:
                data[name] = bool(columns.flags[name][i])
        if columns.visitation_category[i]:
            data["visitation_category"] = int(columns.visitation_category[i])
        events: list[dict[str, Any]] = []
        for r in range(int(starts[k]), int(ends[k])):
            kind = ev.kind.value(r)
            if kind == "offer":
                event: dict[str, Any] = {
                    "kind": "offer",
                    "type": ev.offer_type.value(r),
                    "start": from_day_number(int(ev.start[r])),
                    "end": from_day_number(int(ev.end[r])),
                    "actor": ev.actor.value(r),
                }
                if ev.given[r] != NO_DATE:
                    event["given_on"] = from_day_number(int(ev.given[r]))
            elif kind == "exemption_ground":
                event = {
                    "kind": kind,
                    "ground": ev.ground.value(r),
                    "start": from_day_number(int(ev.start[r])),
                    "end": from_day_number(int(ev.end[r])),
                    "jobcenter_keeps_duties": bool(ev.keeps[r]),
                }
            else:
                event = {"kind": kind, "on": from_day_number(int(ev.day[r]))}
                actor = ev.actor.value(r)
                if actor is not None:
                    event["actor" if kind != "early_followup_requested" else "by"] = (
                        actor if kind != "early_followup_requested" else "citizen"
                    )
                if kind == "early_followup_requested":
                    event.pop("by", None)
            events.append(event)
        data["events"] = events
        mine = iv.case == i
        data["interruptions"] = [
            {"start": from_day_number(int(a)), "end": from_day_number(int(b))}
            for a, b in zip(iv.start[mine].tolist(), iv.end[mine].tolist(), strict=True)
        ]
        out.append(Case.model_validate(data))
    return out
