"""One self-contained HTML page for a regime diff: what changed, for whom, and what it adds up to.

Why one file with everything inline: the report is mailed, attached to a case file or opened on
a locked-down municipal laptop; it must open offline and look the same in ten years. So the CSS
is inline, charts are PNGs embedded as ``data:`` URIs (matplotlib's Agg renderer, no display and
no global backend switch), and the page loads nothing from anywhere.

Why templates: the page is ``templates/diff_report.html.j2`` (package data), rendered by Jinja2
with autoescape on, so every text from a case, a ruleset or a file name is escaped by default and
the markup can be read and changed without reading Python. This module only prepares plain values
for it (the figures through :mod:`regimes.diff.figures`, so "not modelled" reads the same as in
the tables and the Markdown).

The page reads top-down as an analyst asks: the headline (change in required interviews per
citizen-year by group), the population (and whether it is synthetic), the figures and charts,
quota coverage, then the evidence (structural changes, behavioural classes with their witness
cases), the assumptions behind every number and the receipt. Without a population
(``diff.population is None``) the figures and charts are left out.

    >>> from regimes.diff.model import Behavioural, RegimeDiff
    >>> page = render_html(RegimeDiff(a="dk-lab-2024", b="dk-reform-2026", structural=[],
    ...     behavioural=Behavioural(exact=True, classes=[])))
    >>> page.startswith("<!DOCTYPE html>"), "dk-reform-2026" in page, "<img" in page
    (True, True, False)
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from regimes.diff.figures import (
    MEASURES,
    Cell,
    PopulationView,
    RowView,
    flat_assumptions,
    population_headline,
    synthetic_of,
    view_for,
)
from regimes.diff.model import BehaviouralClass, Population, RegimeDiff
from regimes.results import Obligation, Right

if TYPE_CHECKING:
    import jinja2

__all__ = ["render_html", "witness_summary"]

_COLOR_A: Final = "#4c72b0"
_COLOR_B: Final = "#dd8452"
_TEMPLATE: Final = "diff_report.html.j2"


@cache
def _environment() -> jinja2.Environment:
    from regimes.extras import require

    jinja = require("jinja2", "analyst", "the HTML report")
    return jinja.Environment(  # type: ignore[no-any-return]
        loader=jinja.PackageLoader("regimes", "templates"),
        autoescape=True,
        undefined=jinja.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def render_html(diff: RegimeDiff, receipt: Mapping[str, Any] | None = None) -> str:
    """The diff as one HTML document (a string), self-contained and offline.

    Charts need matplotlib; they are drawn only when ``diff.population`` is filled. ``receipt``
    (see :mod:`regimes.receipt`) is shown at the end when given.

    Raises:
        MissingExtraError: jinja2 (or, with a population, matplotlib) is not installed.
    """
    pop = diff.population
    view = view_for(diff)
    context: dict[str, Any] = {
        "a": diff.a,
        "b": diff.b,
        "subtitle": _subtitle(diff),
        "headline": _headline(diff, view),
        "warnings": list(diff.warnings),
        "pop": _population(pop, view, diff.a, diff.b) if pop is not None and view is not None else None,
        "structural": [_change(c) for c in diff.structural],
        "behaviour": _behaviour(diff),
        "unmodelled": ["; ".join(f"{k}: {v}" for k, v in item.items()) for item in diff.unmodelled],
        "receipt": _receipt_lines(receipt) if receipt else None,
        "version": _version(),
        "measure_titles": list(MEASURES.values()),
    }
    return _environment().get_template(_TEMPLATE).render(context).lstrip()


def _version() -> str:
    from regimes import __version__

    return str(__version__)


def _subtitle(diff: RegimeDiff) -> str:
    bits = [
        f"{len(diff.structural)} structural change(s)",
        f"{len(diff.behavioural.classes)} behavioural class(es)",
    ]
    if diff.on is not None:
        bits.append(f"evaluated on {diff.on.isoformat()}")
    if diff.population is not None:
        p = diff.population
        bits.append(f"population: {p.source}, {p.cases:,} cases on {p.on.isoformat()}")
    return " · ".join(bits)


def _headline(diff: RegimeDiff, view: PopulationView | None) -> str:
    if diff.population is not None and view is not None:
        return population_headline(diff.population, view, diff.a, diff.b)
    return (
        f"From {diff.a} to {diff.b}: {len(diff.structural)} rule(s) change and "
        f"{len(diff.behavioural.classes)} class(es) of cases are treated differently. "
        "Required interviews per citizen-year by group need a population (--cases or --synthetic)."
    )


# --------------------------------------------------------------------------------------------
# Population
# --------------------------------------------------------------------------------------------


def _signed(value: float) -> str:
    """A whole number with a typographic sign (−1,234 / +56 / ±0), as the tables write deltas."""
    if round(value) == 0:
        return "±0"
    return f"{'+' if value > 0 else '−'}{abs(value):,.0f}"


def _css(cell: Cell) -> str:
    if cell.state == "not_modelled":
        return "nm"
    if cell.state == "partial":
        return "partial"
    if cell.state == "delta" and cell.value is not None and abs(cell.value) >= 0.005:
        return "neg" if cell.value < 0 else "pos"
    return ""


def _row(row: RowView, total: bool = False) -> dict[str, Any]:
    cells = [{"text": cell.text, "css": _css(cell)} for measure in MEASURES for cell in row.cells[measure]]
    return {"slice": row.slice, "cases": f"{row.cases:,}", "cells": cells, "total": total}


def _population(pop: Population, view: PopulationView, a: str, b: str) -> dict[str, Any]:
    from regimes.diff.report import _COVERAGE_HEAD, _coverage_cells, _source_line

    total = pop.total
    hours_a, hours_b = total.hours_a * total.cases, total.hours_b * total.cases
    partial = view.total.cells["hours"][2].state != "delta"
    return {
        "source_line": _source_line(pop),
        "synthetic": synthetic_of(pop),
        "cases": f"{total.cases:,}",
        "on": pop.on.isoformat(),
        "hours_a": f"{hours_a:,.0f}",
        "hours_b": f"{hours_b:,.0f}",
        "hours_delta": "partial: some steps not modelled" if partial else _signed(hours_b - hours_a),
        "groups": [_row(r) for r in view.groups],
        "total": _row(view.total, total=True),
        "municipalities": [_row(r) for r in view.municipalities],
        "notes": view.notes,
        "charts": [{"alt": alt, "png": png} for alt, png in _charts(pop, view, a, b)],
        "coverage_head": list(_COVERAGE_HEAD),
        "coverage": [{"cells": _coverage_cells(r)} for r in pop.quota_coverage],
        "assumptions": flat_assumptions(pop.assumptions),
    }


def _charts(pop: Population, view: PopulationView, a: str, b: str) -> list[tuple[str, str]]:
    """Three PNG charts, base64: steps per group, hours per group, deadline distribution."""
    from regimes.diff.population import DEADLINE_BUCKETS
    from regimes.extras import require

    require("matplotlib", "analyst", "the report's charts")
    from matplotlib.figure import Figure

    groups = [row.slice for row in view.groups]
    out: list[tuple[str, str]] = []

    fig = Figure(figsize=(11, 3.8 + 0.12 * len(groups)), dpi=100)
    axes = fig.subplots(1, 3, sharey=True)
    for ax, measure in zip(axes, ("interviews", "offers", "followups"), strict=True):
        _paired_bars(ax, groups, [row.cells[measure] for row in view.groups], a, b)
        ax.set_title(MEASURES[measure].capitalize(), fontsize=10)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Required steps per citizen-year, by group", fontsize=11)
    fig.tight_layout()
    out.append(("Required interviews, offers and follow-ups per citizen-year by group, A and B", _png(fig)))

    fig = Figure(figsize=(7.5, 3.6 + 0.12 * len(groups)), dpi=100)
    ax = fig.subplots()
    _paired_bars(ax, groups, [row.cells["hours"] for row in view.groups], a, b)
    ax.set_title("Caseworker hours per citizen-year, by group", fontsize=10)
    ax.set_xlabel("hours (standard minutes per step: an assumption)", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    out.append(("Caseworker hours per citizen-year by group, A and B", _png(fig)))

    fig = Figure(figsize=(10, 3.6), dpi=100)
    ax = fig.subplots()
    labels = [k.replace("month ", "") for k in DEADLINE_BUCKETS]
    xs = list(range(len(DEADLINE_BUCKETS)))
    width = 0.4
    ax.bar(
        [x - width / 2 for x in xs],
        [pop.deadlines_a.get(k, 0) for k in DEADLINE_BUCKETS],
        width,
        label=f"A {a}",
        color=_COLOR_A,
    )
    ax.bar(
        [x + width / 2 for x in xs],
        [pop.deadlines_b.get(k, 0) for k in DEADLINE_BUCKETS],
        width,
        label=f"B {b}",
        color=_COLOR_B,
    )
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_xlabel("month of the case in which the deadline falls", fontsize=9)
    ax.set_ylabel("obligations", fontsize=9)
    ax.set_title("Distribution of deadlines (obligations counted in the citizen-year)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.append(("Distribution of deadlines by month of the case, A and B", _png(fig)))
    return out


def _paired_bars(
    ax: Any, groups: Sequence[str], cells: Sequence[tuple[Cell, Cell, Cell]], a: str, b: str
) -> None:
    """Two bars per group; a not-modelled figure gets no bar but the words "not modelled"."""
    ys = list(range(len(groups)))
    height = 0.4
    for offset, index, label, color in (
        (-height / 2, 0, f"A {a}", _COLOR_A),
        (height / 2, 1, f"B {b}", _COLOR_B),
    ):
        values = [c[index].value or 0.0 for c in cells]
        bars = ax.barh([y + offset for y in ys], values, height, label=label, color=color)
        for bar, c in zip(bars, cells, strict=True):
            if c[index].state == "partial":
                bar.set_hatch("//")
            if not c[index].shown:
                bar.set_visible(False)
                ax.text(
                    0,
                    bar.get_y() + height / 2,
                    " not modelled",
                    va="center",
                    ha="left",
                    fontsize=7,
                    color=color,
                    style="italic",
                )
    ax.set_yticks(ys, [g.replace("_", " ") for g in groups], fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.tick_params(axis="x", labelsize=8)


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --------------------------------------------------------------------------------------------
# Structural and behavioural
# --------------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _change(c: Any) -> dict[str, Any]:
    return {
        "rule": c.rule,
        "side": c.side or "",
        "change": c.change,
        "by": c.by or "",
        "citation": c.citation or "",
        "note": c.note or "",
        "fields": [{"field": f.field, "old": _short(f.old), "new": _short(f.new)} for f in c.fields],
    }


def _behaviour(diff: RegimeDiff) -> dict[str, Any]:
    beh = diff.behavioural
    return {
        "count": len(beh.classes),
        "kind": "exact" if beh.exact else "sampled",
        "scope": beh.scope,
        "classes": [_class(cls) for cls in beh.classes],
    }


def _class(cls: BehaviouralClass) -> dict[str, Any]:
    return {
        "description": cls.description,
        "witness": witness_summary(cls.witness.case, cls.witness.on),
        "members": f"{cls.members:,}" if cls.members != 1 else "",
        "a": [_item(i) for i in cls.a],
        "b": [_item(i) for i in cls.b],
    }


def _item(item: Obligation | Right) -> dict[str, str]:
    kind: str
    if isinstance(item, Obligation):
        kind = item.kind
        count = f"{item.done}/{item.count}" + (f" (floor {item.share:.0%})" if item.share else "")
        deadline = item.deadline.isoformat() if item.deadline else "–"
    else:
        kind, count, deadline = "right", "–", "–"
    return {
        "rule": item.rule,
        "kind": str(kind),
        "step": item.step.value,
        "actor": item.actor.value,
        "count": count,
        "opens": item.opens.isoformat(),
        "deadline": deadline,
        "status": item.status.value,
        "citation": item.citation,
    }


def witness_summary(case: Mapping[str, Any], on: date) -> str:
    """A witness case in one line: who, clocks, flags that are set, and the history's size.

    >>> witness_summary({"id": "w-1", "group": "dagpenge", "birth_date": "1990-05-01",
    ...     "municipality": "101", "registered_on": "2026-07-06", "events": []}, date(2026, 8, 10))
    'Witness w-1 on 2026-08-10: dagpenge, age 36, municipality 101; registered_on 2026-07-06; no events'
    """
    bits = [f"{case.get('group', '?')}"]
    birth = case.get("birth_date")
    if isinstance(birth, str | date):
        born = date.fromisoformat(birth) if isinstance(birth, str) else birth
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        bits.append(f"age {age}")
    if "municipality" in case:
        bits.append(f"municipality {case['municipality']}")
    clocks = [
        f"{name} {case[name]}"
        for name in (
            "registered_on",
            "first_inquiry_on",
            "period_start",
            "sickness_first_day",
            "visitation_on",
        )
        if case.get(name)
    ]
    flags = sorted(k for k, v in case.items() if v is True)
    if case.get("visitation_category") is not None:
        flags.append(f"visitation_category {case['visitation_category']}")
    events = case.get("events") or []
    kinds: dict[str, int] = {}
    for event in events:
        kind = str(event.get("kind", "?")) if isinstance(event, Mapping) else "?"
        kinds[kind] = kinds.get(kind, 0) + 1
    history = ", ".join(f"{n} {k}" for k, n in kinds.items()) if kinds else "no events"
    text = f"Witness {case.get('id', '?')} on {on.isoformat()}: " + ", ".join(bits)
    if clocks:
        text += "; " + ", ".join(clocks)
    if flags:
        text += "; " + ", ".join(flags)
    return text + "; " + history


def _receipt_lines(receipt: Mapping[str, Any]) -> list[tuple[str, str]]:
    return flat_assumptions(receipt)
