"""The engine-neutral compiled form: predicates over named facts.

Why plain frozen data: every consumer (the durable-rules back end, the vectorised back end,
the behavioural diff that partitions each fact's domain at the thresholds conditions use,
the trace that explains a match) walks the same tree, and none of them may need the YAML
language to do it. Conditions are data, never Python source: nothing here is ``eval``'d.

A *fact row* is a flat mapping from fact name to a scalar (``str``, ``int`` or ``bool``).
Dates travel as ``int`` ``YYYYMMDD`` so that order comparisons work in every back end.
Every fact a predicate reads must be present in the row (the producer fills defaults), so
"missing" never needs a meaning of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

FactValue: TypeAlias = str | int | bool
FactRow: TypeAlias = Mapping[str, FactValue]

Op: TypeAlias = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]
OPS: tuple[Op, ...] = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in")
NEGATED: dict[Op, Op] = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "gt": "le",
    "le": "gt",
    "in": "not_in",
    "not_in": "in",
}
SYMBOL: dict[Op, str] = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "in": "in",
    "not_in": "not in",
}


@dataclass(frozen=True, slots=True)
class Cmp:
    """``fact <op> value``; for ``in``/``not_in`` the value is a tuple."""

    fact: str
    op: Op
    value: FactValue | tuple[FactValue, ...]

    def __str__(self) -> str:
        if self.value is True and self.op == "eq":
            return self.fact
        if (self.value is False and self.op == "eq") or (self.value is True and self.op == "ne"):
            return f"not {self.fact}"
        if isinstance(self.value, tuple):
            return f"{self.fact} {SYMBOL[self.op]} [{', '.join(str(v) for v in self.value)}]"
        return f"{self.fact} {SYMBOL[self.op]} {self.value}"


@dataclass(frozen=True, slots=True)
class All:
    """Conjunction; ``All(())`` is *true*."""

    items: tuple[Predicate, ...] = ()


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Disjunction; ``AnyOf(())`` is *false*."""

    items: tuple[Predicate, ...] = ()


@dataclass(frozen=True, slots=True)
class Not:
    """Negation."""

    item: Predicate


Predicate: TypeAlias = Cmp | All | AnyOf | Not

TRUE: Predicate = All(())


@dataclass(frozen=True, slots=True)
class Condition:
    """One named condition of a program: ``key`` is what the caller gets back on a match."""

    key: str
    predicate: Predicate


@dataclass(frozen=True, slots=True)
class MatchProgram:
    """What a back end compiles: a name (unique per regime) and its conditions, in order.

    ``facts`` lists every fact name the conditions read, so a back end can build columns
    or validate rows up front.
    """

    name: str
    conditions: tuple[Condition, ...]

    @property
    def facts(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for condition in self.conditions:
            for cmp in atoms(condition.predicate):
                seen.setdefault(cmp.fact, None)
        return tuple(seen)


def atoms(predicate: Predicate) -> Iterator[Cmp]:
    """Every comparison in a predicate, depth first."""
    if isinstance(predicate, Cmp):
        yield predicate
    elif isinstance(predicate, Not):
        yield from atoms(predicate.item)
    else:
        for item in predicate.items:
            yield from atoms(item)


def compare(actual: FactValue, op: Op, value: FactValue | tuple[FactValue, ...]) -> bool:
    """Apply one comparison; the single definition every back end must agree with.

    Order comparisons between values of different types are false (never an exception):
    a ruleset is validated against fact types before it gets here.
    """
    if op == "eq":
        return actual == value and type(actual) is type(value)
    if op == "ne":
        return not (actual == value and type(actual) is type(value))
    if op == "in":
        return isinstance(value, tuple) and any(actual == v and type(actual) is type(v) for v in value)
    if op == "not_in":
        return not (isinstance(value, tuple) and any(actual == v and type(actual) is type(v) for v in value))
    if isinstance(value, tuple) or isinstance(actual, bool) or isinstance(value, bool):
        return False
    if type(actual) is not type(value):
        return False
    if op == "lt":
        return actual < value  # type: ignore[operator]
    if op == "le":
        return actual <= value  # type: ignore[operator]
    if op == "gt":
        return actual > value  # type: ignore[operator]
    return actual >= value  # type: ignore[operator]


def holds(predicate: Predicate, row: FactRow) -> bool:
    """Evaluate a predicate on one row: the reference semantics the back ends implement."""
    if isinstance(predicate, Cmp):
        return compare(row[predicate.fact], predicate.op, predicate.value)
    if isinstance(predicate, All):
        return all(holds(item, row) for item in predicate.items)
    if isinstance(predicate, AnyOf):
        return any(holds(item, row) for item in predicate.items)
    return not holds(predicate.item, row)


def push_not(predicate: Predicate, negate: bool = False) -> Predicate:
    """Negation normal form: ``Not`` pushed down onto comparisons (De Morgan).

    Why: durable-rules has no ``$not`` over a sub-expression, but every comparison has a
    negated operator, so a condition in this form maps one-to-one onto its JSON.

    It assumes a *type-correct* program: each comparison's value has its fact's type (the
    ruleset loader guarantees this against :mod:`regimes.facts`). Where types differ,
    :func:`compare` is false both ways, so ``Not(x < 5)`` and ``x >= 5`` disagree; the
    durable back end therefore negates on its own, and traces only ever see typed rows.
    """
    if isinstance(predicate, Cmp):
        if not negate:
            return predicate
        return Cmp(predicate.fact, NEGATED[predicate.op], predicate.value)
    if isinstance(predicate, Not):
        return push_not(predicate.item, not negate)
    items = tuple(push_not(item, negate) for item in predicate.items)
    if isinstance(predicate, All):
        return AnyOf(items) if negate else All(items)
    return All(items) if negate else AnyOf(items)


def explain(predicate: Predicate, row: FactRow) -> list[str]:
    """The comparisons that made a true predicate true, rendered for a trace.

    For a conjunction every part is reported; for a disjunction the first true branch.
    ``Not`` is pushed down first so that a trace never reads "not (a or b)".
    """
    nnf = push_not(predicate)
    out: list[str] = []

    def walk(p: Predicate) -> None:
        if isinstance(p, Cmp):
            if holds(p, row):
                out.append(str(p))
        elif isinstance(p, All):
            for item in p.items:
                walk(item)
        elif isinstance(p, AnyOf):
            for item in p.items:
                if holds(item, row):
                    walk(item)
                    break
        else:  # pragma: no cover - push_not removed every Not
            walk(p.item)

    walk(nnf)
    return out
