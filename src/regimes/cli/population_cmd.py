"""``regimes population ...``: what the population parameters assume, and register panels into cases.

``regimes population describe`` prints every number of the parameter file (bundled
``data/population.yaml``, or it with ``--population-params FILE`` laid over it) with whether it is
published, derived or assumed, its source URL or the reason, and consistency checks.
``regimes population panel PANEL`` turns a weekly person-by-benefit panel (DREAM format) into
cases and spells. Thin shells over :mod:`regimes.population`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from regimes.cli import app, console, friendly, print_json

__all__ = ["population_app"]

population_app = typer.Typer(
    help="Population parameters (with sources) and register-panel input for national totals.",
    no_args_is_help=True,
)
app.add_typer(population_app, name="population")


class DescribeFormat(StrEnum):
    table = "table"
    json = "json"


_KIND_STYLE = {"source": "green", "derived": "cyan", "assumption": "yellow"}


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 10 else f"{value:g}"
    return str(value)


@population_app.command("describe")
@friendly
def describe_command(
    params: Annotated[
        Path | None,
        typer.Option("--population-params", help="A parameter file laid over the bundled population.yaml."),
    ] = None,
    fmt: Annotated[DescribeFormat, typer.Option("--format", help="table or json.")] = DescribeFormat.table,
) -> None:
    """Print what the population parameters assume: each number, its source or the reason, and checks."""
    from regimes.population.describe import describe
    from regimes.population.params import BUNDLED, load_params

    where = BUNDLED if params is None else f"{BUNDLED}, overridden by {params}"
    described = describe(load_params(params), where)
    if fmt is DescribeFormat.json:
        print_json(described)
        return
    counts = described["counts"]
    console.print(
        f"[bold]{escape(described['label'])}[/]\n{escape(where)} · basis {described['basis_year']} · "
        f"{counts['source']} published, {counts['derived']} derived, {counts['assumption']} assumed",
        highlight=False,
    )
    table = Table(title="Figures", show_lines=False)
    table.add_column("field", overflow="fold")
    table.add_column("value", overflow="fold", max_width=34)
    table.add_column("range", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("source / reason", overflow="fold")
    for row in described["figures"]:
        why = row["source"] or ""
        if row["derived"]:
            why += f": {row['derived']}"
        if row["assumption"]:
            why += ("; " if why else "") + f"assumption: {row['assumption']}"
        style = _KIND_STYLE.get(row["kind"], "")
        span = f"{_value(row['range'][0])}–{_value(row['range'][1])}" if row["range"] else ""
        table.add_row(
            row["field"],
            escape(_value(row["value"])),
            span,
            f"[{style}]{row['kind']}[/]",
            escape(why.strip()),
        )
    console.print(table)
    sources = Table(title="Sources")
    for column in ("key", "title", "url"):
        sources.add_column(column, overflow="fold")
    for key, source in described["sources"].items():
        sources.add_row(key, escape(source["title"]), source["url"])
    console.print(sources)
    checks = Table(title="Consistency checks (model from the parameters vs published)")
    for column in ("check", "model", "published", "note"):
        checks.add_column(column, overflow="fold")
    for check in described["checks"]:
        checks.add_row(
            check["check"], _value(check["model"]), _value(check["published"]), escape(check["note"])
        )
    console.print(checks)
    if described["flags_not_in_case_model"]:
        names = ", ".join(described["flags_not_in_case_model"])
        console.print(f"Flags drawn but not set on cases (the case model has no such field yet): {names}")


class PanelFormat(StrEnum):
    table = "table"
    json = "json"


@population_app.command("panel")
@friendly
def panel_command(
    panel: Annotated[
        Path, typer.Argument(help="A weekly panel: wide or long CSV or Parquet (docs/population.md).")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Benefit codes → target groups (YAML; default the bundled example)."),
    ] = None,
    fmt: Annotated[PanelFormat, typer.Option("--format", help="table or json.")] = PanelFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the spells' cases as JSON Lines to this file.")
    ] = None,
) -> None:
    """Turn a register panel (one benefit code per person and week) into spells and cases."""
    import json

    from regimes.population.panel import panel_spells, to_spells

    spells = panel_spells(panel, mapping)
    cases = to_spells(spells, source=str(panel))
    rows: list[dict[str, Any]] = [
        {
            "case": s.case.model_dump(mode="json", exclude_defaults=True),
            "start": s.start.isoformat(),
            "end": s.end.isoformat(),
            "weeks": p.weeks,
            "codes": list(p.codes),
            "censored_start": p.censored_start,
            "censored_end": p.censored_end,
        }
        for p, s in zip(spells, cases, strict=True)
    ]
    if out is not None:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {len(rows)} spells to {escape(str(out))}", highlight=False)
        return
    if fmt is PanelFormat.json:
        print_json(rows)
        return
    table = Table(title=f"Spells in {escape(str(panel))}")
    for column in ("case", "group", "start", "end", "weeks", "codes", "censored"):
        table.add_column(column)
    for r in rows:
        censored = ", ".join(k for k in ("start", "end") if r[f"censored_{k}"])
        table.add_row(
            r["case"]["id"],
            r["case"]["group"],
            r["start"],
            r["end"],
            str(r["weeks"]),
            " ".join(r["codes"]),
            censored,
        )
    console.print(table)
