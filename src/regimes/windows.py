"""Windows and counting: when a rule's step may and must happen, and how many were done.

Why separate from :mod:`regimes.evaluate`: this is the date-and-history arithmetic a
caseworker would check by hand against ``shared/domain/worked-examples.md``; it has no
back end, no statuses and no layering in it, so each piece can be tested on its own.
All date arithmetic is delegated to :mod:`regimes.dates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from regimes import dates
from regimes.case import Case, Event, OfferEvent
from regimes.ruleset.model import (
    Amount,
    Counting,
    EventAnchor,
    Reckoning,
    SuspensionEndAnchor,
    Window,
)
from regimes.vocabulary import EQUIVALENT_ACTORS, Actor, Step, TargetGroup


@dataclass(frozen=True, slots=True)
class Span:
    """A computed window: ``opens`` … ``deadline`` inclusive (no deadline: open-ended)."""

    anchor: date
    opens: date
    deadline: date | None


@dataclass(frozen=True, slots=True)
class Period:
    """A suspension period (LAB § 106 ground), inclusive, and the rule that creates it."""

    start: date
    end: date
    rule: str
    citation: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def interruptions_of(case: Case, since: date) -> list[dates.Interval]:
    """Interruptions count only for dagpenge (LAB § 9: accumulated unemployment), and only
    from the period's start: work before the period began interrupts nothing."""
    if case.group is not TargetGroup.DAGPENGE:
        return []
    return [dates.Interval(max(i.start, since), i.end) for i in case.interruptions if i.end >= since]


def hours_of(case: Case, since: date, on: date) -> tuple[dates.PaidHours, ...] | None:
    """The paid hours that count (BEK 2636/2021 § 7), or ``None``: the calendar reading applies.

    Hours count only for dagpenge, only from the period's start (a new dagpenge period restarts
    the count, § 7, stk. 4), and only as recorded by the evaluation date: a period ending after
    ``on`` is not yet known (later days are projected at the full rate by :func:`dates.hours_reached`).
    """
    if case.group is not TargetGroup.DAGPENGE or not case.paid_hours:
        return None
    return tuple(
        dates.PaidHours(p.start, p.end, Fraction(str(p.hours)), p.kind)
        for p in case.paid_hours
        if p.end >= since and p.end <= on
    )


def accumulation_note(case: Case, rules: Sequence[Window], on: date) -> str | None:
    """Which reading of accumulated unemployment an evaluation used, or ``None`` when no
    accumulated window applies (corrections C1: "the evaluation says which reading it used")."""
    if case.group is not TargetGroup.DAGPENGE or not any(w.accumulated for w in rules):
        return None
    if not case.paid_hours:
        return (
            "accumulated unemployment reckoned in calendar days (the case gives no paid_hours; "
            "BEK nr. 2636 af 28/12/2021 § 7 counts paid hours)"
        )
    known = [p.end for p in case.paid_hours if p.end <= on]
    recorded = f"recorded to {max(known)}" if known else "none recorded yet"
    month, week = dates.HOURS_PER_MONTH[case.insurance], dates.HOURS_PER_WEEK[case.insurance]
    insured = case.insurance.replace("_", "-")
    return (
        f"accumulated unemployment counted in paid hours (BEK nr. 2636 af 28/12/2021 § 7; "
        f"{insured} insured: 1 month = {float(month):g} h, 1 week = {float(week):g} h; "
        f"dagpenge hours 2020-03-01–2020-08-31 and 2021-01-01–2021-06-30 not counted; {recorded}, "
        f"later days projected at {float(week):g} h a week)"
    )


def clock(case: Case, name: str) -> date | None:
    """The date a clock names; ``period_start`` falls back per group (glossary, § 9)."""
    if name == "period_start":
        return case.effective_period_start
    value = getattr(case, name)
    return value if isinstance(value, date) else None


def anchor_date(
    case: Case,
    window: Window,
    on: date,
    *,
    deadlines: dict[str, date | None],
    periods: Sequence[Period],
    history: Sequence[Event] | None = None,
) -> tuple[date | None, str]:
    """The anchor's date, or ``None`` and why there is none.

    ``history`` is ``case.events_until(on)`` when the caller has it already.
    """
    anchor = window.anchor
    if isinstance(anchor, str):
        value = clock(case, anchor)
        return value, "" if value else f"the case has no {anchor}"
    if isinstance(anchor, EventAnchor):
        events = case.events_until(on) if history is None else history
        found = sorted(e.date for e in events if e.kind == anchor.event)
        return (found[0], "") if found else (None, f"no {anchor.event} event on or before {on}")
    assert isinstance(anchor, SuspensionEndAnchor)
    target = anchor.suspension_end_at_deadline_of
    deadline = deadlines.get(target)
    if deadline is None:
        return None, f"{target} has no deadline here"
    covering = [p for p in periods if p.covers(deadline)]
    if not covering:
        return None, f"no exemption held on {target}'s deadline {deadline}"
    return max(p.end for p in covering), ""


