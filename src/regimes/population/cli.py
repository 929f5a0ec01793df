"""What ``regimes diff A B --national`` adds to the diff command (kept here, so cli/diff_cmd.py stays thin).

The diff command calls :func:`national_part` to compute the totals (with a progress bar on stderr,
so ``--format json`` on stdout stays clean) and the renderers to add them to each output format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regimes.diff.model import RegimeDiff
    from regimes.population.model import NationalImpact

__all__ = ["national_from_panel", "national_md", "national_page", "national_part", "national_renderables"]


def national_part(
    diff: RegimeDiff,
    year: int | None,
    params: Path | None,
    sample: int,
    runs: int,
    seed: int,
    by: str,
    minutes: Path | None,
    backend: str | None,
) -> NationalImpact:
    """Yearly totals for ``diff``'s regimes; the year defaults to the diff date's year."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from regimes.population.national import national_impact

    chosen = year if year is not None else (diff.on.year if diff.on is not None else 2027)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"yearly totals {chosen}: runs", total=runs)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return national_impact(
            diff.a,
            diff.b,
            year=chosen,
            params=params,
            n=sample,
            runs=runs,
            seed=seed,
            by_municipality=by == "municipality",
            minutes=minutes,
            backend=backend,
            progress=advance,
        )


def national_from_panel(
    diff: RegimeDiff,
    year: int | None,
    panel: Path,
    mapping: Path | None,
    by: str,
    minutes: Path | None,
    backend: str | None,
) -> NationalImpact:
    """Yearly totals of a register panel's spells (each a person, weight 1); one run, no band."""
    from regimes.population.national import impact_of_spells
    from regimes.population.panel import panel_spells, to_spells

    chosen = year if year is not None else (diff.on.year if diff.on is not None else 2027)
    spells = to_spells(panel_spells(panel, mapping), source=str(panel))
    return impact_of_spells(
        spells,
        diff.a,
        diff.b,
        year=chosen,
        source=f"register panel {panel}",
        by_municipality=by == "municipality",
        minutes=minutes,
        backend=backend,
    )


def national_renderables(diff: RegimeDiff, by: str) -> list[Any]:
    """The terminal tables of the national part (none without ``--national``)."""
    if diff.national is None:
        return []
    from regimes.population.report import national_tables

    return list(national_tables(diff.national, by))


def national_md(diff: RegimeDiff, by: str) -> str:
    """The Markdown section of the national part ('' without ``--national``)."""
    if diff.national is None:
        return ""
    from regimes.population.report import national_markdown

    return "\n\n" + national_markdown(diff.national, by)


def national_page(page: str, diff: RegimeDiff, by: str) -> str:
    """The HTML report with the national section inserted before ``</body>`` (unchanged without it)."""
    if diff.national is None:
        return page
    from regimes.population.report import national_html

    section = national_html(diff.national, by)
    marker = page.rfind("</body>")
    return page[:marker] + section + page[marker:] if marker >= 0 else page + section
