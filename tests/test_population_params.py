"""The population parameter file: every number sourced or assumed, round trips, named errors, describe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import regimes.cli.extra  # noqa: F401  (registers the population command)
from regimes.cli import app
from regimes.municipalities import MUNICIPALITIES
from regimes.population.describe import describe, share_past
from regimes.population.params import (
    ParamsError,
    PopulationParams,
    Survival,
    draw,
    load_params,
    municipal_weights,
)
from regimes.vocabulary import TargetGroup

runner = CliRunner()


def _yaml(data: Any) -> str:
    import io

    from ruamel.yaml import YAML

    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


def test_every_number_has_a_source_or_an_assumption() -> None:
    params = load_params()
    assert set(params.groups) == set(TargetGroup)
    for field, prov in params.provenances():
        assert prov.source or prov.assumption, field
        if prov.source:
            assert params.sources[prov.source].url.startswith("http"), field
    assert {prov.kind for _, prov in params.provenances()} == {"source", "derived", "assumption"}


def test_parameters_round_trip_through_a_file(tmp_path: Path) -> None:
    params = load_params()
    path = tmp_path / "params.yaml"
    path.write_text(_yaml(params.model_dump(mode="json")), encoding="utf-8")
    assert load_params(path) == params


def test_an_override_changes_only_what_it_gives(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "groups:\n  dagpenge:\n    stock: {value: 70000, assumption: my count}\n", encoding="utf-8"
    )
    params, base = load_params(path), load_params()
    assert params.groups[TargetGroup.DAGPENGE].stock.value == 70000
    assert params.groups[TargetGroup.DAGPENGE].stock.kind == "assumption"
    assert params.groups[TargetGroup.DAGPENGE].inflow == base.groups[TargetGroup.DAGPENGE].inflow
    assert params.groups[TargetGroup.SYGEDAGPENGE] == base.groups[TargetGroup.SYGEDAGPENGE]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "groups:\n  dagpenge:\n    stock:\n      value: -5\n",
            ":4: groups.dagpenge.stock.value: must be 0 or more",
        ),
        (
            "groups:\n  sygedagpenge:\n    flags:\n      employed: {value: 1.5, assumption: x}\n",
            "groups.sygedagpenge.flags.employed.value: must be a share from 0 to 1 (got 1.5)",
        ),
        (
            "groups:\n  dagpenge:\n    inflow: {value: 10, range: [20, 30], assumption: x}\n",
            ":3: groups.dagpenge.inflow: range [20, 30] must hold the value 10",
        ),
        (
            "groups:\n  dagpenge:\n    stock: {value: 5, source: nowhere}\n",
            "groups.dagpenge.stock.source: 'nowhere' is not a key of sources",
        ),
        (
            "groups:\n  dagpenge:\n    stock: {value: 5, source: null, derived: null, assumption: null}\n",
            "groups.dagpenge.stock: needs a 'source' (a key of sources) or an 'assumption'",
        ),
        (
            "groups:\n  dagpenge:\n    flags:\n      tall: {value: 0.5, assumption: x}\n",
            "groups.dagpenge.flags: 'tall' is not a known flag",
        ),
        (
            "groups:\n  dagpenge:\n    spell_months: {points: [[0, 1], [6, 0.5]], assumption: x}\n",
            "groups.dagpenge.spell_months.points: the last share must be 0",
        ),
        (
            "groups:\n  dagpenge:\n    spell_months: {points: [[0, 1], [6, 0.5], [3, 0]], assumption: x}\n",
            "months must increase (got 6 then 3)",
        ),
        ("groups:\n  martians: {}\n", "groups.martians"),
        ("behaviour:\n  typo: 1\n", "behaviour.typo: is not a known key"),
        ("groups: [1, 2\n", "not valid YAML"),
        (
            "sources:\n  x: {title: t, url: ftp://a}\n",
            "sources.x.url: must be an http(s) URL",
        ),
    ],
)
def test_bad_values_are_named_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message, message


def test_a_missing_file_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"nope\.yaml: cannot read"):
        load_params(tmp_path / "nope.yaml")


def test_draws_stay_in_range_and_are_reproducible() -> None:
    import numpy as np

    params = load_params()
    one = draw(params, np.random.Generator(np.random.PCG64(7)))
    again = draw(params, np.random.Generator(np.random.PCG64(7)))
    assert one == again
    central = draw(params, None)
    for group, g in params.groups.items():
        assert g.stock.low <= one.stock[group] <= g.stock.high
        assert central.stock[group] == g.stock.value


def test_survival_mean_and_the_share_past_a_year() -> None:
    flat = Survival(points=((0, 1), (24, 0)), assumption="test")
    assert flat.mean_months() == pytest.approx(12)
    assert flat.survival(6) == pytest.approx(0.75)
    # A stock of 1 and no inflow: spells are length-biased, P(D > 12) = (12·0.5 + 3) / 12.
    assert share_past(flat, 12, stock=1, inflow=0) == pytest.approx(0.75)
    assert share_past(flat, 12, stock=1, inflow=1) == pytest.approx(0.375)


def test_municipal_weights_sum_to_one_and_bad_rows_are_named(tmp_path: Path) -> None:
    weights = municipal_weights(load_params())
    assert weights[TargetGroup.DAGPENGE].shape == (len(MUNICIPALITIES),)
    assert weights[TargetGroup.DAGPENGE].sum() == pytest.approx(1)
    (tmp_path / "w.csv").write_text("code,dagpenge\n101,3\n147,1\n", encoding="utf-8")
    params = load_params({"municipalities": {"file": "w.csv", "assumption": "test"}})
    mine = municipal_weights(params, tmp_path)
    assert mine[TargetGroup.DAGPENGE][list(MUNICIPALITIES).index("101")] == pytest.approx(0.75)
    assert mine[TargetGroup.SYGEDAGPENGE].sum() == pytest.approx(1)  # no column: uniform
    (tmp_path / "w.csv").write_text("code,dagpenge\n999,3\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"w.csv:2: code: '999' is not a kommunekode"):
        municipal_weights(params, tmp_path)


def test_describe_lists_every_figure_and_the_checks() -> None:
    params = load_params()
    described = describe(params)
    assert len(described["figures"]) == len(params.provenances())
    assert sum(described["counts"].values()) == len(params.provenances())
    assert any(c["check"].startswith("sygedagpenge") for c in described["checks"])
    assert isinstance(PopulationParams.model_json_schema(), dict)


def test_cli_describe_table_json_and_a_bad_file(tmp_path: Path) -> None:
    table = runner.invoke(app, ["population", "describe"])
    assert table.exit_code == 0, table.output
    assert "groups.dagpenge.inflow" in table.output and "bm-beu-203-2024" in table.output
    as_json = runner.invoke(app, ["population", "describe", "--format", "json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)["counts"]["assumption"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  dagpenge:\n    stock: {value: -1}\n", encoding="utf-8")
    result = runner.invoke(app, ["population", "describe", "--population-params", str(bad)])
    assert result.exit_code == 1
    assert "groups.dagpenge.stock.value" in result.output


def test_the_parameters_and_the_diff_model_load_without_numpy() -> None:
    """numpy comes with the 'analyst' extra: reading and describing the parameters must not need it."""
    import subprocess
    import sys

    code = (
        "import sys, regimes.diff.model, regimes.population.params as p, regimes.population.describe as d;"
        "d.describe(p.load_params()); assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_the_example_override_loads_and_describes() -> None:
    example = Path(__file__).parents[1] / "examples" / "population" / "my-parameters.yaml"
    params = load_params(example)
    assert params.groups[TargetGroup.DAGPENGE].stock.value == 70000
    assert params.behaviour.interviews_held_per_required.kind == "assumption"
    result = runner.invoke(app, ["population", "describe", "--population-params", str(example)])
    assert result.exit_code == 0 and "Example override" in result.output
