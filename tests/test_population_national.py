"""Yearly flows and national totals: exact sums of per-case evaluations, reproducible ensembles, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import regimes.cli.extra  # noqa: F401  (registers the commands)
from regimes.cli import app
from regimes.diff.population import population_impact
from regimes.population.flows import COLUMNS, Spell, case_for, sample_spells, yearly_figures
from regimes.population.national import impact_of_spells, national_impact
from regimes.population.params import draw, load_params
from regimes.vocabulary import TargetGroup

G = TargetGroup
runner = CliRunner()
A, B = "dk-lab-2024", "dk-reform-2026"
YEAR = 2027


def _spell(ident: str, group: TargetGroup, start: str, end: str, weight: float, **flags: bool) -> Spell:
    first = dt.date.fromisoformat(start)
    case = case_for(ident, group, first, "101", dt.date(1980, 5, 1), flags)
    origin = "stock" if first.year < YEAR else "inflow"
    return Spell(case=case, start=first, end=dt.date.fromisoformat(end), weight=weight, origin=origin)


@pytest.fixture(scope="module")
def small() -> list[Spell]:
    return [
        _spell("dp-year", G.DAGPENGE, "2027-01-01", "2028-12-31", 2.0),
        _spell("kh-year", G.KONTANTHJAELP_JOBPARAT, "2027-01-01", "2028-06-30", 3.0),
        _spell("dp-short", G.DAGPENGE, "2027-03-01", "2027-04-15", 1.5),
        _spell("sdp-stock", G.SYGEDAGPENGE, "2026-11-02", "2027-05-31", 4.0, employed=True),
    ]


def test_totals_are_the_weighted_sums_of_the_per_case_evaluations(small: list[Spell]) -> None:
    impact = impact_of_spells(small, A, B, year=YEAR, source="test", backend="reference")
    weights = np.array([s.weight for s in small])
    for side, regime in (("a", A), ("b", B)):
        per_case = yearly_figures(small, regime, YEAR, backend="reference")
        expected = (weights[:, None] * per_case).sum(axis=0)
        got = impact.total.interviews
        assert getattr(got, side).estimate == pytest.approx(expected[COLUMNS.index("interviews")], abs=0.01)
        assert getattr(impact.total.offers, side).estimate == pytest.approx(expected[1], abs=0.01)
        assert getattr(impact.total.followups, side).estimate == pytest.approx(expected[2], abs=0.01)
        assert getattr(impact.total.hours, side).estimate == pytest.approx(expected[3], abs=0.01)
    assert impact.total.persons.estimate == pytest.approx(weights.sum())
    # The groups add up to the total; a single run has a band of zero width.
    assert sum(r.interviews.a.estimate for r in impact.by_group) == pytest.approx(
        impact.total.interviews.a.estimate
    )
    assert (
        impact.total.interviews.a.low == impact.total.interviews.a.high == impact.total.interviews.a.estimate
    )


def test_a_spell_over_the_whole_year_counts_as_its_citizen_year(small: list[Spell]) -> None:
    """Independent of the yearly counting: a spell from 1 January that outlasts its windows counts its
    citizen-year (the year's obligations all close before the spell ends, so nothing is prorated)."""
    year_long = small[:2]
    per_case = yearly_figures(year_long, A, YEAR, backend="reference")
    for spell, row in zip(year_long, per_case, strict=True):
        pop = population_impact([spell.case], A, B, on=dt.date(YEAR, 12, 31), source="t", backend="reference")
        assert row[COLUMNS.index("interviews")] == pytest.approx(pop.total.interviews_a)
        assert row[COLUMNS.index("offers")] == pytest.approx(pop.total.offers_a)
        assert row[COLUMNS.index("hours")] == pytest.approx(pop.total.hours_a)
        assert row[COLUMNS.index("years")] == pytest.approx(1.0)


def test_a_spell_counts_only_what_opens_before_it_ends_and_cut_windows_pro_rata(small: list[Spell]) -> None:
    short, year_long = yearly_figures([small[2], small[0]], A, YEAR, backend="reference")
    assert 0 < short[COLUMNS.index("interviews")] < year_long[COLUMNS.index("interviews")]
    assert short[COLUMNS.index("years")] == pytest.approx(46 / 365)
    # dk-lab-2024, dagpenge from 1 March to 15 April (46 days): the first a-kasse interview within 2
    # weeks closes inside the spell (1, whole) and is one of the 3 of the first 3 months, whose window
    # (1 March-31 May, 92 days) the spell cuts: its 2 more interviews count 46/92. The 3 jobcenter
    # interviews of months 3-6 open after the spell ends and do not count; the first offer (1 March-
    # 31 August, 184 days) counts 46/184.
    assert short[COLUMNS.index("interviews")] == pytest.approx(1 + 2 * 46 / 92)
    assert short[COLUMNS.index("offers")] == pytest.approx(46 / 184)


def test_samples_cover_the_year_and_are_weighted_to_the_parameters() -> None:
    params = load_params()
    spells = sample_spells(params, YEAR, 200, seed=4)
    jan1, dec31 = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    central = draw(params, None)
    for spell in spells:
        assert spell.start <= dec31 and spell.end >= jan1
        assert spell.end >= spell.start
        if spell.origin == "stock":
            assert spell.start < jan1
        else:
            assert jan1 <= spell.start <= dec31
    for group in (G.DAGPENGE, G.SYGEDAGPENGE):
        stock = sum(s.weight for s in spells if s.group is group and s.origin == "stock")
        assert stock == pytest.approx(central.stock[group])
    assert spells == sample_spells(params, YEAR, 200, seed=4)
    assert spells != sample_spells(params, YEAR, 200, seed=5)


def test_the_ensemble_is_reproducible_per_seed() -> None:
    def run(seed: int) -> dict[str, object]:
        impact = national_impact(A, B, year=YEAR, n=30, runs=3, seed=seed, backend="reference")
        return impact.model_dump(exclude={"seconds"})

    first = run(2)
    assert first == run(2)
    assert first != run(3)
    total = first["total"]
    assert isinstance(total, dict)
    band = total["interviews"]["a"]
    assert band["low"] <= band["high"]


def test_by_municipality_rows_add_up_to_the_total() -> None:
    impact = national_impact(A, B, year=YEAR, n=30, runs=1, seed=1, by_municipality=True, backend="reference")
    assert impact.by_municipality
    assert sum(r.hours.b.estimate for r in impact.by_municipality) == pytest.approx(
        impact.total.hours.b.estimate, rel=1e-6
    )


def test_cli_national_json_markdown_table_and_html(tmp_path: Path) -> None:
    common = ["diff", A, B, "--national", "--year", str(YEAR), "--sample", "30", "--runs", "2"]
    out = runner.invoke(app, [*common, "--by", "municipality", "--format", "json"])
    assert out.exit_code == 0, out.output
    national = json.loads(out.output)["national"]
    assert national["year"] == YEAR and national["runs"] == 2
    assert "weighted" in national["method"]
    assert {"a", "b", "diff"} <= set(national["total"]["interviews"])
    assert national["by_municipality"]
    md = runner.invoke(app, [*common, "--format", "md"])
    assert "## Yearly totals 2027" in md.output and "caseworker hours B − A" in md.output
    page = tmp_path / "report.html"
    html = runner.invoke(app, [*common, "--format", "html", "--out", str(page)])
    assert html.exit_code == 0, html.output
    text = page.read_text(encoding="utf-8")
    assert '<section id="national">' in text and text.rstrip().endswith("</html>")


def test_the_tables_name_the_method_and_every_measure() -> None:
    from rich.console import Console

    from regimes.population.report import national_tables

    impact = national_impact(A, B, year=YEAR, n=20, runs=1, seed=1, backend="reference")
    console = Console(width=200, record=True)
    for table in national_tables(impact):
        console.print(table)
    text = " ".join(console.export_text().split())
    assert "weighted to the national group sizes" in text
    assert all(label in text for label in ("interviews required", "offers required", "caseworker hours"))


def test_cli_national_with_a_bad_parameter_file_is_a_named_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  dagpenge:\n    stock: {value: -1}\n", encoding="utf-8")
    out = runner.invoke(app, ["diff", A, B, "--national", "--sample", "10", "--population-params", str(bad)])
    assert out.exit_code == 1
    assert "groups.dagpenge.stock.value" in out.output


def test_schema_documents_the_national_totals() -> None:
    out = runner.invoke(app, ["schema", "--of", "national"])
    assert out.exit_code == 0
    schema = json.loads(out.output)
    assert {"Band", "Measure", "NationalRow"} <= set(schema["$defs"])
    diff_schema = json.loads(runner.invoke(app, ["schema", "--of", "diff"]).output)
    assert "national" in diff_schema["properties"]
    params_schema = json.loads(runner.invoke(app, ["schema", "--of", "population-params"]).output)
    assert "groups" in params_schema["properties"]


def test_the_html_section_has_a_chart_per_measure_and_escapes_text() -> None:
    from regimes.population.report import national_html

    impact = national_impact(A, B, year=YEAR, n=20, runs=1, seed=1, backend="reference")
    section = national_html(impact)
    assert section.count("<svg") == 2 and section.startswith('<section id="national">')
    assert "<script" not in section and "dagpenge" in section
