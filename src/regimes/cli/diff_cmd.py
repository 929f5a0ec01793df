"""``regimes diff A B``: how two regimes differ — in their rules, for whom, and how much.

A thin shell over :func:`regimes.diff.diff` (structural and behavioural parts) and, when a set
of cases is given (``--cases FILE`` or ``--synthetic N --seed S``), the population part
(:func:`regimes.diff.population.population_impact`). Formats: ``table`` (the terminal),
``json`` (the contract's "JSON of a diff"), ``md`` (Markdown for a memo or an issue) and
``html`` (one self-contained page, :func:`regimes.diff.html.render_html`). ``--out`` writes the
output to a file instead of standard output.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from regimes.cli import app, console, friendly, output_width, parse_day

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from regimes.case import Case
    from regimes.diff.model import Population, RegimeDiff
    from regimes.receipt import Receipt

__all__ = ["DiffFormat", "diff_command"]


class NationalBy(StrEnum):
    group = "group"
    municipality = "municipality"


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


def _population(
    diff: RegimeDiff,
    cases: str | None,
    synthetic: int | None,
    seed: int,
    day: date,
    backend: str | None,
    minutes: Path | None,
    dask: str | None = None,
) -> Population:
    """The population part, from a case file or a synthetic population, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from regimes.diff.population import population_backend, population_impact
    from regimes.diff.population_columns import CaseSource
    from regimes.inputs import read_cases
    from regimes.synthetic import ASSUMPTIONS, synthetic_population

    loaded: Sequence[Case] | CaseSource
    columnar = (backend or population_backend()) == "columnar" or dask is not None
    if synthetic is not None:
        if columnar:
            loaded = CaseSource.synthetic(synthetic, seed, day)  # generated column-wise, in chunks
        else:
            loaded = synthetic_population(synthetic, seed, on=day)
        source = f"synthetic n={synthetic} seed={seed}"
        assumptions = ASSUMPTIONS
    else:
        assert cases is not None
        if dask is not None and Path(cases).suffix.lower() in (".parquet", ".pq"):
            loaded = CaseSource.parquet(cases)  # partitioned by row groups
        elif columnar and cases != "-":
            from regimes.columnar_inputs import read_case_columns
            from regimes.plan import UnsupportedPlanError

            try:
                loaded = CaseSource.of_columns(read_case_columns(cases))  # straight to columns
            except UnsupportedPlanError:  # cases the tables cannot carry yet: per case
                loaded = read_cases(cases)
        else:
            loaded = read_cases(cases)
        source, assumptions = cases, None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # The bar goes to stderr, so `--format json` on stdout stays clean.
    client, cluster = (None, None)
    if dask is not None:
        from regimes.distributed import connect

        if not isinstance(loaded, CaseSource) or not loaded.partitions:
            raise typer.BadParameter(
                "--dask needs --synthetic N or a Parquet --cases file", param_hint="--dask"
            )
        client, cluster = connect(dask)
    try:
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            return population_impact(
                loaded,
                diff.a,
                diff.b,
                on=day,
                source=source,
                minutes=minutes,
                backend=backend,
                progress=progress,
                assumptions=assumptions,
                client=client,
            )
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _render_html(diff: RegimeDiff) -> str:
    from regimes.diff.html import render_html

    receipt = diff.receipt.model_dump(mode="json") if diff.receipt is not None else None
    return render_html(diff, receipt=receipt)


def _receipt(diff: RegimeDiff, cases: str | None, population: Population) -> Receipt | None:
    """The diff's receipt with the population's input recorded (a file's SHA-256, or the seed)."""
    from regimes.inputs import input_digest
    from regimes.receipt import InputDigest

    if diff.receipt is None:
        return None
    if cases is None:
        digest = InputDigest(source=population.source, sha256=None, cases=population.cases)
    else:
        digest = input_digest(cases, population.cases)
    return diff.receipt.model_copy(update={"input": digest})


