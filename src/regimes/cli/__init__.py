"""The ``regimes`` command: a thin shell over the public functions.

Exit status (contract): 0 done; 1 the input or a ruleset is invalid (the message names the
file, the line where there is one, and the field or rule); 2 wrong usage. No traceback
reaches a user for a mistake of theirs: every :class:`~regimes.errors.RegimesError` is
printed as one message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from regimes.errors import RegimesError

app = typer.Typer(
    name="regimes",
    help="Rules as code for Danish employment law: obligations under each regime, and how regimes differ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (files, CI logs, `make demo`) gets a wide, stable layout instead of 80 columns.
console = Console(width=None if sys.stdout.isatty() else 180)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 180)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Turn our errors into one message and exit 1 (the user's input or a ruleset is wrong)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RegimesError as exc:
            errors.print(
                f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def parse_day(value: str | None, name: str = "--on") -> date:
    """An ISO date from the command line; a bad one is a usage error (exit 2)."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=name) from None


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class EvalFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("list")
@friendly
def list_cmd(
    fmt: Annotated[ListFormat, typer.Option("--format", help="Output format.")] = ListFormat.table,
) -> None:
    """List the bundled regimes: id, title, status, dates, scope."""
    from regimes.library import list_regimes

    infos = list_regimes()
    if fmt is ListFormat.json:
        print_json([i.model_dump(mode="json") for i in infos])
        return
    table = Table(title="Regimes", title_justify="left")
    for name in ("id", "status", "valid", "scope", "extends", "title"):
        table.add_column(name)
    for i in infos:
        scope = "all" if i.scope == "all" else ", ".join(i.scope)
        table.add_row(
            i.id,
            i.status.value,
            f"{i.valid_from} → {i.valid_to or 'open'}" if i.valid_from else "–",
            scope,
            i.extends or "–",
            i.title,
        )
    console.print(table)


@app.command()
@friendly
def show(
    regime: Annotated[str, typer.Argument(help="A regime id (see `regimes list`) or a path to a YAML file.")],
    fmt: Annotated[
        ShowFormat, typer.Option("--format", help="table, json or md (the law-explorer page).")
    ] = ShowFormat.table,
) -> None:
    """Show a regime's rules: citation, window in words, confidence, source."""
    from regimes.explorer import regime_markdown, regime_summary
    from regimes.library import load_regime

    resolved = load_regime(regime)
    if fmt is ShowFormat.md:
        sys.stdout.write(regime_markdown(resolved) + "\n")
        return
    summary = regime_summary(resolved)
    if fmt is ShowFormat.json:
        print_json(summary)
        return
    table = Table(title=f"{summary['id']}: {summary['title']} ({summary['status']})", title_justify="left")
    for name in ("rule", "effect", "step/actor", "window", "citation", "confidence"):
        table.add_column(name)
    for rule in summary["rules"]:
        confidence = rule["confidence"] + ("" if rule["active_by_default"] else " (off)")
        table.add_row(
            rule["id"],
            rule["effect"],
            f"{rule['step'] or '–'} / {rule['actor'] or '–'}",
            escape(rule["window"] or "–"),
            escape(rule["citation"] + ("" if rule["citation_verified"] else " (citation unverified)")),
            confidence,
        )
    console.print(table)
    for ex in summary["exemptions"]:
        state = "exempted" if ex["applied"] else "lift unverified (not applied)"
        console.print(
            f"[blue]{state}[/]: {', '.join(ex['rules'])} — {escape(ex['citation'])} ({ex['confidence']})"
        )


