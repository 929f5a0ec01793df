"""A diff for people: rich tables for the terminal and Markdown for a case file or a pull request.

Why two renderings of one model: ``regimes diff`` prints tables to a terminal, and an analyst
pastes the same content into a memo or an issue, where Markdown survives. Both show the same
three things, in the order a reader asks: *what changed in the rules* (structural), *for
whom it matters* (behavioural classes, each with a runnable witness and both evaluations side
by side), and *what we did not model*. The population part has its own HTML report
(:mod:`regimes.diff.html`); here it gets only its headline.

    >>> from regimes.diff.model import Behavioural, RegimeDiff
    >>> empty = Behavioural(exact=True, classes=[])
    >>> print(markdown(RegimeDiff(a="x", b="y", structural=[], behavioural=empty)))
    # Regime diff: x → y
    <BLANKLINE>
    No structural changes.
    <BLANKLINE>
    No class of cases is treated differently.
    <BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from regimes.diff.model import BehaviouralClass, RegimeDiff, StructuralChange
from regimes.diff.structural import changed_fields
from regimes.results import Obligation, Right

__all__ = ["markdown", "side_by_side", "tables", "witness_line"]

_CLOCKS: Final = ("registered_on", "first_inquiry_on", "period_start", "sickness_first_day", "visitation_on")
_SKIP: Final = frozenset({"id", "birth_date", "municipality", "group", *_CLOCKS, "events", "interruptions"})
_STYLE: Final[Mapping[str, str]] = {
    "removed": "red",
    "replaced": "yellow",
    "changed": "yellow",
    "exempted": "magenta",
    "added": "green",
}


def witness_line(case: Mapping[str, Any], on: date) -> str:
    """A witness case in one line: who, clocks, flags set, events (enough to retype it)."""
    bits = [f"{case.get('id', 'w')}: {case.get('group', '?')}"]
    birth = case.get("birth_date")
    if isinstance(birth, str):
        born = date.fromisoformat(birth)
        bits.append(f"age {on.year - born.year - ((on.month, on.day) < (born.month, born.day))}")
    bits += [f"{name} {case[name]}" for name in _CLOCKS if case.get(name)]
    bits += [
        name if value is True else f"{name} {value}" for name, value in case.items() if name not in _SKIP
    ]
    events = case.get("events") or []
    kinds = ", ".join(str(e.get("kind", "?")) for e in events)
    bits.append(f"{len(events)} event(s): {kinds}" if events else "no events")
    return f"{', '.join(bits)}; evaluated on {on.isoformat()}"


def _cell(item: Obligation | Right | None) -> str:
    if item is None:
        return "–"
    if isinstance(item, Right):
        return f"right {item.step} ({item.actor}) from {item.opens}: {item.status} [{item.citation}]"
    by = f" by {item.by}" if item.status in ("exempted", "suspended") and item.by else ""
    when = f"{item.opens}–{item.deadline}" if item.deadline else f"from {item.opens}"
    kind = f" quota {item.share:.0%}" if item.kind == "quota" and item.share else ""
    done = f"{item.done}/{item.count}{kind}"
    return f"{item.step} ({item.actor}) {done}, {when}: {item.status}{by} [{item.citation}]"


def _suffix(rule: str) -> str:
    return rule.split(".", 1)[-1]


def side_by_side(cls: BehaviouralClass) -> list[tuple[str, str, str, bool]]:
    """Rows ``(rule, under A, under B, differs)`` over the rules either evaluation lists.

    A rule only A lists and one only B lists with the same name after the regime prefix
    (``lab-2020.kh-uh.first-interview`` and ``lab-2024.kh-uh.first-interview``: a replacement)
    share a row, so a renumbered rule reads as one line.
    """
    a = {item.rule: item for item in cls.a}
    b = {item.rule: item for item in cls.b}
    b_only = {_suffix(rule): rule for rule in b if rule not in a}
    out = []
    used: set[str] = set()
    for rule in [*a, *b]:
        if rule in used:
            continue
        used.add(rule)
        partner = rule if rule in b else None
        if partner is None and rule in a:
            partner = b_only.get(_suffix(rule))
            if partner is not None and partner not in a:
                used.add(partner)
            else:
                partner = None
        left = _cell(a.get(rule))
        right = _cell(b.get(partner)) if partner else _cell(None if rule in a else b.get(rule))
        name = rule if partner in (None, rule) else f"{rule} → {partner}"
        differs = left != right or (partner == rule and a.get(rule) != b.get(rule)) or name != rule
        out.append((name, left, right, differs))
    return out


def _fields(change: StructuralChange) -> str:
    return changed_fields(change.fields)


# --------------------------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------------------------


def tables(diff: RegimeDiff) -> list[RenderableType]:
    """What ``regimes diff --format table`` prints: structural table, notes, one table per class."""
    out: list[RenderableType] = []
    on = diff.on.isoformat() if diff.on else "–"
    out.append(Text(f"Regime diff: {diff.a} → {diff.b}, on {on}", style="bold"))
    for warning in diff.warnings:
        out.append(Text(f"warning: {warning}", style="bold yellow"))
    if diff.structural:
        table = Table(title="Structural changes", title_justify="left", show_lines=False)
        for name in ("change", "rule", "by / citation", "fields", "note"):
            table.add_column(name, overflow="fold")
        for c in diff.structural:
            style = _STYLE.get(c.change, "")
            change = c.change + (f" ({c.side})" if c.side else "")
            by = " / ".join(x for x in (c.by, c.citation) if x)
            table.add_row(
                f"[{style}]{change}[/]" if style else change,
                c.rule,
                escape(by) or "–",
                escape(_fields(c)) or "–",
                escape(c.note or ""),
            )
        out.append(table)
    else:
        out.append(Text("No structural changes."))
    for item in diff.unmodelled:
        out.append(
            Text(
                f"not modelled in {item.get('regime')}: {item.get('rule')} — {item.get('note')}", style="blue"
            )
        )
    for note in diff.notes:
        out.append(Text(f"note: {note}", style="bright_black"))
    behaviour = diff.behavioural
    if not behaviour.classes:
        out.append(Text("No class of cases is treated differently." if behaviour.exact else behaviour.scope))
    for index, cls in enumerate(behaviour.classes, start=1):
        table = Table(
            title=f"{index}. {escape(cls.description)}",
            title_justify="left",
            caption=escape(
                f"witness {witness_line(cls.witness.case, cls.witness.on)}; "
                f"stands for {cls.members} fact class(es)"
            ),
            caption_justify="left",
        )
        table.add_column("rule", overflow="fold")
        table.add_column(f"A {diff.a}", overflow="fold")
        table.add_column(f"B {diff.b}", overflow="fold")
        for rule, left, right, differs in side_by_side(cls):
            style = "bold" if differs else "bright_black"
            table.add_row(rule, escape(left), escape(right), style=style)
        out.append(table)
    if behaviour.classes:
        out.append(Text(f"{len(behaviour.classes)} class(es); {behaviour.scope}", style="bright_black"))
    if diff.population is not None:
        out.append(Text(_headline(diff), style="bold"))
    return out


def _headline(diff: RegimeDiff) -> str:
    assert diff.population is not None
    try:
        from regimes.diff.population import headline
    except ImportError:  # pragma: no cover - the population part ships with the package
        return f"population: {diff.population.cases} cases"
    return headline(diff.population, diff.a, diff.b)


def render(diff: RegimeDiff) -> RenderableType:
    """All of :func:`tables` as one renderable."""
    return Group(*tables(diff))


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------


def _md(text: object) -> str:
    """A table cell: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def markdown(diff: RegimeDiff) -> str:
    """The diff as a Markdown document (structural table, notes, classes with witnesses)."""
    lines = [f"# Regime diff: {diff.a} → {diff.b}", ""]
    if diff.on is not None:
        lines += [
            f"Compared on {diff.on.isoformat()}: each regime applies the rule versions in force then.",
            "",
        ]
    if diff.warnings:
        lines += [f"> **Warning:** {w}" for w in diff.warnings]
        lines.append("")
    if diff.population is not None:
        lines += [_headline(diff), ""]
    if diff.structural:
        lines += ["## Structural changes", ""]
        rows = [
            [
                c.change + (f" ({c.side})" if c.side else ""),
                f"`{c.rule}`",
                f"`{c.by}`" if c.by else "",
                c.citation or "",
                _fields(c),
                c.note or "",
            ]
            for c in diff.structural
        ]
        lines += _md_table(["change", "rule", "by", "citation", "fields", "note"], rows)
        lines.append("")
    else:
        lines += ["No structural changes.", ""]
    if diff.unmodelled:
        lines += ["## Not modelled", ""]
        lines += [
            f"- `{u.get('rule')}` is not modelled in {u.get('regime')}: {u.get('note')}"
            for u in diff.unmodelled
        ]
        lines.append("")
    if diff.notes:
        lines += ["## Notes", ""]
        lines += [f"- {note}" for note in diff.notes]
        lines.append("")
    behaviour = diff.behavioural
    if not behaviour.classes:
        lines += ["No class of cases is treated differently." if behaviour.exact else behaviour.scope, ""]
        return "\n".join(lines)
    lines += [
        "## Cases treated differently",
        "",
        f"{len(behaviour.classes)} class(es); {behaviour.scope}.",
        "",
    ]
    for index, cls in enumerate(behaviour.classes, start=1):
        lines += [f"### {index}. {cls.description}", ""]
        lines += [
            f"Stands for {cls.members} fact class(es). "
            f"Witness: {witness_line(cls.witness.case, cls.witness.on)}.",
            "",
            "```json",
            json.dumps(cls.witness.case, ensure_ascii=False),
            "```",
            "",
        ]
        rows = [
            [f"`{rule}`", left, right, "yes" if differs else ""]
            for rule, left, right, differs in side_by_side(cls)
        ]
        lines += _md_table(["rule", f"A {diff.a}", f"B {diff.b}", "differs"], rows)
        lines.append("")
    return "\n".join(lines)
