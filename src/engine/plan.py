"""The complete evaluation plan of a regime: plain frozen data, engine-neutral.

Why a plan: the match program (:mod:`engine.compiled`) says only *which conditions hold*; an
evaluation also needs each rule version's window (anchor, reckonings, accumulation,
recurrence), what counts toward it (event kinds, actors, offer rules), which suspensions pause
which topics, which exemptions lift which rules, quotas and the validity of every version. The
plan holds all of it, so a back end that executes the whole evaluation (the columnar one, over
a population at once) never reads the YAML model or the layered regime.

Every value is a ``str``, ``int``, ``bool``, ``float``, a :class:`datetime.date` or a tuple of
them: vocabulary words travel as their strings (``"job_interview"``, ``"a_kasse"``), so nothing
here imports the ruleset language.

The status precedence every back end implements is :data:`STATUS_PRECEDENCE`, in order:
``met`` if enough was done; else ``exempted`` if an exemption lifts the rule; else
``suspended`` if a suspension of the rule's topic pauses it;
else ``waivable`` for a quota; else ``upcoming`` before the window opens, ``due`` until the
deadline and ``overdue`` after it. A suspension *pauses* a duty when its ground holds on the
evaluation date while the window is open, or held on the deadline once the window has opened; a
deadline that is not asserted (the rule or the window's deadline ``unverified``) never makes a
duty ``overdue``: it stays ``due`` (:mod:`regimes.status` is the per-case twin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

from engine.compiled import MatchProgram

ReckoningKind: TypeAlias = Literal["after", "first", "day_after_first", "end_of_week", "month_end_after"]
Unit: TypeAlias = Literal["days", "weeks", "months"]
AnchorKind: TypeAlias = Literal["clock", "event", "suspension_end", "recurring", "offer_end"]
EffectKind: TypeAlias = Literal["obligation", "quota", "right", "suspension"]

STATUS_PRECEDENCE: tuple[str, ...] = (
    "met",
    "exempted",
    "suspended",
    "waivable",
    "upcoming",
    "due",
    "overdue",
)
"""Obligation statuses in the order they are decided (the first that holds wins)."""


@dataclass(frozen=True, slots=True)
class ReckoningPlan:
    """One reckoning of :mod:`regimes.dates`: ``kind`` of ``n`` ``unit`` (``end_of_week``: weeks)."""

    kind: ReckoningKind
    unit: Unit
    n: int


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """When a step may and must happen.

    ``anchor`` is a clock name (``anchor_kind="clock"``; ``period_start`` means the case's
    effective period start), an event kind whose earliest occurrence anchors
    (``"event"``), or the id of the rule at whose deadline a suspension's end anchors
    (``"suspension_end"``, LAB § 102, stk. 4), the clock whose marks every ``every_n``
    ``every_unit`` anchor a recurring window (``"recurring"``, LAB § 36 a: the earliest mark not
    yet followed by the rule's step), or the end of the latest offer (``"offer_end"``, LAB § 105).
    ``accumulated`` moves ``first`` and ``day_after_first`` reckonings by interruptions (for the
    groups in :attr:`RegimePlan.accumulating_groups`).
    """

    anchor_kind: AnchorKind
    anchor: str
    opens: ReckoningPlan | None
    deadline: ReckoningPlan | None
    accumulated: bool = False
    every_unit: Unit | None = None
    every_n: int = 0
    deadline_unverified: bool = False


@dataclass(frozen=True, slots=True)
class OfferRules:
    """How an offer counts (LAB § 102): long enough, not excluded, or given in time and late-started."""

    min_days: int = 1
    exclude_types: tuple[str, ...] = ()
    late_types: tuple[str, ...] = ()
    late_days: int | None = None


@dataclass(frozen=True, slots=True)
class CountingPlan:
    """What counts toward ``done``: events of ``step`` whose actor is one of ``actors``
    (already expanded to equivalent actors; an event without an actor always counts)."""

    step: str
    actors: tuple[str, ...]
    offer: OfferRules | None = None


@dataclass(frozen=True, slots=True)
class SuspensionPlan:
    """While a documented ground of ``grounds`` holds, rules of ``topics`` pause
    (unless ``unless_keeps_duties`` and the jobcenter kept the duties)."""

    grounds: tuple[str, ...]
    topics: tuple[str, ...]
    unless_keeps_duties: bool = True


@dataclass(frozen=True, slots=True)
class RulePlan:
    """One rule version: ``condition`` indexes ``RegimePlan.program.conditions``."""

    condition: int
    id: str
    title: str
    citation: str
    confidence: str
    topic: str
    effect: EffectKind
    valid_from: date
    valid_to: date | None
    groups: tuple[str, ...] | None = None
    step: str | None = None
    actor: str | None = None
    count: int = 1
    share: float | None = None
    window: WindowPlan | None = None
    counting: CountingPlan | None = None
    suspension: SuspensionPlan | None = None

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class ExemptionPlan:
    """An applied exemption: ``condition`` indexes the program; ``lifts`` are the rule ids it
    lifts (with the earlier versions they replaced); ``by`` and ``citation`` name it."""

    condition: int
    lifts: tuple[str, ...]
    by: str
    citation: str
    from_: date | None = None


@dataclass(frozen=True, slots=True)
class NoteRule:
    """A note an evaluation carries for cases of ``groups`` (``None``: every case), on version
    dates from ``valid_from`` to ``valid_to`` (``None``: open)."""

    text: str
    groups: tuple[str, ...] | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def holds_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class PossibleLift:
    """An unapplied (unverified) exemption: a note when one of ``rules`` applies."""

    rules: tuple[str, ...]
    citation: str


@dataclass(frozen=True, slots=True)
class RegimePlan:
    """Everything an evaluation of one regime needs, compiled once.

    ``rules`` are in program order (condition ``i`` belongs to ``rules[i]``), then the
    exemptions' conditions follow. ``last`` lists the rule positions evaluated after the
    others (anchored on another rule's deadline). ``unverified`` are the rules left out
    (id, groups) for the "left out" note. ``known_until`` is the known-law horizon: an
    evaluation on a later date carries a warning.
    """

    id: str
    valid_from: date | None
    valid_to: date | None
    program: MatchProgram
    rules: tuple[RulePlan, ...]
    exemptions: tuple[ExemptionPlan, ...]
    include_unverified: bool = False
    last: tuple[int, ...] = ()
    not_modelled: tuple[NoteRule, ...] = ()
    possible_lifts: tuple[PossibleLift, ...] = ()
    unverified: tuple[tuple[str, tuple[str, ...] | None], ...] = ()
    accumulating_groups: tuple[str, ...] = ("dagpenge",)
    #: The known-law horizon (corrections C10; the warning is :func:`regimes.horizon.horizon_text`).
    known_until: date | None = None
    known_until_reason: str | None = None

    def version_date(self, on: date) -> date:
        """``on`` clamped to the regime's validity (a what-if after ``valid_to`` sees its last day)."""
        if self.valid_from is not None and on < self.valid_from:
            return self.valid_from
        if self.valid_to is not None and on > self.valid_to:
            return self.valid_to
        return on

    def in_force(self, on: date) -> tuple[int, ...]:
        """Positions of the rule versions in force on the version date of ``on``."""
        day = self.version_date(on)
        return tuple(i for i, r in enumerate(self.rules) if r.in_force(day))

    def order(self) -> tuple[int, ...]:
        """Rule positions in evaluation order: dependent rules (:attr:`last`) at the end."""
        tail = set(self.last)
        return tuple(i for i in range(len(self.rules)) if i not in tail) + tuple(
            i for i in range(len(self.rules)) if i in tail
        )
