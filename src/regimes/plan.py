"""Compile a layered :class:`~regimes.layer.Regime` into the complete evaluation plan.

Why here and not in the engine: this is the one place that reads the ruleset language (the
YAML model's windows, counting and effects) and the layering (versions, lifted ids, notes)
to write them down as :mod:`engine.plan` data. After :func:`compile_plan` nothing downstream
needs the model or the regime: the columnar back end runs from the plan alone.

The match program is the one :func:`regimes.compile.compile_regime` builds (same conditions,
same order), so every back end decides the same conditions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from engine.plan import (
    CountingPlan,
    ExemptionPlan,
    NoteRule,
    OfferRules,
    PossibleLift,
    ReckoningPlan,
    RegimePlan,
    RulePlan,
    SuspensionPlan,
    WindowPlan,
)
from regimes.compile import CompiledRegime, compile_regime
from regimes.errors import EngineError
from regimes.layer import EffectiveRule, Regime
from regimes.ruleset.model import (
    Counting,
    EventAnchor,
    ObligationEffect,
    OfferEndAnchor,
    QuotaEffect,
    Reckoning,
    RecurringAnchor,
    RightEffect,
    SuspensionEffect,
    SuspensionEndAnchor,
    Window,
)
from regimes.vocabulary import EQUIVALENT_ACTORS, Actor, Confidence, TargetGroup

__all__ = ["UnsupportedPlanError", "compile_plan", "plan_of", "unsupported"]


class UnsupportedPlanError(EngineError):
    """A rule uses a feature the plan cannot express yet: callers run it per case instead."""


# What the plan expresses, field by field; a rule that sets anything else cannot be planned
# (and a population run falls back to the per-case path, never silently differing).
_WINDOW_FIELDS = frozenset(
    {"anchor", "opens", "deadline", "accumulated", "deadline_confidence", "note"}
)
_RECKONINGS = frozenset({"after", "first", "day_after_first", "end_of_week", "month_end_after"})
_COUNTING_FIELDS = frozenset({"actors", "offer"})
_OFFER_FIELDS = frozenset({"min_days", "exclude_types", "late_start"})
_CLOCKS = frozenset(
    {"registered_on", "first_inquiry_on", "period_start", "sickness_first_day", "visitation_on"}
)
_EFFECT_FIELDS = frozenset({"step", "actor", "count", "window", "counting", "note", "share", "pooled"})
_PLANNED_FACTS = frozenset(
    {
        "group",
        "age",
        "visitation_category",
        "period_start",
        "early_followup_requested",
        "jobcenter_course_from_day_one",
        "has_vocational_education",
        "has_child_in_custody_at_home",
        "covered_by_work_obligation",
        "declines_akasse_participation",
        "early_joint_interview_wanted",
        "in_job_oriented_effort_30a",
        "employed",
        "sickness_light_track",
        "obviously_education_ready",
        "expected_absence_under_26_weeks",
    }
)


def _set_fields(model: Any) -> set[str]:
    """Fields of a pydantic model that differ from their defaults."""
    out = set()
    for name, info in type(model).model_fields.items():
        if getattr(model, name) != info.get_default(call_default_factory=True):
            out.add(name)
    return out


def unsupported(compiled: CompiledRegime) -> str | None:
    """Why the plan cannot express this regime (``None``: it can)."""
    from engine.compiled import atoms

    for condition in compiled.program.conditions:
        for cmp in atoms(condition.predicate):
            if cmp.fact not in _PLANNED_FACTS:
                return f"fact {cmp.fact!r} has no column"
    for er in compiled.rules:
        effect = getattr(er.rule, er.rule.effect_kind)
        if isinstance(effect, SuspensionEffect):
            continue
        extra = _set_fields(effect) - _EFFECT_FIELDS
        if extra:
            return f"{er.id}: {', '.join(sorted(extra))}"
        window = effect.window
        extra = _set_fields(window) - _WINDOW_FIELDS
        if extra:
            return f"{er.id}: window {', '.join(sorted(extra))}"
        if isinstance(window.anchor, str) and window.anchor not in _CLOCKS:
            return f"{er.id}: anchor {window.anchor}"
        for reckoning in (window.opens, window.deadline):
            if reckoning is not None and not _set_fields(reckoning) <= _RECKONINGS:
                return f"{er.id}: reckoning {', '.join(sorted(_set_fields(reckoning) - _RECKONINGS))}"
        counting = getattr(effect, "counting", None)
        if counting is not None:
            extra = _set_fields(counting) - _COUNTING_FIELDS
            if counting.offer is not None:
                extra |= _set_fields(counting.offer) - _OFFER_FIELDS
            if extra:
                return f"{er.id}: counting {', '.join(sorted(extra))}"
    return None


def _reckoning(reckoning: Reckoning | None) -> ReckoningPlan | None:
    if reckoning is None:
        return None
    kind = reckoning.kind
    if kind == "end_of_week":
        assert reckoning.end_of_week is not None
        return ReckoningPlan("end_of_week", "weeks", reckoning.end_of_week)
    amount = getattr(reckoning, kind)
    return ReckoningPlan(kind, amount.unit, amount.n)  # type: ignore[arg-type]


def _window(window: Window) -> WindowPlan:
    anchor = window.anchor
    kind: str
    name: str
    every_unit: str | None = None
    every_n = 0
    if isinstance(anchor, str):
        kind, name = "clock", anchor
    elif isinstance(anchor, EventAnchor):
        kind, name = "event", anchor.event
    elif isinstance(anchor, RecurringAnchor):
        kind, name = "recurring", anchor.from_
        every_unit, every_n = anchor.every.unit, anchor.every.n
    elif isinstance(anchor, OfferEndAnchor):
        kind, name = "offer_end", anchor.end_of_last
    else:
        assert isinstance(anchor, SuspensionEndAnchor)
        kind, name = "suspension_end", anchor.suspension_end_at_deadline_of
    return WindowPlan(
        anchor_kind=kind,  # type: ignore[arg-type]
        anchor=name,
        opens=_reckoning(window.opens),
        deadline=_reckoning(window.deadline),
        accumulated=window.accumulated,
        every_unit=every_unit,  # type: ignore[arg-type]
        every_n=every_n,
        deadline_unverified=window.deadline_confidence is Confidence.UNVERIFIED,
    )


def _actors(actors: list[Actor]) -> tuple[str, ...]:
    expanded = {a for actor in actors for a in EQUIVALENT_ACTORS[actor]}
    return tuple(sorted(a.value for a in expanded))


def _counting(step: str, actor: Actor, counting: Counting | None) -> CountingPlan:
    actors = counting.actors if counting and counting.actors else [actor]
    offer = None
    if counting is not None and counting.offer is not None:
        rules = counting.offer
        offer = OfferRules(
            min_days=rules.min_days,
            exclude_types=tuple(t.value for t in rules.exclude_types),
            late_types=tuple(t.value for t in rules.late_start.types) if rules.late_start else (),
            late_days=rules.late_start.days if rules.late_start else None,
        )
    return CountingPlan(step=step, actors=_actors(actors), offer=offer)


def _rule(index: int, er: EffectiveRule) -> RulePlan:
    rule = er.rule
    effect = getattr(rule, rule.effect_kind)
    common = {
        "condition": index,
        "id": er.id,
        "title": rule.title,
        "citation": rule.citation,
        "confidence": rule.confidence.value,
        "topic": rule.topic.value,
        "effect": rule.effect_kind,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "groups": tuple(g.value for g in rule.groups) if rule.groups is not None else None,
    }
    if isinstance(effect, SuspensionEffect):
        return RulePlan(
            **common,  # type: ignore[arg-type]
            suspension=SuspensionPlan(
                grounds=tuple(g.value for g in effect.grounds),
                topics=tuple(t.value for t in effect.topics),
                unless_keeps_duties=effect.unless == "jobcenter_keeps_duties",
            ),
        )
    if isinstance(effect, RightEffect):
        return RulePlan(
            **common,  # type: ignore[arg-type]
            step=effect.step.value,
            actor=effect.actor.value,
            window=_window(effect.window),
        )
    assert isinstance(effect, ObligationEffect)
    return RulePlan(
        **common,  # type: ignore[arg-type]
        step=effect.step.value,
        actor=effect.actor.value,
        count=effect.count,
        share=effect.share if isinstance(effect, QuotaEffect) else None,
        window=_window(effect.window),
        counting=_counting(effect.step.value, effect.actor, effect.counting),
    )


def compile_plan(regime: Regime, *, include_unverified: bool = False) -> RegimePlan:
    """The plan of ``regime`` (unverified rules left out unless asked for)."""
    return plan_from(compile_regime(regime, include_unverified=include_unverified))


def plan_from(compiled: CompiledRegime) -> RegimePlan:
    """The plan of an already compiled regime (same program, same order).

    Raises:
        UnsupportedPlanError: a rule uses a feature the plan cannot express yet.
    """
    reason = unsupported(compiled)
    if reason is not None:
        msg = f"{compiled.regime.id}: the columnar back end does not support {reason} yet"
        raise UnsupportedPlanError(msg)
    regime = compiled.regime
    rules = tuple(_rule(i, er) for i, er in enumerate(compiled.rules))
    n_rules = len(rules)
    exemptions = tuple(
        ExemptionPlan(
            condition=n_rules + j,
            lifts=tuple(
                sorted({lifted for rule_id in ex.exemption.rules for lifted in regime.lifted_ids(rule_id)})
            ),
            by=ex.exemption.by or ex.regime,
            citation=ex.exemption.citation,
            from_=ex.exemption.from_,
        )
        for j, ex in enumerate(compiled.exemptions)
    )
    last = tuple(
        i for i, r in enumerate(rules) if r.window is not None and r.window.anchor_kind == "suspension_end"
    )
    not_modelled = tuple(
        NoteRule(
            text=f"{item.topic.value}: not modelled for {regime.id} ({item.note})",
            groups=tuple(g.value for g in item.groups) if item.groups is not None else None,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
        )
        for item in regime.header.not_modelled
    )
    possible = tuple(
        PossibleLift(rules=tuple(ex.exemption.rules), citation=ex.exemption.citation)
        for ex in regime.exemptions
        if not ex.applied
    )
    unverified = tuple(
        (r.id, tuple(g.value for g in r.rule.groups) if r.rule.groups else None)
        for r in regime.rules
        if r.rule.confidence is Confidence.UNVERIFIED
    )
    return RegimePlan(
        id=regime.id,
        valid_from=regime.valid_from,
        valid_to=regime.valid_to,
        program=compiled.program,
        rules=rules,
        exemptions=exemptions,
        include_unverified=compiled.include_unverified,
        last=last,
        not_modelled=not_modelled,
        possible_lifts=possible,
        unverified=() if compiled.include_unverified else unverified,
        accumulating_groups=(TargetGroup.DAGPENGE.value,),
        known_until=regime.known_until,
        known_until_reason=regime.known_until_reason,
    )


#: Bounded like the engine cache (``evaluate.MAX_ENGINES``): a ruleset file that keeps changing
#: yields a new Regime object per edit, and an unbounded map would keep every old plan alive.
_PLANS_MAX = 32
_PLANS: OrderedDict[tuple[int, bool], tuple[Regime, RegimePlan]] = OrderedDict()
_PLANS_LOCK = threading.Lock()


def plan_of(regime: Regime, *, include_unverified: bool = False) -> RegimePlan:
    """:func:`compile_plan`, computed once per regime object and option."""
    key = (id(regime), include_unverified)
    with _PLANS_LOCK:
        hit = _PLANS.get(key)
        if hit is not None and hit[0] is regime:
            _PLANS.move_to_end(key)
            return hit[1]
    plan = compile_plan(regime, include_unverified=include_unverified)
    with _PLANS_LOCK:
        _PLANS[key] = (regime, plan)
        _PLANS.move_to_end(key)
        while len(_PLANS) > _PLANS_MAX:
            _PLANS.popitem(last=False)
    return plan
