"""Compile a resolved :class:`~regimes.layer.Regime` into the engine's plain form.

Each rule version becomes one condition (its groups, its ``when`` and, negated, every
conditional repeal); each applied exemption becomes one more. The rest of a rule (window,
counting, effect) travels alongside untouched: the back ends only decide *which conditions
hold*, and :mod:`regimes.evaluate` does the arithmetic the same way for every back end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.compiled import TRUE, All, AnyOf, Cmp, Condition, MatchProgram, Not, Predicate
from regimes.facts import FACTS
from regimes.layer import EffectiveExemption, EffectiveRule, Regime
from regimes.ruleset.model import AllOf, AnyOfCond, Comparison, NotCond
from regimes.ruleset.model import Condition as ConditionModel
from regimes.vocabulary import Confidence


def to_predicate(condition: ConditionModel) -> Predicate:
    """A YAML condition as an engine predicate (dates encoded as ``YYYYMMDD`` ints)."""
    if isinstance(condition, Comparison):
        spec = FACTS[condition.fact]
        op = condition.operators()[0]
        value = condition.value()
        if op == "is":
            return Cmp(condition.fact, "eq", bool(value))
        if op in ("in", "not_in"):
            return Cmp(condition.fact, op, tuple(spec.encode(v) for v in value))  # type: ignore[arg-type]
        return Cmp(condition.fact, op, spec.encode(value))  # type: ignore[arg-type]
    if isinstance(condition, AllOf):
        return All(tuple(to_predicate(c) for c in condition.all))
    if isinstance(condition, AnyOfCond):
        return AnyOf(tuple(to_predicate(c) for c in condition.any))
    assert isinstance(condition, NotCond)
    return Not(to_predicate(condition.not_))


def rule_predicate(rule: EffectiveRule) -> Predicate:
    """Groups ∧ when ∧ ¬(each conditional repeal)."""
    parts: list[Predicate] = []
    if rule.rule.groups:
        parts.append(Cmp("group", "in", tuple(str(g) for g in rule.rule.groups)))
    if rule.rule.when is not None:
        parts.append(to_predicate(rule.rule.when))
    for condition, _repeal, _by in rule.repealed_when:
        parts.append(Not(to_predicate(condition)))
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else All(tuple(parts))


@dataclass(frozen=True, eq=False)
class CompiledRegime:
    """A regime ready for a back end: ``program.conditions[i]`` belongs to ``rules[i]``,
    then to ``exemptions[i - len(rules)]``."""

    regime: Regime
    rules: tuple[EffectiveRule, ...]
    exemptions: tuple[EffectiveExemption, ...]
    program: MatchProgram
    include_unverified: bool = False
    predicates: tuple[Predicate, ...] = field(default=(), repr=False)


def compile_regime(regime: Regime, *, include_unverified: bool = False) -> CompiledRegime:
    """Compile ``regime``; unverified rules are left out unless asked for."""
    rules = tuple(
        r for r in regime.rules if include_unverified or r.rule.confidence is not Confidence.UNVERIFIED
    )
    exemptions = tuple(e for e in regime.exemptions if e.applied)
    conditions: list[Condition] = []
    for index, rule in enumerate(rules):
        conditions.append(Condition(f"r{index}:{rule.id}", rule_predicate(rule)))
    for index, exemption in enumerate(exemptions):
        predicate = to_predicate(exemption.exemption.when) if exemption.exemption.when is not None else TRUE
        conditions.append(Condition(f"x{index}", predicate))
    suffix = "+unverified" if include_unverified else ""
    program = MatchProgram(name=f"{regime.id}{suffix}", conditions=tuple(conditions))
    return CompiledRegime(
        regime=regime,
        rules=rules,
        exemptions=exemptions,
        program=program,
        include_unverified=include_unverified,
        predicates=tuple(c.predicate for c in conditions),
    )