@app.command()
@friendly
def evaluate(
    cases: Annotated[
        str,
        typer.Argument(
            metavar="CASES",
            help="Cases: JSON (one or a list), JSON Lines, CSV or Parquet (docs/inputs.md), or - for stdin.",
        ),
    ],
    regime: Annotated[
        list[str] | None,
        typer.Option(
            "--regime",
            "-r",
            help="Regime id or YAML path; repeat to compare side by side. Default: resolved.",
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Evaluation date YYYY-MM-DD (default: today).")
    ] = None,
    fmt: Annotated[EvalFormat, typer.Option("--format", help="table, json or jsonl.")] = EvalFormat.table,
    include_unverified: Annotated[
        bool, typer.Option("--include-unverified", help="Also apply unverified rules.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also list the rules that did not apply, and why.")
    ] = False,
    backend: Annotated[
        str | None,
        typer.Option("--backend", help="durable (Rete, default), vector or reference (or REGIMES_BACKEND)."),
    ] = None,
) -> None:
    """Evaluate cases: which steps are required, by whom, by when, under which paragraph."""
    from engine.backends import available_backends
    from regimes.cli.render import evaluation_table, side_by_side_table
    from regimes.evaluate import DEFAULT_BACKEND, evaluate_many
    from regimes.inputs import read_cases_shaped

    day = parse_day(on)
    backend = backend or DEFAULT_BACKEND
    if backend not in available_backends():
        choices = ", ".join(available_backends())
        raise typer.BadParameter(f"{backend!r} (choose one of {choices})", param_hint="--backend")
    loaded, many = read_cases_shaped(cases)
    regimes_: list[str | None] = list(regime) if regime else [None]
    runs = [
        evaluate_many(loaded, r, day, backend=backend, include_unverified=include_unverified, explain=explain)
        for r in regimes_
    ]
    if fmt is EvalFormat.table:
        for index in range(len(loaded)):
            if len(runs) > 1:
                console.print(side_by_side_table([run[index] for run in runs]))
            else:
                console.print(evaluation_table(runs[0][index]))
            for run in runs:
                for warning in run[index].warnings:
                    console.print(f"  [bold yellow]warning[/]: {escape(warning)}", highlight=False)
                for note in run[index].notes:
                    console.print(f"  [bright_black]{run[index].regime}: {escape(note)}[/]", highlight=False)
                for why in run[index].not_applied or []:
                    console.print(
                        f"  [bright_black]why not {why.rule}: {escape(why.reason)}[/]", highlight=False
                    )
        return
    flat = [ev for run in runs for ev in run]
    if fmt is EvalFormat.jsonl:
        for ev in flat:
            sys.stdout.write(ev.model_dump_json() + "\n")
        return
    dumped = [json.loads(ev.model_dump_json()) for ev in flat]
    print_json(dumped[0] if len(dumped) == 1 and not many else dumped)


@app.command()
@friendly
def resolve(
    municipality: Annotated[str, typer.Argument(help="Kommunekode, three digits (e.g. 851 Aalborg).")],
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Which regime is in force in a municipality on a date, and why."""
    from regimes.resolve import resolve as resolve_fn

    result = resolve_fn(municipality, parse_day(day, "DATE"))
    if fmt is ListFormat.json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(f"[bold]{result.regime}[/] — {escape(result.reason)}", highlight=False)
    for warning in result.warnings:
        console.print(f"[bold yellow]warning[/]: {escape(warning)}", highlight=False)


class SchemaOf(StrEnum):
    ruleset = "ruleset"
    case = "case"
    evaluation = "evaluation"
    diff = "diff"
    national = "national"
    population_params = "population-params"


@app.command()
@friendly
def schema(
    of: Annotated[
        SchemaOf,
        typer.Option(
            "--of",
            help="ruleset (the YAML, for editors), case, evaluation, diff, national or population-params.",
        ),
    ] = SchemaOf.ruleset,
) -> None:
    """Print a JSON Schema: of the ruleset YAML (default), or of the JSON a service exchanges."""
    from pydantic import BaseModel

    from regimes.case import Case
    from regimes.diff.model import RegimeDiff
    from regimes.population.model import NationalImpact
    from regimes.population.params import PopulationParams
    from regimes.results import Evaluation
    from regimes.ruleset.schema import ruleset_schema

    if of is SchemaOf.ruleset:
        print_json(ruleset_schema())
        return
    models: dict[SchemaOf, type[BaseModel]] = {
        SchemaOf.case: Case,
        SchemaOf.evaluation: Evaluation,
        SchemaOf.diff: RegimeDiff,
        SchemaOf.national: NationalImpact,
        SchemaOf.population_params: PopulationParams,
    }
    model = models[of]
    validation = of in (SchemaOf.case, SchemaOf.population_params)
    print_json(model.model_json_schema(mode="validation" if validation else "serialization"))


@app.command()
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Ruleset files or folders (default: the bundled ones).")
    ] = None,
) -> None:
    """Validate rulesets and regimes; non-zero exit on any finding."""
    from regimes.check import check_paths, coverage_rows

    try:
        report = check_paths(paths or None)
    except RegimesError as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    for finding in report.findings:
        errors.print(escape(finding), highlight=False, soft_wrap=True)
    if report.coverage:
        from regimes.vocabulary import Confidence

        table = Table(title="Coverage: rules encoded per topic and confidence", title_justify="left")
        table.add_column("topic")
        for c in Confidence:
            table.add_column(c.value, justify="right")
        table.add_column("total", justify="right")
        for title, per, total in coverage_rows(report):
            table.add_row(title, *(str(per[c]) for c in Confidence), str(total))
        console.print(table)
    for note in report.notes:
        console.print(f"[bright_black]{escape(note)}[/]", highlight=False)
    if not report.ok:
        errors.print(f"[bold red]{len(report.findings)} finding(s)[/]")
        raise typer.Exit(1)
    console.print(f"[green]ok[/]: {len(report.regimes)} regimes, no findings")


@app.command("test")
def test_cmd(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Test files or folders (default: the bundled ones).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every test.")] = False,
) -> None:
    """Run the YAML test cases beside the rulesets; report per rule."""
    from regimes.library import TESTS_SUFFIX, bundled, library_with, ruleset_paths, rulesets_dir
    from regimes.testing import run_test_file

    try:
        targets: list[Path] = []
        for path in paths or [rulesets_dir()]:
            if not path.exists():
                errors.print(
                    f"[bold red]error:[/] {escape(str(path))}: no such file or folder", highlight=False
                )
                raise typer.Exit(1)
            targets.extend(sorted(path.glob(f"*{TESTS_SUFFIX}")) if path.is_dir() else [path])
        # The rulesets beside the tests are laid over the bundled ones, as `check` does.
        folders = {t.parent.resolve() for t in targets} - {rulesets_dir().resolve()}
        beside = [p for folder in sorted(folders) for p in ruleset_paths(folder)]
        layering = library_with(beside) if beside else bundled()
        outcomes = [o for t in targets for o in run_test_file(t, layering)]
    except RegimesError as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None
    per_rule: dict[str, list[Any]] = {}
    for o in outcomes:
        per_rule.setdefault(o.rule, []).append(o)
    failed = [o for o in outcomes if not o.passed]
    table = Table(title="YAML tests per rule", title_justify="left")
    for name in ("rule", "tests", "fires", "does not fire", "result"):
        table.add_column(name)
    for rule, items in per_rule.items():
        bad = [o for o in items if not o.passed]
        if verbose or bad:
            table.add_row(
                rule,
                str(len(items)),
                str(sum(1 for o in items if o.fires)),
                str(sum(1 for o in items if not o.fires)),
                "[red]FAIL[/]" if bad else "[green]ok[/]",
            )
    if verbose or failed:
        console.print(table)
    for o in failed:
        errors.print(
            f"{o.where}: rule '{o.rule}' ({o.name}): {'; '.join(o.problems)}", highlight=False, soft_wrap=True
        )
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed ({len(per_rule)} rules)")
    if failed:
        raise typer.Exit(1)


@app.command()
@friendly
def demo() -> None:
    """The main job: evaluate the bundled example cases and print their obligations."""
    from regimes.demo import run_demo

    run_demo(console)


def main() -> None:
    """Entry point of the ``regimes`` script."""
    from regimes.cli import extra  # noqa: F401  (registers diff, caseload, serve, docs)

    app()


@app.command()
@friendly
def docs(
    out: Annotated[Path, typer.Argument(help="Folder for the generated pages.")] = Path("docs/regimes"),
) -> None:
    """Write the law-explorer page of every bundled regime (Markdown) into a folder."""
    from regimes.explorer import regime_markdown
    from regimes.library import bundled, load_regime

    out.mkdir(parents=True, exist_ok=True)
    ids = sorted(bundled().regime_ids())
    for ident in ids:
        (out / f"{ident}.md").write_text(regime_markdown(load_regime(ident)) + "\n", encoding="utf-8")
    index = ["# Regimes", "", "Generated by `regimes docs`; do not edit by hand.", ""]
    index += [f"- [{ident}]({ident}.md)" for ident in ids]
    (out / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    console.print(f"wrote {len(ids)} pages to {out}")
