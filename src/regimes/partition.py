"""Partition the case space at the thresholds the conditions use.

Why: conditions are comparisons over facts with finite domains (groups, yes/no flags,
visitation categories) or ordered ones cut at a few thresholds (age 25, 30; period start
2024-01-01). Every case falls in exactly one *class*: a choice of one representative value
per fact such that every comparison in the conditions evaluates the same for all cases in
the class. Enumerating the classes is therefore an exact check, not a sample, for any
property that depends only on which conditions hold: safeguards in ``check`` and the
behavioural diff both use it.

The enumeration is per group: once the group is fixed, most conditions simplify away, so
only the few facts still referenced are varied (a dagpenge case never needs a visitation
category).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from engine.compiled import All, AnyOf, Cmp, FactValue, Not, Predicate, atoms, compare
from regimes.dates import from_int, to_int
from regimes.facts import FACTS
from regimes.vocabulary import TargetGroup

#: Values used for facts no condition reads (a "plain" case).
DEFAULTS: Mapping[str, FactValue] = {
    "age": 40,
    "visitation_category": 0,
    "period_start": to_int(date(2024, 3, 4)),
}

Simplified = Predicate | bool


def specialize(predicate: Predicate, assignment: Mapping[str, FactValue]) -> Simplified:
    """Partially evaluate ``predicate`` with the facts in ``assignment`` fixed."""
    if isinstance(predicate, Cmp):
        if predicate.fact in assignment:
            return compare(assignment[predicate.fact], predicate.op, predicate.value)
        return predicate
    if isinstance(predicate, Not):
        inner = specialize(predicate.item, assignment)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    parts: list[Predicate] = []
    is_all = isinstance(predicate, All)
    for item in predicate.items:
        value = specialize(item, assignment)
        if isinstance(value, bool):
            if value != is_all:  # a false conjunct or a true disjunct decides it
                return value
            continue
        parts.append(value)
    if not parts:
        return is_all
    return All(tuple(parts)) if is_all else AnyOf(tuple(parts))


def _int_points(values: set[int], low: int, high: int) -> list[int]:
    points = {low, high}
    for v in values:
        points.update({v - 1, v, v + 1})
    return sorted(p for p in points if low <= p <= high)


def _date_points(values: set[int]) -> list[int]:
    points: set[int] = set()
    for v in values:
        day = from_int(v)
        points.update({to_int(day - timedelta(days=1)), v})
    if not points:
        return [int(DEFAULTS["period_start"])]
    return sorted(points)


def representatives(fact: str, predicates: Sequence[Predicate]) -> list[FactValue]:
    """One value per class of ``fact`` with respect to every comparison in ``predicates``."""
    spec = FACTS[fact]
    if spec.type == "bool":
        return [False, True]
    if spec.values:
        return list(spec.values)
    used: set[int] = set()
    for predicate in predicates:
        for cmp in atoms(predicate):
            if cmp.fact != fact:
                continue
            for v in cmp.value if isinstance(cmp.value, tuple) else (cmp.value,):
                if isinstance(v, int) and not isinstance(v, bool):
                    used.add(v)
    if spec.type == "date":
        return list(_date_points(used))
    low = spec.low if spec.low is not None else min(used, default=0) - 1
    high = spec.high if spec.high is not None else max(used, default=0) + 1
    return list(_int_points(used, low, high))


def _allowed(group: str, fact: str, values: list[FactValue]) -> list[FactValue]:
    """Values a valid case of ``group`` can have (the case model's own constraints)."""
    if fact == "visitation_category" and group != TargetGroup.SYGEDAGPENGE:
        return [0]
    if fact in ("sickness_light_track", "early_followup_requested") and group != TargetGroup.SYGEDAGPENGE:
        return [False]
    return values


def classes(
    predicates: Sequence[Predicate],
    *,
    groups: Sequence[str] | None = None,
    defaults: Mapping[str, FactValue] | None = None,
) -> Iterator[dict[str, FactValue]]:
    """Every class of fact rows with respect to ``predicates``, one full row each.

    The rows cover every fact in :data:`regimes.facts.FACTS`; facts that no remaining
    condition reads take their :data:`DEFAULTS` (or ``False``).
    """
    for group in groups or [str(g) for g in TargetGroup]:
        fixed: dict[str, FactValue] = {"group": group}
        remaining = [specialize(p, fixed) for p in predicates]
        live = [p for p in remaining if not isinstance(p, bool)]
        facts = sorted({cmp.fact for p in live for cmp in atoms(p)})
        axes = [_allowed(group, f, representatives(f, live)) for f in facts]
        for combo in itertools.product(*axes):
            row: dict[str, FactValue] = {}
            for name, spec in FACTS.items():
                row[name] = {**DEFAULTS, **(defaults or {})}.get(name, False if spec.type == "bool" else 0)
            row["group"] = group
            row.update(zip(facts, combo, strict=True))
            lawful = _lawful(row, frozenset(facts))
            if lawful is not None:
                yield lawful


def _lawful(row: dict[str, FactValue], read: frozenset[str]) -> dict[str, FactValue] | None:
    """The row as a lawful member of its class (LAB § 6 ages), or ``None`` when it has none.

    Facts no condition reads are free: they move to a value the law allows for the group (age 25
    for uddannelseshjælp; a vocational qualification for kontanthjælp under 30). A class whose
    read facts the law rules out (uddannelseshjælp at 40) has no member and is left out.
    """
    from regimes.plausibility import KONTANTHJAELP, UNDER_30, lawful_age

    group = TargetGroup(str(row["group"]))
    if group not in UNDER_30 and group not in KONTANTHJAELP:
        return row
    if group in UNDER_30:
        if "age" not in read and int(row["age"]) >= 30:
            row["age"] = 25
        if "has_vocational_education" not in read:
            row["has_vocational_education"] = False
    elif int(row["age"]) < 30 and "has_vocational_education" not in read:
        row["has_vocational_education"] = True
    if not lawful_age(group, int(row["age"]), bool(row["has_vocational_education"])):
        return None
    return row


def describe(row: Mapping[str, FactValue], predicates: Sequence[Predicate]) -> str:
    """The class in words: the group and the facts its conditions read."""
    fixed = {"group": row["group"]}
    live = [p for p in (specialize(p, fixed) for p in predicates) if not isinstance(p, bool)]
    facts = sorted({cmp.fact for p in live for cmp in atoms(p)})
    parts = [str(row["group"])]
    for fact in facts:
        spec = FACTS[fact]
        value = row[fact]
        if spec.type == "bool":
            parts.append(fact if value else f"not {fact}")
        else:
            parts.append(f"{fact} {spec.render(value)}")
    return ", ".join(parts)
