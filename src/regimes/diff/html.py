"""One self-contained HTML page for a regime diff: what changed, for whom, and what it adds up to.

Why one file with everything inline: the report is mailed, attached to a case file or opened on
a locked-down municipal laptop; it must open offline and look the same in ten years. So the CSS
is inline, charts are PNGs embedded as ``data:`` URIs (matplotlib's Agg renderer, no display and
no global backend switch), and the page loads nothing from anywhere.

The page reads top-down as an analyst asks: the headline (change in required interviews per
citizen-year by group), the figures and charts, quota coverage, then the evidence (structural
changes, behavioural classes with their witness cases) and last the assumptions behind every
number. Without a population (``diff.population is None``) the figures and charts are left out.

    >>> from regimes.diff.model import Behavioural, RegimeDiff
    >>> page = render_html(RegimeDiff(a="dk-lab-2024", b="dk-reform-2026", structural=[],
    ...     behavioural=Behavioural(exact=True, classes=[])))
    >>> page.startswith("<!DOCTYPE html>"), "dk-reform-2026" in page, "<img" in page
    (True, True, False)
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from typing import Any, Final

from regimes.diff.model import BehaviouralClass, Population, PopulationRow, RegimeDiff, StructuralChange
from regimes.diff.population import DEADLINE_BUCKETS, headline
from regimes.results import Obligation, Right

__all__ = ["render_html"]

_COLOR_A: Final = "#4c72b0"
_COLOR_B: Final = "#dd8452"

_CSS: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;
padding-bottom:.2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
.warning{background:#fff4e0;border-left:4px solid #c77800;padding:.5rem 1rem}
.sub{color:#555;margin-top:0}.headline{font-size:1.1rem;background:#f4f6fa;border-left:4px solid #4c72b0;
padding:.7rem 1rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:left}th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.a{color:#4c72b0;font-weight:600}.b{color:#c0622a;font-weight:600}.neg{color:#1f4e79}.pos{color:#8a4b08}
.verdict-met{color:#1a7f37;font-weight:600}.verdict-open{color:#9a6700;font-weight:600}
.verdict-missed{color:#b42318;font-weight:600}
.class{border:1px solid #e3e3e3;border-radius:6px;padding:.5rem 1rem;margin:.8rem 0}
.witness{font-size:.85rem;color:#333}.side{display:flex;gap:1rem;flex-wrap:wrap}.side>div{flex:1 1 30rem}
img{max-width:100%;height:auto}dl{margin:.3rem 0}dt{font-weight:600;margin-top:.4rem}dd{margin-left:1.2rem}
code{font-size:.85em;background:#f4f4f4;padding:0 .2em}.muted{color:#666;font-size:.85rem}
"""


