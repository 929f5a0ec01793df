"""Execute a whole :class:`~engine.plan.RegimePlan` over a population at once.

The steps of one evaluation, each over all cases of the batch as columns:

1. conditions → a boolean matrix (cases × conditions), :mod:`engine.columnar.conditions`;
2. versions in force on the version date → one boolean per rule (the date is one per batch);
3. exemptions: per rule, the first applied exemption that lifts it, per case;
4. suspension grounds (§ 106) per suspension rule, from the events table;
5. per rule in evaluation order (rules anchored on another rule's deadline last): anchors,
   window dates (month arithmetic with end-of-month clamping, accumulation), counts of the
   events inside each window (one ``bincount`` per rule over the events of its step), then
   the status as a column expression in :data:`engine.plan.STATUS_PRECEDENCE` order.

The result is a long table (:class:`Items`): one row per (case, rule) that produced an
obligation, a right, or an anchor that was missing ("why not?"). No Python object is made per
case; :mod:`regimes.columnar` turns one case's rows into an ``Evaluation`` when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.columnar import dates as cd
from engine.columnar.conditions import match_matrix
from engine.columnar.tables import NO_DATE, CaseTable, Days, EventTable, IntervalTable, Mask, day_number
from engine.plan import STATUS_PRECEDENCE, RegimePlan, RulePlan, WindowPlan

_I64 = np.int64

KIND_OBLIGATION, KIND_QUOTA, KIND_RIGHT, KIND_NO_ANCHOR = 0, 1, 2, 3
"""``Items.kind``: what a row is."""
RIGHT_STATUSES: tuple[str, ...] = ("upcoming", "open", "exempted")
"""``Items.status`` of a right indexes this; of an obligation :data:`STATUS_PRECEDENCE`."""
NO_CLOCK, NO_EVENT, NO_TARGET_DEADLINE, NO_COVERING_SUSPENSION = 0, 1, 2, 3
"""``Items.status`` of a missing anchor: why there is none."""

_MET, _EXEMPTED, _SUSPENDED, _WAIVABLE, _UPCOMING, _DUE, _OVERDUE = range(7)
assert STATUS_PRECEDENCE == ("met", "exempted", "suspended", "waivable", "upcoming", "due", "overdue")


@dataclass(frozen=True, eq=False)
class Items:
    """The long result table (all arrays of one length, in no particular order).

    ``by`` is the exemption position (``≥ 0``) that lifts the rule, ``-1`` for none, or
    ``-(s + 2)`` for the suspension rule ``s`` that decided a ``suspended`` status. ``opens`` and
    ``deadline`` are day numbers (:data:`~engine.columnar.tables.NO_DATE`: no deadline; for a
    missing anchor, ``deadline`` holds the target's deadline where the reason needs it).
    """

    case: npt.NDArray[np.int64]
    rule: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    opens: Days
    deadline: Days
    done: npt.NDArray[np.int64]
    status: npt.NDArray[np.int8]
    by: npt.NDArray[np.int64]
    order: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.case)


@dataclass(frozen=True, eq=False)
class ColumnarResult:
    """Everything one batch's evaluation produced: the matrix of conditions and the items."""

    plan: RegimePlan
    on: date
    version_date: date
    n: int
    matched: npt.NDArray[np.bool_]
    in_force: npt.NDArray[np.bool_]
    items: Items

    def applying(self) -> npt.NDArray[np.bool_]:
        """``(cases, rules)``: the rule is in force and its condition holds."""
        rules = len(self.plan.rules)
        return self.matched[:, :rules] & self.in_force[None, :]


class _Builder:
    def __init__(self) -> None:
        self.parts: dict[str, list[npt.NDArray[Any]]] = {
            k: [] for k in ("case", "rule", "kind", "opens", "deadline", "done", "status", "by", "order")
        }

    def add(self, order: int, **columns: npt.NDArray[Any] | int) -> None:
        n = len(columns["case"])  # type: ignore[arg-type]
        if n == 0:
            return
        for name, value in columns.items():
            self.parts[name].append(np.broadcast_to(np.asarray(value), (n,)).astype(_dtype(name)))
        self.parts["order"].append(np.full(n, order, dtype=_I64))

    def build(self) -> Items:
        arrays = {k: np.concatenate(v) if v else np.zeros(0, dtype=_dtype(k)) for k, v in self.parts.items()}
        return Items(**arrays)


def _dtype(name: str) -> Any:
    return np.int8 if name in ("kind", "status") else _I64


def _segment_first(event_case: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """Per case, the position of its first event (events sorted by case)."""
    return np.searchsorted(event_case, np.arange(n, dtype=_I64), side="left")


class _Run:
    """One execution: the inputs, and what earlier rules computed."""

    def __init__(
        self, plan: RegimePlan, cases: CaseTable, events: EventTable, intervals: IntervalTable, on: date
    ) -> None:
        self.plan = plan
        self.n = cases.n
        self.cases = cases
        self.on = day_number(on)
        history = events.day <= self.on
        self.events = events if bool(history.all()) else events.select(history)
        self.intervals = intervals
        self.matched = match_matrix(plan.program, dict(cases.facts), cases.n)
        self.version_date = plan.version_date(on)
        self.in_force = np.array([r.in_force(self.version_date) for r in plan.rules], dtype=np.bool_)
        self.deadlines: dict[str, Days] = {}
        self._by_kind: dict[str, npt.NDArray[np.int64]] = {}
        self._grounds: dict[int, npt.NDArray[np.int64]] = {}
        accumulating = cases.group.isin(plan.accumulating_groups)
        keep = accumulating[intervals.case] if len(intervals) else np.zeros(0, dtype=np.bool_)
        self.acc_intervals = intervals.select(keep)

    # -- helpers ------------------------------------------------------------------------------
    def events_of(self, kind: str) -> npt.NDArray[np.int64]:
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = np.flatnonzero(
                self.events.kind.codes == self.events.kind.code(kind)
            )
        return found

    def applies(self, position: int) -> npt.NDArray[np.int64]:
        rule = self.plan.rules[position]
        if not self.in_force[position]:
            return np.zeros(0, dtype=_I64)
        return np.flatnonzero(self.matched[:, rule.condition])

    def ground_events(self, position: int) -> npt.NDArray[np.int64]:
        """Events that are grounds of suspension rule ``position``, for cases where it applies."""
        found = self._grounds.get(position)
        if found is not None:
            return found
        rule = self.plan.rules[position]
        assert rule.suspension is not None
        ev = self.events
        rows = self.events_of("exemption_ground")
        ok = ev.ground.isin(rule.suspension.grounds, rows)
        if rule.suspension.unless_keeps_duties:
            ok &= ~ev.keeps[rows]
        rows = rows[ok]
        rows = rows[self.matched[ev.case[rows], rule.condition]] if self.in_force[position] else rows[:0]
        self._grounds[position] = rows
        return rows

    def suspensions_of(self, topic: str) -> list[int]:
        return [
            i
            for i, r in enumerate(self.plan.rules)
            if r.suspension is not None and topic in r.suspension.topics
        ]

    # -- windows --------------------------------------------------------------------------------
    def anchor(
        self, window: WindowPlan, idx: npt.NDArray[np.int64], topic: str, rule: RulePlan | None = None
    ) -> tuple[Days, npt.NDArray[np.int8]]:
        """Anchors of cases ``idx`` (:data:`NO_DATE` where none), and the reason code where none."""
        reason = np.full(len(idx), -1, dtype=np.int8)
        if window.anchor_kind == "clock":
            value = self.cases.clocks[window.anchor][idx]
            reason[value == NO_DATE] = 0
            return value, reason
        if window.anchor_kind == "recurring":
            start = self.cases.clocks[window.anchor][idx]
            reason[start == NO_DATE] = 0
            has = start != NO_DATE
            value = np.full(len(idx), NO_DATE, dtype=_I64)
            if has.any():
                assert window.every_unit is not None
                last = self.last_step(rule, idx)
                value[has] = cd.recurring_mark(
                    start[has], self.on, window.every_unit, window.every_n, last[has]
                )
            return value, reason
        if window.anchor_kind == "offer_end":
            rows = self.events_of("offer")
            ev = self.events
            rows = rows[ev.start[rows] <= self.on]
            latest = np.full(self.n, NO_DATE, dtype=_I64)
            if len(rows):
                # the latest offer by (start, end): sorted so the last row per case wins
                order = rows[np.lexsort((ev.end[rows], ev.start[rows]))]
                latest[ev.case[order]] = ev.end[order]
            value = latest[idx]
            reason[value == NO_DATE] = 1
            return value, reason
        if window.anchor_kind == "event":
            rows = self.events_of(window.anchor)
            first = np.full(self.n, NO_DATE, dtype=_I64)
            if len(rows):
                cases = self.events.case[rows]
                big = np.iinfo(_I64).max
                earliest = np.full(self.n, big, dtype=_I64)
                np.minimum.at(earliest, cases, self.events.day[rows])
                first = np.where(earliest == big, NO_DATE, earliest)
            value = first[idx]
            reason[value == NO_DATE] = 1
            return value, reason
        target = self.deadlines.get(window.anchor)
        deadline = target[idx] if target is not None else np.full(len(idx), NO_DATE, dtype=_I64)
        value = np.full(len(idx), NO_DATE, dtype=_I64)
        reason[deadline == NO_DATE] = 2
        pos = np.full(self.n, -1, dtype=_I64)
        pos[idx] = np.arange(len(idx))
        latest = np.full(len(idx), NO_DATE, dtype=_I64)
        ev = self.events
        for s in self.suspensions_of(topic):
            rows = self.ground_events(s)
            at = pos[ev.case[rows]]
            keep = at >= 0
            rows, at = rows[keep], at[keep]
            d = deadline[at]
            covers = (d != NO_DATE) & (ev.start[rows] <= d) & (d <= ev.end[rows])
            np.maximum.at(latest, at[covers], ev.end[rows][covers])
        value = np.where((deadline != NO_DATE) & (latest != NO_DATE), latest, NO_DATE)
        reason[(deadline != NO_DATE) & (value == NO_DATE)] = 3
        return value, reason

    def last_step(self, rule: RulePlan | None, idx: npt.NDArray[np.int64]) -> Days:
        """Per case of ``idx``, the latest day of an event of the rule's step by its actors
        (offers by their start), NO_DATE where none: what a recurring window's marks are read against."""
        last = np.full(self.n, NO_DATE, dtype=_I64)
        counting = rule.counting if rule is not None else None
        if counting is None:
            return last[idx]
        rows = self.events_of(counting.step)
        if len(rows):
            ev = self.events
            ok = (ev.actor.codes[rows] < 0) | ev.actor.isin(counting.actors)[rows]
            rows = rows[ok]
            day = ev.start[rows] if counting.step == "offer" else ev.day[rows]
            seen = day <= self.on
            np.maximum.at(last, ev.case[rows][seen], day[seen])
        return last[idx]

    def window(self, window: WindowPlan, idx: npt.NDArray[np.int64], anchor: Days) -> tuple[Days, Days]:
        """``(opens, deadline)`` of cases ``idx`` with their anchors (deadline NO_DATE: none)."""
        intervals = None
        if window.accumulated and len(self.acc_intervals):
            pos = np.full(self.n, -1, dtype=_I64)
            pos[idx] = np.arange(len(idx))
            iv = self.acc_intervals
            at = pos[iv.case]
            keep = at >= 0
            at, start, end = at[keep], iv.start[keep], iv.end[keep]
            since = anchor[at]
            keep = end >= since
            at, start, end, since = at[keep], start[keep], end[keep], since[keep]
            if len(at):
                intervals = cd.merge_intervals(at, np.maximum(start, since), end)
        opens = cd.reckon(window.opens, anchor, intervals) if window.opens else anchor
        if window.deadline is None:
            deadline = np.full(len(idx), NO_DATE, dtype=_I64)
        else:
            deadline = cd.reckon(window.deadline, anchor, intervals)
        return opens, deadline

    # -- counting -------------------------------------------------------------------------------
    def done(
        self, rule: RulePlan, idx: npt.NDArray[np.int64], opens: Days, deadline: Days
    ) -> npt.NDArray[np.int64]:
        counting = rule.counting
        assert counting is not None
        rows = self.events_of(counting.step)
        if len(rows) == 0:
            return np.zeros(len(idx), dtype=_I64)
        ev = self.events
        pos = np.full(self.n, -1, dtype=_I64)
        pos[idx] = np.arange(len(idx))
        at = pos[ev.case[rows]]
        keep = at >= 0
        rows, at = rows[keep], at[keep]
        actor = ev.actor.codes[rows]
        ok = (actor < 0) | ev.actor.isin(counting.actors, rows)
        o = opens[at]
        dl = deadline[at]
        has_deadline = dl != NO_DATE
        last = np.where(has_deadline, dl, self.on)
        if counting.step == "offer":
            start = ev.start[rows]
            offer = counting.offer
            if offer is None:
                ok &= (o <= start) & (start <= last)
            else:
                ok &= ~ev.offer_type.isin(offer.exclude_types, rows)
                ok &= (ev.end[rows] - start + 1) >= offer.min_days
                in_time = (o <= start) & (start <= last)
                if offer.late_days is not None:
                    given = ev.given[rows]
                    late = (
                        has_deadline
                        & ev.offer_type.isin(offer.late_types, rows)
                        & (given != NO_DATE)
                        & (o <= given)
                        & (given <= dl)
                        & (start <= dl + offer.late_days)
                    )
                    in_time |= late
                ok &= in_time
        else:
            day = ev.day[rows]
            ok &= (o <= day) & (day <= last)
        return np.bincount(at[ok], minlength=len(idx)).astype(_I64)

    def suspended_by(
        self, topic: str, idx: npt.NDArray[np.int64], opens: Days, deadline: Days
    ) -> npt.NDArray[np.int64]:
        """Per case of ``idx``, the first suspension rule whose ground pauses the duty (-1: none).

        A ground pauses when it holds on ``on`` while the window is open on ``on``, or held on
        the deadline once the window has opened (the pausing rule of the plan's status precedence).
        """
        result = np.full(len(idx), -1, dtype=_I64)
        ev = self.events
        pos = np.full(self.n, -1, dtype=_I64)
        pos[idx] = np.arange(len(idx))
        for s in self.suspensions_of(topic):
            rows = self.ground_events(s)
            if len(rows) == 0:
                continue
            at = pos[ev.case[rows]]
            keep = at >= 0
            rows, at = rows[keep], at[keep]
            start, end = ev.start[rows], ev.end[rows]
            d = deadline[at]
            opened = opens[at] <= self.on
            open_on = opened & ((d == NO_DATE) | (self.on <= d))
            holds_on = (start <= self.on) & (self.on <= end)
            covers = (holds_on & open_on) | ((d != NO_DATE) & opened & (start <= d) & (d <= end))
            hit = np.zeros(len(idx), dtype=np.bool_)
            hit[at[covers]] = True
            result = np.where((result < 0) & hit, s, result)
        return result

    def exempted_by(self, rule: RulePlan, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        result = np.full(len(idx), -1, dtype=_I64)
        for j, ex in enumerate(self.plan.exemptions):
            if rule.id not in ex.lifts:
                continue
            if ex.from_ is not None and self.version_date < ex.from_:
                continue
            hit = self.matched[idx, ex.condition]
            result = np.where((result < 0) & hit, j, result)
        return result


def execute(
    plan: RegimePlan, cases: CaseTable, events: EventTable, intervals: IntervalTable, on: date
) -> ColumnarResult:
    """Evaluate every case of ``cases`` under ``plan`` on ``on``."""
    run = _Run(plan, cases, events, intervals, on)
    out = _Builder()
    for order, position in enumerate(plan.order()):
        rule = plan.rules[position]
        if rule.effect == "suspension" or rule.window is None:
            continue
        idx = run.applies(position)
        if len(idx) == 0:
            continue
        anchor, reason = run.anchor(rule.window, idx, rule.topic, rule)
        missing = anchor == NO_DATE
        if missing.any():
            gone = idx[missing]
            target = run.deadlines.get(rule.window.anchor)
            shown = target[gone] if target is not None else np.full(len(gone), NO_DATE, dtype=_I64)
            out.add(
                order,
                case=gone,
                rule=position,
                kind=KIND_NO_ANCHOR,
                opens=NO_DATE,
                deadline=shown,
                done=0,
                status=reason[missing],
                by=-1,
            )
            keep = ~missing
            idx, anchor = idx[keep], anchor[keep]
            if len(idx) == 0:
                continue
        opens, deadline = run.window(rule.window, idx, anchor)
        exemption = run.exempted_by(rule, idx)
        if rule.effect == "right":
            status = np.where(exemption >= 0, 2, np.where(run.on < opens, 0, 1))
            out.add(
                order,
                case=idx,
                rule=position,
                kind=KIND_RIGHT,
                opens=opens,
                deadline=NO_DATE,
                done=0,
                status=status,
                by=exemption,
            )
            continue
        full = np.full(run.n, NO_DATE, dtype=_I64)
        full[idx] = deadline
        run.deadlines[rule.id] = full
        suspension = run.suspended_by(rule.topic, idx, opens, deadline)
        done = run.done(rule, idx, opens, deadline)
        quota = rule.effect == "quota"
        has_deadline = deadline != NO_DATE
        # An unasserted deadline never makes a duty overdue (it stays due).
        asserted = not rule.window.deadline_unverified and rule.confidence != "unverified"
        status = np.select(
            [
                done >= rule.count,
                exemption >= 0,
                suspension >= 0,
                np.full(len(idx), quota),
                run.on < opens,
                ~has_deadline | (run.on <= deadline) | (not asserted),
            ],
            [_MET, _EXEMPTED, _SUSPENDED, _WAIVABLE, _UPCOMING, _DUE],
            default=_OVERDUE,
        )
        by = np.where(exemption >= 0, exemption, np.where(status == _SUSPENDED, -(suspension + 2), -1))
        out.add(
            order,
            case=idx,
            rule=position,
            kind=KIND_QUOTA if quota else KIND_OBLIGATION,
            opens=opens,
            deadline=deadline,
            done=done,
            status=status,
            by=by,
        )
    return ColumnarResult(
        plan=plan,
        on=on,
        version_date=run.version_date,
        n=cases.n,
        matched=run.matched,
        in_force=run.in_force,
        items=out.build(),
    )


def as_mask(values: Any) -> Mask:
    return np.asarray(values, dtype=np.bool_)