def _reckon(
    reckoning: Reckoning,
    anchor: date,
    accumulated: bool,
    interruptions: Sequence[dates.Interval],
    hours: tuple[dates.PaidHours, ...] | None = None,
    insurance: dates.Insurance = "full_time",
) -> date:
    kind = reckoning.kind
    if kind == "end_of_week":
        assert reckoning.end_of_week is not None
        return dates.end_of_week(anchor, reckoning.end_of_week)
    amount: Amount | None = getattr(reckoning, kind)
    assert amount is not None
    unit = {amount.unit: amount.n}
    if kind == "after":
        return dates.after(anchor, **unit)
    if hours is not None:
        # BEK 2636/2021 § 7: "the first N months" of accumulated unemployment end when the paid
        # hours reach N × 160.33 h (weeks: N × 37 h; part-time 130 h / 30 h).
        threshold = dates.hours_threshold(insurance, **unit)
        last = dates.hours_reached(anchor, threshold, hours, insurance)
        return last + timedelta(days=1) if kind == "day_after_first" else last
    last = dates.first(anchor, **unit)
    if accumulated:
        last = dates.accumulate(last, interruptions)
    return last + timedelta(days=1) if kind == "day_after_first" else last


_SPANS: dict[tuple[object, ...], tuple[Window, Span]] = {}
_SPANS_MAX = 200_000


def span(case: Case, window: Window, anchor: date, on: date) -> Span:
    """The window's dates for this case (``accumulated`` applies to dagpenge only).

    A pure function of the window, the anchor, the interruptions and (for recurring windows)
    the date, so it is memoised: a population repeats the same few thousand combinations.
    """
    interruptions = tuple(interruptions_of(case, anchor)) if window.accumulated else ()
    hours = hours_of(case, anchor, on) if window.accumulated else None
    key = (id(window), anchor, interruptions, on if window.repeat_months else None, hours, case.insurance)
    hit = _SPANS.get(key)
    if hit is not None and hit[0] is window:
        return hit[1]
    result = _span(window, anchor, on, interruptions, hours, case.insurance)
    if len(_SPANS) >= _SPANS_MAX:
        _SPANS.clear()
    _SPANS[key] = (window, result)
    return result


def _span(
    window: Window,
    anchor: date,
    on: date,
    interruptions: tuple[dates.Interval, ...],
    hours: tuple[dates.PaidHours, ...] | None = None,
    insurance: dates.Insurance = "full_time",
) -> Span:
    accumulated = bool(interruptions)
    if window.repeat_months:
        # LAB § 36 a: "then the same for each further N months" — the cycle containing `on`.
        cycle = 0
        while dates.after(anchor, months=window.repeat_months * (cycle + 1)) <= on:
            cycle += 1
        if cycle:
            anchor = dates.after(anchor, months=window.repeat_months * cycle)
    opens = (
        _reckon(window.opens, anchor, accumulated, interruptions, hours, insurance)
        if window.opens
        else anchor
    )
    deadline = (
        _reckon(window.deadline, anchor, accumulated, interruptions, hours, insurance)
        if window.deadline
        else None
    )
    return Span(anchor=anchor, opens=opens, deadline=deadline)


def _actor_matches(event_actor: Actor | None, actors: Sequence[Actor]) -> bool:
    if event_actor is None:
        return True
    return any(event_actor in EQUIVALENT_ACTORS[a] for a in actors)


def count_done(
    case: Case,
    step: Step,
    actor: Actor,
    counting: Counting | None,
    window: Span,
    on: date,
    history: Sequence[Event] | None = None,
) -> int:
    """How many events of the history as of ``on`` satisfy the step inside the window.

    Interviews and other one-day steps count when dated ``opens ≤ on-date ≤ deadline``. An
    offer counts by its *start* (LAB § 102: it must start by the deadline), lasts at least
    ``min_days`` (``end − start + 1``), is not of an excluded type, or — a wage subsidy —
    was *given* by the deadline and starts within ``late_start.days`` after it.
    """
    actors = counting.actors if counting and counting.actors else [actor]
    last = window.deadline if window.deadline is not None else on
    done = 0
    for event in case.events_until(on) if history is None else history:
        if event.kind != step:
            continue
        if isinstance(event, OfferEvent):
            if not _actor_matches(event.actor, actors):
                continue
            rules = counting.offer if counting else None
            if rules is None:
                if window.opens <= event.start <= last:
                    done += 1
                continue
            if event.type in rules.exclude_types:
                continue
            if (event.end - event.start).days + 1 < rules.min_days:
                continue
            if window.opens <= event.start <= last or (
                rules.late_start is not None
                and window.deadline is not None
                and event.type in rules.late_start.types
                and event.given_on is not None
                and window.opens <= event.given_on <= window.deadline
                and event.start <= window.deadline + timedelta(days=rules.late_start.days)
            ):
                done += 1
            continue
        event_actor = getattr(event, "actor", None)
        if not _actor_matches(event_actor, actors):
            continue
        if window.opens <= event.date <= last:
            done += 1
    return done
