"""The population figures as every output shows them: which cells are numbers, which are not modelled.

Why one module: the terminal table, the Markdown and the HTML report must carry the same figures
and say the same thing about each. A regime that declares a topic ``not_modelled`` (its header)
and requires nothing of it for a group has not said "zero": it has said nothing. Such a cell reads
**not modelled**, in tables and charts, and stays out of every delta; a total or a municipality
that includes such a group is **partial** and has no delta either. Caseworker hours add up every
step, so a group's hours are partial when any of its steps is not modelled.

    >>> from datetime import date
    >>> from regimes.diff.model import Population, PopulationRow
    >>> row = PopulationRow(slice="dagpenge", cases=2, interviews_a=7, interviews_b=4.25, offers_a=0,
    ...     offers_b=1, followups_a=0, followups_b=0, hours_a=7.8, hours_b=5)
    >>> pop = Population(source="x", cases=2, on=date(2026, 10, 1), assumptions={},
    ...     total=row.model_copy(update={"slice": "all"}), by_group=[row], by_municipality=[])
    >>> view = population_view(pop, {"offers"}, set())
    >>> [c.text for c in view.groups[0].cells["offers"]]
    ['not modelled', '1.00', 'n/a']
    >>> [c.text for c in view.groups[0].cells["interviews"]]
    ['7.00', '4.25', '−2.75']
    >>> view.total.cells["offers"][0].text, view.total.cells["hours"][2].text
    ('0.00 (partial)', 'n/a')
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from regimes.diff.model import Population, PopulationRow, RegimeDiff

__all__ = [
    "MEASURES",
    "Cell",
    "PopulationView",
    "RowView",
    "flat_assumptions",
    "population_headline",
    "population_view",
    "synthetic_of",
    "unmodelled_measures",
    "view_for",
]

Measure = Literal["interviews", "offers", "followups", "hours"]
#: The measures per citizen-year, in the order every output shows them, with their titles.
MEASURES: Final[Mapping[str, str]] = {
    "interviews": "interviews",
    "offers": "offers",
    "followups": "sickness follow-ups",
    "hours": "caseworker hours",
}
#: The ruleset topics whose rules produce each measure's steps.
_TOPICS: Final[Mapping[str, frozenset[str]]] = {
    "interviews": frozenset({"contact_course"}),
    "offers": frozenset({"offer"}),
    "followups": frozenset({"sickness"}),
}
NOT_MODELLED: Final = "not modelled"


@dataclass(frozen=True)
class Cell:
    """One figure: its value (``None`` when not modelled) and how it reads."""

    value: float | None
    text: str
    state: Literal["number", "not_modelled", "partial", "delta", "no_delta"] = "number"

    @property
    def shown(self) -> bool:
        """Whether a chart draws it (a not-modelled figure is never drawn as a zero bar)."""
        return self.value is not None


@dataclass(frozen=True)
class RowView:
    """A slice (group, municipality, all) with ``cells[measure] = (A, B, Δ)``."""

    slice: str
    cases: int
    cells: dict[str, tuple[Cell, Cell, Cell]] = field(default_factory=dict)


@dataclass(frozen=True)
class PopulationView:
    """Every row of the population part, ready to render."""

    groups: list[RowView]
    total: RowView
    municipalities: list[RowView]
    notes: list[str]


def unmodelled_measures(regime: str, groups: Collection[str]) -> dict[str, set[str]]:
    """Per group, the measures whose topic ``regime`` declares ``not_modelled`` for it."""
    from regimes.library import load_regime

    try:
        header = load_regime(regime).header
    except Exception:  # a regime the diff read is loadable; anything else: claim nothing
        return {}
    out: dict[str, set[str]] = {}
    for group in groups:
        for measure, topics in _TOPICS.items():
            for item in header.not_modelled:
                covers = item.groups is None or group in {g.value for g in item.groups}
                if item.topic.value in topics and covers:
                    out.setdefault(group, set()).add(measure)
    return out


def _value(row: PopulationRow, measure: str, side: str) -> float:
    return float(getattr(row, f"{measure}_{side}"))


def _delta(a: float, b: float) -> Cell:
    d = b - a
    if abs(d) < 0.005:
        return Cell(d, "±0.00", "delta")
    return Cell(d, f"{'+' if d > 0 else '−'}{abs(d):.2f}", "delta")


def _group_row(row: PopulationRow, missing_a: set[str], missing_b: set[str]) -> RowView:
    cells: dict[str, tuple[Cell, Cell, Cell]] = {}
    for measure in MEASURES:
        sides: list[Cell] = []
        for side, missing in (("a", missing_a), ("b", missing_b)):
            value = _value(row, measure, side)
            if measure == "hours":
                partial = bool(missing & {"interviews", "offers", "followups"}) and any(
                    _value(row, m, side) == 0 for m in missing
                )
                sides.append(Cell(value, f"{value:.2f} (partial)", "partial") if partial else _number(value))
            elif measure in missing and value == 0:
                sides.append(Cell(None, NOT_MODELLED, "not_modelled"))
            else:
                sides.append(_number(value))
        a, b = sides
        comparable = a.state == "number" and b.state == "number"
        cells[measure] = (a, b, _delta(_v(a), _v(b)) if comparable else Cell(None, "n/a", "no_delta"))
    return RowView(row.slice, row.cases, cells)


def _number(value: float) -> Cell:
    return Cell(value, f"{value:.2f}")


def _v(cell: Cell) -> float:
    return cell.value or 0.0


def _mixed_row(row: PopulationRow, incomplete: Mapping[str, tuple[bool, bool]]) -> RowView:
    """A row over several groups: partial where any of its groups is not modelled."""
    cells: dict[str, tuple[Cell, Cell, Cell]] = {}
    for measure in MEASURES:
        partial_a, partial_b = incomplete.get(measure, (False, False))
        a_value, b_value = _value(row, measure, "a"), _value(row, measure, "b")
        a = Cell(a_value, f"{a_value:.2f} (partial)", "partial") if partial_a else _number(a_value)
        b = Cell(b_value, f"{b_value:.2f} (partial)", "partial") if partial_b else _number(b_value)
        delta = Cell(None, "n/a", "no_delta") if partial_a or partial_b else _delta(a_value, b_value)
        cells[measure] = (a, b, delta)
    return RowView(row.slice, row.cases, cells)


def population_view(
    pop: Population,
    missing_a: Collection[str] | Mapping[str, set[str]],
    missing_b: Collection[str] | Mapping[str, set[str]],
) -> PopulationView:
    """The rows of ``pop`` with not-modelled and partial cells marked.

    ``missing_a``/``missing_b``: per group the measures a regime declares not modelled (from
    :func:`unmodelled_measures`), or one set for every group.
    """

    def per_group(missing: Collection[str] | Mapping[str, set[str]], group: str) -> set[str]:
        if isinstance(missing, Mapping):
            return set(missing.get(group, set()))
        return set(missing)

    groups = [
        _group_row(row, per_group(missing_a, row.slice), per_group(missing_b, row.slice))
        for row in pop.by_group
    ]
    incomplete: dict[str, tuple[bool, bool]] = {}
    for view in groups:
        if not view.cases:
            continue
        for measure, (a, b, _) in view.cells.items():
            old = incomplete.get(measure, (False, False))
            incomplete[measure] = (old[0] or a.state != "number", old[1] or b.state != "number")
    notes = []
    for view in groups:
        for measure, (a, b, _) in view.cells.items():
            for side, cell in (("A", a), ("B", b)):
                if cell.state == "not_modelled":
                    notes.append(f"{view.slice}: {MEASURES[measure]} not modelled under {side}")
    return PopulationView(
        groups=groups,
        total=_mixed_row(pop.total, incomplete),
        municipalities=[_mixed_row(row, incomplete) for row in pop.by_municipality],
        notes=notes,
    )


def population_headline(pop: Population, view: PopulationView, a: str, b: str) -> str:
    """One sentence: required interviews per citizen-year, A → B, for all and by group.

    Not-modelled and partial figures say so instead of a delta.
    """

    def change(row: RowView) -> str:
        x, y, d = row.cells["interviews"]
        return f"{x.text} → {y.text}" + (f" ({d.text})" if d.state == "delta" else "")

    parts = [f"all {pop.total.cases:,} case{'s' if pop.total.cases != 1 else ''} {change(view.total)}"]
    parts += [f"{row.slice} {change(row)}" for row in view.groups]
    return f"Required interviews per citizen-year, {a} → {b}: " + "; ".join(parts) + "."


def rows_for(view: PopulationView, which: Literal["groups", "municipalities"]) -> Sequence[RowView]:
    """The group rows with the total last, or the municipality rows."""
    return [*view.groups, view.total] if which == "groups" else view.municipalities


def view_for(diff: RegimeDiff) -> PopulationView | None:
    """The population view of a diff (``None`` without a population)."""
    pop = diff.population
    if pop is None:
        return None
    groups = [row.slice for row in pop.by_group]
    return population_view(pop, unmodelled_measures(diff.a, groups), unmodelled_measures(diff.b, groups))


def flat_assumptions(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """A nested mapping of assumptions as ``(dotted key, text)`` lines, in the order given."""
    if isinstance(value, Mapping):
        out: list[tuple[str, str]] = []
        for key, item in value.items():
            out += flat_assumptions(
                item, f"{prefix}{key}." if not isinstance(item, Mapping) or item else prefix
            )
            if isinstance(item, Mapping) and not item:
                out.append((f"{prefix}{key}", "–"))
        return [(k.rstrip("."), v) for k, v in out]
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return [(prefix.rstrip("."), ", ".join(str(v) for v in value))]
        out = []
        for index, item in enumerate(value):
            out += flat_assumptions(item, f"{prefix}{index}.")
        return out
    return [(prefix.rstrip("."), str(value))]


def synthetic_of(pop: Population) -> bool:
    """Whether the population is synthetic (generated, not read from cases)."""
    return pop.source.startswith("synthetic") or bool(pop.assumptions.get("synthetic"))
