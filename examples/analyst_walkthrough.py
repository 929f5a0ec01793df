"""An analyst's walk through one regime diff: dk-lab-2024 → dk-reform-2026.

Run it from the repository root (no notebook needed)::

    .venv/bin/python examples/analyst_walkthrough.py

It prints each step and writes ``out/report.html``: one self-contained page (it opens offline)
with the headline, the figures and charts, quota coverage, the structural changes, the
behavioural classes with their witness cases, and every assumption behind the numbers.

The questions, in the order an analyst asks them:

1. Which rules differ between the two regimes? (structural diff)
2. Which citizens are treated differently, and can I see one? (a behavioural class and its
   witness, re-evaluated here under both regimes to check the diff's claim)
3. What does it add up to over a caseload? (a synthetic population of 2,000 with seed 1)
4. The headline: how many required interviews per citizen-year does each group gain or lose?
5. The report to send on.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import regimes
from regimes.diff.html import render_html
from regimes.diff.model import Behavioural, BehaviouralClass, RegimeDiff
from regimes.diff.population import headline, population_impact
from regimes.synthetic import ASSUMPTIONS, synthetic_population

A, B = "dk-lab-2024", "dk-reform-2026"
ON = date(2026, 10, 1)  # three months into the reform: cases begun before and after 1 July 2026
N, SEED = 2_000, 1
OUT = Path("out")

console = Console()


def step(title: str) -> None:
    console.rule(f"[bold]{title}")


def structural_diff() -> RegimeDiff:
    """Step 1: the diff itself (``regimes.diff``), imported when needed.

    The structural and behavioural diff lives in ``regimes.diff``; if this checkout does not have
    it yet, carry on with an empty diff so the population half of the walk still runs.
    """
    try:
        diff = importlib.import_module("regimes.diff").diff
    except (ImportError, AttributeError) as exc:
        console.print(
            f"[yellow]regimes.diff.diff is not available ({exc}); continuing with the population only.[/]"
        )
        return RegimeDiff(a=A, b=B, structural=[], behavioural=Behavioural(exact=False, classes=[]), on=ON)
    result: RegimeDiff = diff(A, B)
    return result


def show_structural(d: RegimeDiff) -> None:
    table = Table(title=f"Rules that differ, {A} → {B}", title_justify="left")
    for name in ("rule", "change", "by", "citation"):
        table.add_column(name)
    for change in d.structural:
        table.add_row(change.rule, change.change, change.by or "–", change.citation or "–")
    console.print(table)
    # The kinds of change at a glance: a reform that mostly *exempts* rules keeps the statute's text
    # and lifts its effect (default logic), which is what lov nr. 1750/2025 does.
    kinds: dict[str, int] = {}
    for change in d.structural:
        kinds[change.change] = kinds.get(change.change, 0) + 1
    console.print("By kind: " + (", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"))


def pick_class(d: RegimeDiff) -> BehaviouralClass | None:
    """A class about dagpenge if there is one: the group with the largest change in interviews."""
    classes = d.behavioural.classes
    return next((c for c in classes if "dagpenge" in c.description), classes[0] if classes else None)


def reevaluate(cls: BehaviouralClass) -> None:
    """Step 2: evaluate the witness ourselves and compare with what the diff says.

    A witness is a complete, valid case: the same JSON ``regimes evaluate`` accepts. Evaluating
    it under A and under B on the witness date must reproduce the class's two sides.
    """
    console.print(f"[bold]{cls.description}[/]")
    witness = regimes.parse_case(cls.witness.case)
    on = cls.witness.on
    sides: list[tuple[str, str, list[regimes.Obligation | regimes.Right]]] = [
        ("A", A, cls.a),
        ("B", B, cls.b),
    ]
    for name, regime, claimed in sides:
        ev = regimes.evaluate(witness, regime, on=on)
        mine: list[regimes.Obligation | regimes.Right] = [*ev.obligations, *ev.rights]
        ours = {(x.rule, x.status.value) for x in mine}
        theirs = {(x.rule, x.status.value) for x in claimed}
        verdict = "[green]reproduced[/]" if theirs <= ours else f"[red]differs: {sorted(theirs - ours)}[/]"
        console.print(
            f"  {name} {regime} on {on}: {len(ev.obligations)} obligations, "
            f"{len(ev.rights)} rights — {verdict}"
        )
        for o in ev.obligations:
            deadline = o.deadline.isoformat() if o.deadline else "no deadline"
            console.print(
                f"    {o.rule}: {o.step.value} by {o.actor.value}, "
                f"{o.done}/{o.count}, {deadline}, {o.status.value}",
                highlight=False,
            )


def main() -> int:
    step(f"1. Structural changes {A} → {B}")
    d = structural_diff()
    show_structural(d)

    step("2. A behavioural class and its witness")
    cls = pick_class(d)
    if cls is None:
        console.print("No behavioural classes in this diff.")
    else:
        console.print(
            f"{len(d.behavioural.classes)} classes ({'exact' if d.behavioural.exact else 'sampled'})."
        )
        reevaluate(cls)

    step(f"3. A synthetic population of {N:,} (seed {SEED}), seen on {ON}")
    # Every share, age range, probability and planned step is an ASSUMPTION (not a statistic);
    # see docs/synthetic-population.md. The same seed always gives the same cases.
    cases = synthetic_population(N, seed=SEED, on=ON)
    console.print(f"Groups: {ASSUMPTIONS['group_shares']}", highlight=False)
    with Progress(console=console, transient=True) as progress:
        pop = population_impact(
            cases,
            A,
            B,
            on=ON,
            source=f"synthetic n={N} seed={SEED}",
            progress=progress,
            assumptions=ASSUMPTIONS,
        )
    console.print(
        f"Evaluated {pop.cases:,} cases twice in {pop.seconds:.1f} s (back end {pop.assumptions['backend']})."
    )

    step("4. Headline figures")
    console.print(headline(pop, A, B), highlight=False)
    table = Table(title="Per citizen-year, by group (A → B)", title_justify="left")
    for name in ("group", "cases", "interviews", "offers", "follow-ups", "hours"):
        table.add_column(name, justify="left" if name == "group" else "right")
    for row in [*pop.by_group, pop.total]:
        table.add_row(
            row.slice,
            f"{row.cases:,}",
            f"{row.interviews_a:.2f} → {row.interviews_b:.2f}",
            f"{row.offers_a:.2f} → {row.offers_b:.2f}",
            f"{row.followups_a:.2f} → {row.followups_b:.2f}",
            f"{row.hours_a:.2f} → {row.hours_b:.2f}",
        )
    console.print(table)
    total_a, total_b = pop.total.hours_a * pop.cases, pop.total.hours_b * pop.cases
    console.print(f"Caseworker hours for the {pop.cases:,} citizen-years: {total_a:,.0f} → {total_b:,.0f}.")
    for q in pop.quota_coverage:
        console.print(
            f"  quota {q['rule']} ({q['group']}): {q['met']}/{q['covered']} met, "
            f"floor {q['required']} → {q['verdict']}",
            highlight=False,
        )

    step("5. The report")
    OUT.mkdir(parents=True, exist_ok=True)
    report = d.model_copy(update={"population": pop, "on": d.on or ON})
    path = OUT / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    console.print(f"Wrote {path.resolve()} ({path.stat().st_size / 1024:.0f} KiB, self-contained).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