@app.command("diff")
@friendly
def diff_command(
    a: Annotated[
        str, typer.Argument(metavar="A", help="Regime A: an id (see `regimes list`) or a YAML path.")
    ],
    b: Annotated[str, typer.Argument(metavar="B", help="Regime B: an id or a YAML path.")],
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="DATE", help="Diff date YYYY-MM-DD (default: the later regime's start + 40 days)."
        ),
    ] = None,
    cases: Annotated[
        str | None,
        typer.Option(
            "--cases",
            metavar="FILE",
            help="Cases for the population part: .json, .jsonl, .csv, .parquet or -.",
        ),
    ] = None,
    synthetic: Annotated[
        int | None,
        typer.Option("--synthetic", metavar="N", min=0, help="A synthetic population of N cases instead."),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", metavar="SEED", help="Seed of the synthetic population.")
    ] = 0,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="table, json, md or html.")] = DiffFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to this file instead of stdout.")
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option("--backend", metavar="NAME", help="Back end (default: REGIMES_BACKEND, else vector)."),
    ] = None,
    minutes: Annotated[
        Path | None,
        typer.Option(
            "--minutes",
            metavar="FILE",
            help="Caseworker minutes per step (YAML), laid over the bundled minutes.yaml.",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="SCHEDULER",
            help="Run the population part on Dask: a scheduler address, or local[:N] for N local workers.",
        ),
    ] = None,
    national: Annotated[
        bool,
        typer.Option("--national", help="Yearly national totals with a 5–95 % band (docs/population.md)."),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="YEAR", min=2020, max=2100, help="Calendar year of --national."),
    ] = None,
    by: Annotated[
        NationalBy, typer.Option("--by", help="--national rows: group or municipality.")
    ] = NationalBy.group,
    population_params: Annotated[
        Path | None,
        typer.Option(
            "--population-params",
            metavar="FILE",
            help="Population parameters laid over data/population.yaml.",
        ),
    ] = None,
    sample: Annotated[
        int, typer.Option("--sample", metavar="N", min=1, help="--national: spells sampled per run.")
    ] = 2000,
    runs: Annotated[
        int, typer.Option("--runs", metavar="N", min=1, help="--national: runs of the ensemble.")
    ] = 10,
    panel: Annotated[
        Path | None,
        typer.Option(
            "--panel",
            metavar="FILE",
            help="--national from a register panel (DREAM format) instead of a sample.",
        ),
    ] = None,
    panel_mapping: Annotated[
        Path | None,
        typer.Option(
            "--panel-mapping", metavar="FILE", help="Benefit codes → target groups for --panel (YAML)."
        ),
    ] = None,
) -> None:
    """How two regimes differ: rules changed, classes of cases treated differently, and how much."""
    from engine.backends import available_backends
    from regimes.diff import diff

    if cases is not None and synthetic is not None:
        raise typer.BadParameter("give --cases or --synthetic, not both", param_hint="--cases/--synthetic")
    if backend is not None and backend not in available_backends():
        choices = ", ".join(available_backends())
        raise typer.BadParameter(f"{backend!r} (choose one of {choices})", param_hint="--backend")
    day = parse_day(on) if on is not None else None
    if population_params is not None:  # a bad parameter file fails before the diff's work
        from regimes.population.params import load_params

        load_params(population_params)
    if out is not None:
        from regimes.outputs import writable_file

        writable_file(out)  # before minutes of work: a folder that does not exist is exit 1 now
    started = time.perf_counter()
    result = diff(a, b, on=day, backend=backend)
    if cases is not None or synthetic is not None:
        assert result.on is not None
        population = _population(result, cases, synthetic, seed, result.on, backend, minutes, dask)
        result = result.model_copy(
            update={"population": population, "receipt": _receipt(result, cases, population)}
        )
    if panel is not None:
        from regimes.population.cli import national_from_panel

        impact = national_from_panel(result, year, panel, panel_mapping, by.value, minutes, backend)
        result = result.model_copy(update={"national": impact})
    elif national or year is not None:
        from regimes.population.cli import national_part

        impact = national_part(
            result, year, population_params, sample, runs, seed, by.value, minutes, backend
        )
        result = result.model_copy(update={"national": impact})

    if fmt is DiffFormat.table:
        from regimes.diff.report import tables
        from regimes.population.cli import national_renderables

        if out is None:
            for renderable in [*tables(result), *national_renderables(result, by.value)]:
                console.print(renderable)
            _report_written(fmt, None, None, started)
            return
        from rich.console import Console

        with out.open("w", encoding="utf-8") as handle:
            file_console = Console(file=handle, width=output_width(handle), no_color=True)
            for renderable in [*tables(result), *national_renderables(result, by.value)]:
                file_console.print(renderable)
        _report_written(fmt, out, out.stat().st_size, started)
        return
    if fmt is DiffFormat.json:
        # Nulls kept, as the contract shows ("population": null) and as POST /diff returns.
        text = result.model_dump_json(indent=2) + "\n"
    elif fmt is DiffFormat.md:
        from regimes.diff.report import markdown
        from regimes.population.cli import national_md

        text = markdown(result) + national_md(result, by.value) + "\n"
    else:
        from regimes.population.cli import national_page

        text = national_page(_render_html(result), result, by.value)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out.write_text(text, encoding="utf-8")
    _report_written(fmt, out, len(text.encode("utf-8")), started)


#: A diff that takes longer than this says on stderr what it wrote (even to a terminal).
LONG_SECONDS = 2.0


def _report_written(fmt: DiffFormat, out: Path | None, size: int | None, started: float) -> None:
    """On stderr: what was written, where and how long it took.

    Said whenever the output goes to a file (``--out``) or a pipe, or the run was long, so a batch
    job or a CI log records it; a quick diff printed to a terminal stays quiet.
    """
    seconds = time.perf_counter() - started
    if out is None and sys.stdout.isatty() and seconds < LONG_SECONDS:
        return
    where = str(out) if out is not None else "standard output"
    amount = f" ({size:,} bytes)" if size is not None else ""
    sys.stderr.write(f"regimes diff: wrote {fmt.value}{amount} to {where} in {seconds:.1f} s\n")