def render_html(diff: RegimeDiff) -> str:
    """The diff as one HTML document (a string), self-contained and offline.

    Charts need matplotlib; they are drawn only when ``diff.population`` is filled.
    """
    a, b = escape(diff.a), escape(diff.b)
    pop = diff.population
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Regime diff: {a} → {b}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<h1>Regime diff: <span class="a">{a}</span> → <span class="b">{b}</span></h1>',
        f'<p class="sub">{escape(_subtitle(diff))}</p>',
        f'<p class="headline">{escape(_headline(diff))}</p>',
        *(f'<p class="warning"><strong>Warning:</strong> {escape(w)}</p>' for w in diff.warnings),
    ]
    if pop is not None:
        parts += _population_section(pop, diff.a, diff.b)
    parts += _structural_section(diff.structural)
    parts += _behavioural_section(diff)
    if diff.unmodelled:
        parts.append("<h2>Not modelled</h2><ul>")
        parts += [f"<li>{escape(_flat(item))}</li>" for item in diff.unmodelled]
        parts.append("</ul>")
    parts.append("<h2>Assumptions</h2>")
    if pop is not None:
        parts.append(_definitions(pop.assumptions))
    else:
        parts.append(
            "<p>No population was given, so no figures were computed. Behavioural classes are "
            f"{'exact' if diff.behavioural.exact else 'sampled'}"
            + (f" ({escape(diff.behavioural.scope)})" if diff.behavioural.scope else "")
            + ".</p>"
        )
    if pop is not None and pop.by_municipality:
        parts.append(
            "<h2>By municipality</h2><details><summary>Per citizen-year, per municipality "
            f"({len(pop.by_municipality)} with cases)</summary>"
        )
        parts.append(_figures_table(pop.by_municipality, "municipality"))
        parts.append("</details>")
    parts.append(
        '<p class="muted">Generated by regimes. Every number on this page depends on the '
        "assumptions listed above; the charts are embedded images.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _subtitle(diff: RegimeDiff) -> str:
    bits = [
        f"{len(diff.structural)} structural change(s)",
        f"{len(diff.behavioural.classes)} behavioural class(es)",
    ]
    if diff.on is not None:
        bits.append(f"evaluated on {diff.on.isoformat()}")
    if diff.population is not None:
        p = diff.population
        bits.append(f"population: {p.source}, {p.cases:,} cases on {p.on.isoformat()}, {p.seconds:.1f} s")
    return " · ".join(bits)


def _headline(diff: RegimeDiff) -> str:
    if diff.population is not None:
        return headline(diff.population, diff.a, diff.b)
    return (
        f"From {diff.a} to {diff.b}: {len(diff.structural)} rule(s) change and "
        f"{len(diff.behavioural.classes)} class(es) of cases are treated differently. "
        "Required interviews per citizen-year by group need a population (--cases or --synthetic)."
    )


def _flat(item: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in item.items())


# --------------------------------------------------------------------------------------------
# Population
# --------------------------------------------------------------------------------------------


def _signed(value: float) -> str:
    """A whole number with a typographic sign (−1,234 / +56 / ±0), as the tables write deltas."""
    if round(value) == 0:
        return "±0"
    return f"{'+' if value > 0 else '−'}{abs(value):,.0f}"


def _delta(a: float, b: float) -> str:
    d = b - a
    if abs(d) < 0.005:
        return '<td class="n">±0.00</td>'
    css = "neg" if d < 0 else "pos"
    return f'<td class="n {css}">{"+" if d > 0 else "−"}{abs(d):.2f}</td>'


def _figures_table(rows: Sequence[PopulationRow], first: str, total: PopulationRow | None = None) -> str:
    head = (
        f"<tr><th rowspan=2>{escape(first)}</th><th rowspan=2>cases</th>"
        "<th colspan=3>interviews</th><th colspan=3>offers</th><th colspan=3>sickness follow-ups</th>"
        "<th colspan=3>caseworker hours</th></tr><tr>"
        + '<th class="a">A</th><th class="b">B</th><th>Δ</th>' * 4
        + "</tr>"
    )
    body = []
    for row in [*rows, *([total] if total else [])]:
        cells = [f"<td>{escape(row.slice)}</td>", f'<td class="n">{row.cases:,}</td>']
        for x, y in (
            (row.interviews_a, row.interviews_b),
            (row.offers_a, row.offers_b),
            (row.followups_a, row.followups_b),
            (row.hours_a, row.hours_b),
        ):
            cells += [f'<td class="n">{x:.2f}</td>', f'<td class="n">{y:.2f}</td>', _delta(x, y)]
        style = ' style="font-weight:600;background:#fafafa"' if row is total else ""
        body.append(f"<tr{style}>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _population_section(pop: Population, a: str, b: str) -> list[str]:
    total = pop.total
    hours_a, hours_b = total.hours_a * total.cases, total.hours_b * total.cases
    out = [
        "<h2>Per citizen-year</h2>",
        f"<p>Required steps per citizen-year (the first 12 months of each case) under "
        f'<span class="a">A = {escape(a)}</span> and <span class="b">B = {escape(b)}</span>, by group. '
        f"Caseworker hours for all {total.cases:,} cases: <b>{hours_a:,.0f}</b> under A, "
        f"<b>{hours_b:,.0f}</b> under B ({_signed(hours_b - hours_a)}).</p>",
        _figures_table(pop.by_group, "group", total),
        "<h2>Charts</h2>",
    ]
    charts = _charts(pop, a, b)
    out += [
        f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{png}"></figure>' for alt, png in charts
    ]
    out.append("<h2>Quota coverage</h2>")
    if not pop.quota_coverage:
        out.append("<p>Neither regime has a quota rule that applies to these cases.</p>")
    else:
        out.append(
            "<p>A quota binds the caseload, not the case: it is <em>met</em> when at least the floor's share "
            "of the covered cases had the step in time; <em>open</em> while the cases still in their window "
            "can make up the difference; <em>missed</em> when they cannot. Coverage uses the histories "
            f"as of {pop.on.isoformat()}.</p>"
        )
        out.append(_coverage_table(pop.quota_coverage))
    return out


def _coverage_table(rows: Iterable[Mapping[str, Any]]) -> str:
    head = (
        "<tr><th>regime</th><th>rule</th><th>group</th><th>floor</th><th>covered</th><th>required</th>"
        "<th>met</th><th>open</th><th>missed</th><th>met share</th><th>verdict</th></tr>"
    )
    body = []
    for r in rows:
        verdict = str(r.get("verdict", ""))
        body.append(
            "<tr>"
            f"<td>{escape(str(r.get('regime', '')))}</td>"
            f"<td><code>{escape(str(r.get('rule', '')))}</code></td>"
            f'<td>{escape(str(r.get("group", "")))}</td><td class="n">{float(r.get("share", 0)):.0%}</td>'
            + "".join(
                f'<td class="n">{int(r.get(k, 0)):,}</td>'
                for k in ("covered", "required", "met", "open", "missed")
            )
            + f'<td class="n">{float(r.get("met_share", 0)):.1%}</td>'
            f'<td class="verdict-{escape(verdict)}">{escape(verdict)}</td></tr>'
        )
    return f"<table>{head}{''.join(body)}</table>"


def _charts(pop: Population, a: str, b: str) -> list[tuple[str, str]]:
    """Three PNG charts, base64: steps per group, hours per group, deadline distribution."""
    from matplotlib.figure import Figure

    groups = [row.slice for row in pop.by_group]
    out: list[tuple[str, str]] = []

    fig = Figure(figsize=(11, 3.8 + 0.12 * len(groups)), dpi=100)
    axes = fig.subplots(1, 3, sharey=True)
    measures = (
        ("interviews", [(r.interviews_a, r.interviews_b) for r in pop.by_group]),
        ("offers", [(r.offers_a, r.offers_b) for r in pop.by_group]),
        ("sickness follow-ups", [(r.followups_a, r.followups_b) for r in pop.by_group]),
    )
    for ax, (title, values) in zip(axes, measures, strict=True):
        _paired_bars(ax, groups, values, a, b)
        ax.set_title(title.capitalize(), fontsize=10)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Required steps per citizen-year, by group", fontsize=11)
    fig.tight_layout()
    out.append(("Required interviews, offers and follow-ups per citizen-year by group, A and B", _png(fig)))

    fig = Figure(figsize=(7.5, 3.6 + 0.12 * len(groups)), dpi=100)
    ax = fig.subplots()
    _paired_bars(ax, groups, [(r.hours_a, r.hours_b) for r in pop.by_group], a, b)
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
    ax: Any, groups: Sequence[str], values: Sequence[tuple[float, float]], a: str, b: str
) -> None:
    ys = list(range(len(groups)))
    height = 0.4
    ax.barh([y - height / 2 for y in ys], [v[0] for v in values], height, label=f"A {a}", color=_COLOR_A)
    ax.barh([y + height / 2 for y in ys], [v[1] for v in values], height, label=f"B {b}", color=_COLOR_B)
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


def _structural_section(changes: Sequence[StructuralChange]) -> list[str]:
    out = ["<h2>Structural changes</h2>"]
    if not changes:
        return [*out, "<p>No rule differs between the regimes.</p>"]
    out.append(
        "<table><tr><th>rule</th><th>change</th><th>by</th><th>citation</th><th>fields</th><th>note</th></tr>"
    )
    for c in changes:
        fields = "<br>".join(
            f"<code>{escape(f.field)}</code>: {escape(_short(f.old))} → {escape(_short(f.new))}"
            for f in c.fields
        )
        out.append(
            f"<tr><td><code>{escape(c.rule)}</code>{' (' + escape(c.side) + ')' if c.side else ''}</td>"
            f"<td>{escape(c.change)}</td><td>{escape(c.by or '')}</td><td>{escape(c.citation or '')}</td>"
            f"<td>{fields}</td><td>{escape(c.note or '')}</td></tr>"
        )
    out.append("</table>")
    return out


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _behavioural_section(diff: RegimeDiff) -> list[str]:
    beh = diff.behavioural
    out = [
        "<h2>Behavioural classes</h2>",
        f"<p>{len(beh.classes)} class(es) of cases whose evaluations differ; "
        f"{'exact' if beh.exact else 'sampled'}{': ' + escape(beh.scope) if beh.scope else ''}. Each has "
        "a witness: a complete case that <code>regimes evaluate</code> accepts, evaluated under both.</p>",
    ]
    for number, cls in enumerate(beh.classes, start=1):
        out.append(_class_block(number, cls, diff.a, diff.b))
    return out


def _class_block(number: int, cls: BehaviouralClass, a: str, b: str) -> str:
    members = f" · {cls.members:,} member(s)" if cls.members != 1 else ""
    return (
        f'<div class="class"><h3>{number}. {escape(cls.description)}</h3>'
        f'<p class="witness">{escape(witness_summary(cls.witness.case, cls.witness.on))}{members}</p>'
        '<div class="side">'
        f'<div><b class="a">A {escape(a)}</b>{_results_table(cls.a)}</div>'
        f'<div><b class="b">B {escape(b)}</b>{_results_table(cls.b)}</div>'
        "</div></div>"
    )


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


def _results_table(items: Sequence[Obligation | Right]) -> str:
    if not items:
        return '<p class="muted">nothing applies</p>'
    rows = []
    for item in items:
        kind: str
        if isinstance(item, Obligation):
            kind = item.kind
            count = f"{item.done}/{item.count}" + (f" (floor {item.share:.0%})" if item.share else "")
            deadline = item.deadline.isoformat() if item.deadline else "–"
            status = item.status.value
        else:
            kind, count, deadline, status = "right", "–", "–", item.status.value
        rows.append(
            f"<tr><td><code>{escape(item.rule)}</code></td><td>{escape(kind)}</td>"
            f"<td>{escape(item.step.value)}</td><td>{escape(item.actor.value)}</td><td>{escape(count)}</td>"
            f"<td>{item.opens.isoformat()}</td><td>{deadline}</td><td>{escape(status)}</td>"
            f"<td>{escape(item.citation)}</td></tr>"
        )
    head = (
        "<tr><th>rule</th><th>kind</th><th>step</th><th>actor</th><th>done/count</th><th>opens</th>"
        "<th>deadline</th><th>status</th><th>citation</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


# --------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------


def _definitions(value: Any, depth: int = 0) -> str:
    """A nested mapping as nested definition lists; lists as bullet lists; scalars as text."""
    if isinstance(value, Mapping):
        items = "".join(
            f"<dt>{escape(str(k))}</dt><dd>{_definitions(v, depth + 1)}</dd>" for k, v in value.items()
        )
        return f"<dl>{items}</dl>"
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value) and len(value) <= 4:
            return escape(", ".join(str(v) for v in value))
        return "<ul>" + "".join(f"<li>{_definitions(v, depth + 1)}</li>" for v in value) + "</ul>"
    return escape(str(value))
