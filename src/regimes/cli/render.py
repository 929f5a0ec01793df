"""Rich tables for the terminal: evaluations (one regime, or several side by side)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from regimes.results import Evaluation, Obligation, Right

STATUS_STYLE = {
    "upcoming": "cyan",
    "due": "yellow",
    "overdue": "bold red",
    "met": "green",
    "suspended": "magenta",
    "exempted": "blue",
    "waivable": "bright_black",
    "open": "green",
}


def _d(value: date | None) -> str:
    return value.isoformat() if value else "–"


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def evaluation_table(ev: Evaluation) -> Table:
    """One case under one regime."""
    title = f"{ev.case} · {ev.regime} · {ev.on}" + (" (what-if)" if ev.what_if else "")
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in ("rule", "step", "actor", "done", "opens", "deadline", "status", "citation"):
        table.add_column(name, no_wrap=name in ("rule", "opens", "deadline", "status", "done"))
    for o in ev.obligations:
        deadline = _d(o.deadline) + ("" if o.deadline_asserted or o.deadline is None else " (not asserted)")
        table.add_row(
            o.rule,
            o.step.value,
            o.actor.value,
            f"{o.done}/{o.count}",
            _d(o.opens),
            deadline,
            status_text(o.status.value),
            escape(o.citation + ("" if o.confidence.value == "seen" else f" ({o.confidence.value})")),
        )
    for r in ev.rights:
        table.add_row(
            r.rule,
            r.step.value,
            r.actor.value,
            "right",
            _d(r.opens),
            "–",
            status_text(r.status.value),
            r.citation,
        )
    return table


def _cell(item: Obligation | Right | None) -> Text:
    if item is None:
        return Text("–", style="bright_black")
    if isinstance(item, Right):
        return Text.assemble("right ", status_text(item.status.value), f" from {_d(item.opens)}")
    deadline = f" by {_d(item.deadline)}" if item.deadline else ""
    return Text.assemble(status_text(item.status.value), f" {item.done}/{item.count}{deadline}")


def side_by_side_table(evaluations: Sequence[Evaluation]) -> Table:
    """The same case under several regimes: which obligations became waivable, exempted or stayed."""
    first = evaluations[0]
    table = Table(title=f"{first.case} · {first.on} · side by side", title_justify="left")
    table.add_column("rule")
    for ev in evaluations:
        table.add_column(ev.regime + (" (what-if)" if ev.what_if else ""))
    rules: dict[str, None] = {}
    for ev in evaluations:
        for o in ev.obligations:
            rules.setdefault(o.rule, None)
        for r in ev.rights:
            rules.setdefault(r.rule, None)
    for rule in rules:
        table.add_row(rule, *(_cell(ev.obligation(rule) or ev.right(rule)) for ev in evaluations))
    return table
