"""``regimes caseload``: does a caseload meet a regime's quota floors?

A quota (e.g. the 2026 reform's "interviews with at least 75 % of a group") binds the caseload,
not the case, so ``regimes evaluate`` can only say ``waivable`` per citizen. This command answers
the municipality's question over the whole file: per quota rule and target group, how many cases
it covers, how many the floor requires, how many were met, are still open or were missed, and
the verdict. The counting is :func:`regimes.caseload.caseload`'s; this is a thin shell over it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from regimes.cli import app, console, friendly, parse_day, print_json

__all__ = ["CaseloadFormat", "caseload_command"]

_VERDICT_STYLE = {"met": "green", "open": "yellow", "missed": "red", "no cases": "bright_black"}


class CaseloadFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("caseload")
@friendly
def caseload_command(
    cases: Annotated[
        str,
        typer.Argument(help="Cases: JSON (one or a list), .jsonl, .csv, .parquet, or - for stdin."),
    ],
    regime: Annotated[
        str,
        typer.Option("--regime", "-r", metavar="REGIME", help="Regime id or YAML path (one with quotas)."),
    ],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Evaluation date YYYY-MM-DD (default: today).")
    ] = None,
    fmt: Annotated[CaseloadFormat, typer.Option("--format", help="table or json.")] = CaseloadFormat.table,
    backend: Annotated[
        str | None,
        typer.Option("--backend", metavar="NAME", help="Evaluation back end (default: columnar)."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="SCHEDULER",
            help="Run on Dask (a Parquet CASES file): a scheduler address, or local[:N] for N local workers.",
        ),
    ] = None,
) -> None:
    """Quota coverage over a caseload: per rule and group, covered, required, met, open, missed, verdict."""
    from engine.backends import available_backends
    from regimes.caseload import caseload
    from regimes.diff.population import population_backend
    from regimes.inputs import read_cases
    from regimes.library import load_regime

    day = parse_day(on)
    if backend is not None and backend not in available_backends():
        choices = ", ".join(available_backends())
        raise typer.BadParameter(f"{backend!r} (choose one of {choices})", param_hint="--backend")
    resolved = load_regime(regime)
    chosen = backend or population_backend()
    if dask is not None:
        from pathlib import Path

        from regimes.diff.population_columns import CaseSource
        from regimes.distributed import connect

        if Path(cases).suffix.lower() not in (".parquet", ".pq"):
            raise typer.BadParameter("--dask needs a Parquet CASES file", param_hint="--dask")
        source = CaseSource.parquet(cases)
        client, cluster = connect(dask)
        try:
            report = caseload(source, resolved, day, client=client)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif chosen == "columnar" and cases != "-":
        from regimes.columnar_inputs import read_case_columns
        from regimes.plan import UnsupportedPlanError

        try:
            report = caseload(read_case_columns(cases), resolved, day, backend=chosen)
        except UnsupportedPlanError:  # cases the tables cannot carry yet: per case
            report = caseload(read_cases(cases), resolved, day, backend="vector")
    else:
        report = caseload(read_cases(cases), resolved, day, backend=chosen)
    if fmt is CaseloadFormat.json:
        data: dict[str, Any] = report.model_dump(mode="json")
        for row, quota in zip(data["quotas"], report.quotas, strict=True):
            row["met_share"] = round(quota.met_share, 4)
        print_json(data)
        return
    title = f"Quota coverage under {report.regime} on {report.on} ({report.cases:,} cases)"
    if not report.quotas:
        console.print(f"{title}: no quota rule of {report.regime} applies to these cases.", highlight=False)
        return
    table = Table(title=title, title_justify="left")
    table.add_column("rule")
    table.add_column("group")
    table.add_column("floor", justify="right")
    for name in ("covered", "required", "met", "open", "missed"):
        table.add_column(name, justify="right")
    table.add_column("met share", justify="right")
    table.add_column("verdict")
    for q in report.quotas:
        style = _VERDICT_STYLE.get(q.verdict, "")
        table.add_row(
            q.rule,
            q.group,
            f"{q.share:.0%}",
            f"{q.covered:,}",
            f"{q.required:,}",
            f"{q.met:,}",
            f"{q.open:,}",
            f"{q.missed:,}",
            f"{q.met_share:.1%}",
            f"[{style}]{q.verdict}[/]" if style else q.verdict,
        )
    console.print(table)
    console.print(
        "[bright_black]required = ⌈floor × covered⌉; met: at least that many done in time; open: the cases "
        "still inside their window can make up the rest; missed: they cannot.[/]",
        highlight=False,
    )
