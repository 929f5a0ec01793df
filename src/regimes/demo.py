"""``regimes demo``: the main job on the bundled example cases.

Evaluates ``examples/cases/demo.json`` on a fixed date (so the output is the same every
day) under the regime resolution picks, and prints a table of obligations per case.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape

DEMO_DATE = date(2024, 10, 1)


def examples_dir() -> Path:
    """The shipped example cases: inside the installed package, else the checkout's ``examples/``."""
    from regimes.library import shipped_dir

    return shipped_dir("examples")


def run_demo(console: Console) -> None:
    """Print the obligations of every demo case on :data:`DEMO_DATE`."""
    from regimes.cli.render import evaluation_table
    from regimes.evaluate import evaluate_many
    from regimes.inputs import read_cases

    cases = read_cases(str(examples_dir() / "cases" / "demo.json"))
    console.print(
        f"[bold]regimes demo[/]: {len(cases)} example cases from examples/cases/demo.json, "
        f"evaluated on {DEMO_DATE} under the regime in force in each case's municipality\n"
    )
    for ev in evaluate_many(cases, None, DEMO_DATE):
        console.print(evaluation_table(ev))
        for note in ev.notes:
            console.print(f"  [bright_black]{escape(note)}[/]", highlight=False)
        console.print()
