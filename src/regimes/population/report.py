"""Yearly national totals as terminal tables, Markdown and an HTML section.

Each cell is ``estimate (low–high)``: the run with the parameters' central values and the 5th–95th
percentile band over the ensemble. Every output says that the figures are a weighted sample scaled
to national totals, and from which parameter file.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from rich.table import Table

from regimes.population.model import Band, Measure, NationalImpact, NationalRow

__all__ = ["MEASURES", "band_text", "national_html", "national_markdown", "national_tables"]

MEASURES: tuple[tuple[str, str], ...] = (
    ("interviews", "interviews required"),
    ("offers", "offers required"),
    ("followups", "sickness follow-ups"),
    ("hours", "caseworker hours"),
)
"""The measures shown, with their labels (interviews held, offers taken are in the JSON)."""


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def band_text(band: Band, signed: bool = False) -> str:
    """``1,234 (1,100–1,400)``; a band of zero width shows the estimate alone."""
    sign = "+" if signed and band.estimate > 0 else ""
    text = f"{sign}{_num(band.estimate)}"
    if band.low != band.high:
        text += f" ({_num(band.low)}–{_num(band.high)})"
    return text


def _measure(row: NationalRow, name: str) -> Measure:
    measure: Measure = getattr(row, name)
    return measure


def _title(impact: NationalImpact) -> str:
    return f"Yearly totals {impact.year}: {impact.a} (A) vs {impact.b} (B)"


def _note(impact: NationalImpact) -> str:
    return f"{impact.source}; {impact.method}."


def _rows(impact: NationalImpact, by: str) -> Sequence[NationalRow]:
    return [impact.total, *(impact.by_municipality if by == "municipality" else impact.by_group)]


def national_tables(impact: NationalImpact, by: str = "group") -> list[Table]:
    """One table per measure: rows all + groups (or municipalities), columns A, B, B − A."""
    tables: list[Table] = []
    people = Table(title=f"{_title(impact)}: persons in the year", caption=_note(impact))
    for column in ("slice", "persons (stock + inflow)", "recipient-years"):
        people.add_column(column, justify="right" if column != "slice" else "left")
    for row in _rows(impact, by):
        people.add_row(row.slice, band_text(row.persons), band_text(row.recipient_years))
    tables.append(people)
    for name, label in MEASURES:
        table = Table(title=f"{_title(impact)}: {label}")
        table.add_column("slice")
        for column in ("A", "B", "B − A"):
            table.add_column(column, justify="right")
        for row in _rows(impact, by):
            m = _measure(row, name)
            table.add_row(row.slice, band_text(m.a), band_text(m.b), band_text(m.diff, signed=True))
        tables.append(table)
    return tables


def national_markdown(impact: NationalImpact, by: str = "group") -> str:
    """A Markdown section: a note on the method and one table with every measure's A, B and B − A."""
    lines = [f"## {_title(impact)}", "", f"_{_note(impact)}_", ""]
    header = ["slice", "persons"]
    for _, label in MEASURES:
        header += [f"{label} A", f"{label} B", f"{label} B − A"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in _rows(impact, by):
        cells = [row.slice, band_text(row.persons)]
        for name, _ in MEASURES:
            m = _measure(row, name)
            cells += [band_text(m.a), band_text(m.b), band_text(m.diff, signed=True)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Cells: estimate (5th–95th percentile over the runs)."]
    return "\n".join(lines)


def _bars_svg(rows: Sequence[NationalRow], measure: str = "hours", title: str = "") -> str:
    """A horizontal bar chart (inline SVG, no scripts) of B − A per slice, with the band as a whisker."""
    esc = html.escape
    values = [(_measure(r, measure).diff, r.slice) for r in rows]
    if not values:
        return ""
    span = max(max(abs(b.low), abs(b.high), abs(b.estimate)) for b, _ in values) or 1.0
    label_w, bar_w, row_h = 260, 420, 18
    zero = label_w + bar_w / 2
    scale = (bar_w / 2) / span
    height = row_h * len(values) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" '
        f'role="img" aria-label="{esc(title)}">',
        f'<text x="0" y="12" font-size="12" font-weight="bold">{esc(title)}</text>',
        f'<line x1="{zero}" y1="18" x2="{zero}" y2="{height}" stroke="#888"/>',
    ]
    for k, (band, name) in enumerate(values):
        y = 22 + k * row_h
        x0, x1 = sorted((zero, zero + band.estimate * scale))
        colour = "#2b7a3d" if band.estimate < 0 else "#b03a2e"
        parts.append(f'<text x="0" y="{y + 11}" font-size="11">{esc(name)}</text>')
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 0.5):.1f}" height="{row_h - 6}" '
            f'fill="{colour}"><title>{esc(band_text(band, signed=True))}</title></rect>'
        )
        lo, hi = zero + band.low * scale, zero + band.high * scale
        parts.append(
            f'<line x1="{lo:.1f}" y1="{y + row_h / 2}" x2="{hi:.1f}" y2="{y + row_h / 2}" stroke="#222"/>'
        )
        parts.append(
            f'<text x="{label_w + bar_w + 4}" y="{y + 11}" font-size="11">'
            f"{esc(band_text(band, signed=True).split(' (')[0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def national_html(impact: NationalImpact, by: str = "group") -> str:
    """An HTML ``<section>`` (no scripts, no external resources) for the report page."""
    esc = html.escape
    head = "".join(f"<th>{esc(label)} A</th><th>{esc(label)} B</th><th>B − A</th>" for _, label in MEASURES)
    body = []
    for row in _rows(impact, by):
        cells = "".join(
            f"<td>{esc(band_text(_measure(row, n).a))}</td><td>{esc(band_text(_measure(row, n).b))}</td>"
            f"<td>{esc(band_text(_measure(row, n).diff, signed=True))}</td>"
            for n, _ in MEASURES
        )
        body.append(f"<tr><th>{esc(row.slice)}</th><td>{esc(band_text(row.persons))}</td>{cells}</tr>")
    slices = _rows(impact, by)[1:]
    hours_chart = _bars_svg(slices, "hours", f"Caseworker hours, B − A, by {by} (whisker: 5th–95th pct.)")
    interviews_chart = _bars_svg(slices, "interviews", f"Required interviews, B − A, by {by}")
    return (
        f'<section id="national"><h2>{esc(_title(impact))}</h2>'
        f"<p>{esc(_note(impact))} Cells: estimate (5th–95th percentile over the runs).</p>"
        f"<table><thead><tr><th>slice</th><th>persons</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f"{hours_chart}{interviews_chart}</section>"
    )
