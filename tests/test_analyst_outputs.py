"""Population output in every format, and "not modelled" never read as zero (issue 10, finding 3).

Before the fix ``--format table|md`` printed one sentence for the population, and a step a regime
does not model (``dk-lab-2020`` declares ret og pligt offers ``not_modelled``) read as ``0.00``
with a delta computed from it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from rich.console import Console

import regimes
from regimes.diff.figures import population_view, unmodelled_measures, view_for
from regimes.diff.html import render_html
from regimes.diff.model import RegimeDiff
from regimes.diff.population import population_impact
from regimes.diff.report import markdown, tables
from regimes.synthetic import ASSUMPTIONS, synthetic_population

ON = date(2022, 6, 1)


@pytest.fixture(scope="module")
def old_to_new() -> RegimeDiff:
    """dk-lab-2020 (offers not modelled) → dk-lab-2024, over a small synthetic population."""
    cases = synthetic_population(120, 3, on=ON)
    result = regimes.diff("dk-lab-2020", "dk-lab-2024", on=ON, behavioural=False)
    pop = population_impact(
        cases,
        "dk-lab-2020",
        "dk-lab-2024",
        on=ON,
        source="synthetic n=120 seed=3",
        backend="vector",
        assumptions=ASSUMPTIONS,
    )
    return result.model_copy(update={"population": pop})


def _text(diff: RegimeDiff) -> str:
    console = Console(width=400, record=True, no_color=True, file=open("/dev/null", "w"))  # noqa: SIM115
    for renderable in tables(diff):
        console.print(renderable)
    return console.export_text()


def test_table_and_markdown_carry_every_figure_quotas_municipalities_and_assumptions(
    old_to_new: RegimeDiff,
) -> None:
    pop = old_to_new.population
    assert pop is not None
    for text in (_text(old_to_new), markdown(old_to_new)):
        for heading in ("interviews A", "offers B", "sickness follow-ups A", "caseworker hours B"):
            assert heading in text
        for row in pop.by_group:
            assert row.slice in text
        assert "Quota coverage" in text
        assert "by municipality" in text
        municipality = pop.by_municipality[0].slice
        assert municipality in text
        assert "Assumptions" in text and "synthetic" in text
        assert f"{pop.by_group[0].interviews_a:.2f}" in text


def test_a_step_a_regime_does_not_model_reads_not_modelled_and_has_no_delta(old_to_new: RegimeDiff) -> None:
    pop = old_to_new.population
    assert pop is not None
    dagpenge = next(r for r in pop.by_group if r.slice == "dagpenge")
    assert dagpenge.offers_a == 0  # what used to read as "0.00", with a delta computed from it
    assert "offers" in unmodelled_measures("dk-lab-2020", ["dagpenge"])["dagpenge"]
    view = view_for(old_to_new)
    assert view is not None
    a, b, delta = next(r for r in view.groups if r.slice == "dagpenge").cells["offers"]
    assert (a.text, a.value, delta.text, delta.value) == ("not modelled", None, "n/a", None)
    assert b.text in ("not modelled", f"{dagpenge.offers_b:.2f}")
    total_a, _, total_delta = view.total.cells["offers"]
    assert total_a.state == "partial" and total_delta.value is None
    md = markdown(old_to_new)
    line = next(x for x in md.splitlines() if x.startswith("| dagpenge |"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    offers = cells[5:8]  # group, cases, interviews A/B/Δ, then offers A/B/Δ
    assert offers[0] == "not modelled" and offers[2] == "n/a", cells
    assert "not modelled" in _text(old_to_new)
    page = render_html(old_to_new)
    row = re.search(r"<tr><td>dagpenge</td>.*?</tr>", page)
    assert row is not None and "not modelled" in row.group(0)


def test_a_modelled_zero_stays_a_number() -> None:
    # Sickness follow-ups are modelled by both: a dagpenge case needs none, and that is a real 0.
    missing = unmodelled_measures("dk-lab-2024", ["dagpenge", "sygedagpenge"])
    assert "followups" not in missing.get("dagpenge", set())
    pop = population_impact(
        synthetic_population(40, 1, on=date(2024, 10, 1)),
        "dk-lab-2024",
        "dk-lab-2024",
        on=date(2024, 10, 1),
        source="x",
        backend="vector",
    )
    view = population_view(pop, missing, missing)
    a, _, delta = next(r for r in view.groups if r.slice == "dagpenge").cells["followups"]
    assert a.text == "0.00" and delta.text == "±0.00"


def test_charts_draw_no_bar_for_not_modelled(old_to_new: RegimeDiff, monkeypatch: pytest.MonkeyPatch) -> None:
    from regimes.diff import html

    drawn: list[str] = []
    original = html._paired_bars

    def spy(ax, groups, cells, a, b):  # type: ignore[no-untyped-def]
        original(ax, groups, cells, a, b)
        drawn.extend(t.get_text() for t in ax.texts)

    monkeypatch.setattr(html, "_paired_bars", spy)
    render_html(old_to_new)
    assert any("not modelled" in t for t in drawn)


def test_the_html_report_without_its_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from regimes.diff import html
    from regimes.diff.model import Behavioural
    from regimes.errors import MissingExtraError

    html._environment.cache_clear()
    monkeypatch.setitem(sys.modules, "jinja2", None)
    empty = RegimeDiff(a="x", b="y", structural=[], behavioural=Behavioural(exact=True, classes=[]))
    with pytest.raises(MissingExtraError, match=r"the HTML report needs the 'analyst' extra"):
        render_html(empty)
    monkeypatch.undo()
    html._environment.cache_clear()
    assert render_html(empty).startswith("<!DOCTYPE html>")


def test_the_core_dependencies_leave_out_the_heavy_extras() -> None:
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"]).lower()
    for heavy in ("fastapi", "uvicorn", "pyarrow", "matplotlib", "jinja2", "dask"):
        assert heavy not in core, heavy
    extras = project["optional-dependencies"]
    assert {"service", "analyst", "distributed", "dev"} <= set(extras)
    assert any("service" in d and "analyst" in d and "distributed" in d for d in extras["dev"])
