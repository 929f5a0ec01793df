"""Register panels (DREAM format) into spells and cases, through the editable code mapping."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import regimes.cli.extra  # noqa: F401  (registers the commands)
from regimes.cli import app
from regimes.population.national import impact_of_spells
from regimes.population.panel import PanelError, load_mapping, panel_spells, read_panel, to_spells
from regimes.vocabulary import TargetGroup

ROOT = Path(__file__).parents[1]
PANEL = ROOT / "examples" / "panel" / "dream-panel.csv"
G = TargetGroup
D = dt.date
runner = CliRunner()

EXPECTED = [
    ("p1", G.DAGPENGE, D(2027, 1, 4), D(2027, 2, 28), 8, ("111",), True, False),
    ("p2", G.SYGEDAGPENGE, D(2027, 1, 18), D(2027, 3, 28), 10, ("890", "893"), False, False),
    ("p3", G.DAGPENGE, D(2027, 1, 4), D(2027, 3, 14), 10, ("111", "112"), True, False),
    ("p3", G.KONTANTHJAELP_JOBPARAT, D(2027, 3, 15), D(2027, 5, 23), 10, ("130",), False, True),
    ("p4", G.UDDANNELSESHJAELP_UDDANNELSESPARAT, D(2027, 2, 1), D(2027, 3, 7), 5, ("132",), False, False),
    ("p4", G.UDDANNELSESHJAELP_UDDANNELSESPARAT, D(2027, 3, 22), D(2027, 4, 18), 4, ("132",), False, False),
]


def test_the_example_panel_converts_to_the_expected_spells() -> None:
    spells = panel_spells(PANEL)
    got = [
        (s.person_id, s.group, s.start, s.end, s.weeks, s.codes, s.censored_start, s.censored_end)
        for s in spells
    ]
    assert got == EXPECTED


def test_the_long_form_gives_the_same_spells(tmp_path: Path) -> None:
    persons = read_panel(PANEL)
    lines = ["person_id,municipality,birth_date,year,week,code"]
    for p in persons:
        for monday, code in sorted(p.weeks.items()):
            year, week, _ = monday.isocalendar()
            lines.append(f"{p.person_id},{p.municipality},{p.birth_date},{year},{week},{code}")
    long_form = tmp_path / "long.csv"
    long_form.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert panel_spells(long_form) == panel_spells(PANEL)


def test_no_gap_joining_splits_the_dagpenge_spell(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "label: t\nassumption: test\njoin_gap_weeks: 0\ngroups:\n  dagpenge: {codes: ['111-112']}\n",
        encoding="utf-8",
    )
    spells = [s for s in panel_spells(PANEL, mapping) if s.person_id == "p3"]
    assert [(s.start, s.weeks) for s in spells] == [(D(2027, 1, 4), 4), (D(2027, 2, 8), 5)]


def test_spells_become_cases_and_count_in_the_year() -> None:
    spells = to_spells(panel_spells(PANEL), source=str(PANEL))
    assert [s.case.id for s in spells][:3] == ["p1-1", "p2-1", "p3-1"]
    assert spells[0].case.registered_on == D(2027, 1, 4)
    assert spells[1].case.sickness_first_day == D(2027, 1, 18)
    impact = impact_of_spells(
        spells, "dk-lab-2024", "dk-reform-2026", year=2027, source="panel", backend="reference"
    )
    assert impact.total.persons.estimate == 6
    assert impact.total.interviews.a.estimate > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person_id,municipality,y_2027_w01\np1,101,111\n", ":1: missing column 'birth_date'"),
        (
            "person_id,municipality,birth_date,week1\np1,101,1980-01-01,111\n",
            ":1: week1: column 'week1' is neither",
        ),
        ("person_id,municipality,birth_date,y_2027_w54\np1,101,1980-01-01,111\n", "2027 has no ISO week 54"),
        ("person_id,municipality,birth_date,y_2027_w01\np1,999,1980-01-01,111\n", ":2: municipality: '999'"),
        (
            "person_id,municipality,birth_date,y_2027_w01\np1,101,1980-13-01,111\n",
            ":2: birth_date: must be a date",
        ),
        (
            "person_id,municipality,birth_date,y_2027_w01\np1,101,1980-01-01,111\np1,101,1980-01-01,111\n",
            ":3: person_id: person 'p1' has two rows",
        ),
    ],
)
def test_bad_panels_are_named_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PanelError) as caught:
        panel_spells(path)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_a_code_in_two_groups_is_a_named_error(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "label: t\nassumption: x\ngroups:\n  dagpenge: {codes: ['111']}\n"
        "  sygedagpenge: {codes: ['110-112']}\n",
        encoding="utf-8",
    )
    with pytest.raises(PanelError, match="code '111' maps to both dagpenge and sygedagpenge"):
        load_mapping(mapping)
    mapping.write_text("label: t\ngroups:\n  dagpenge: {codes: ['111']}\n", encoding="utf-8")
    with pytest.raises(PanelError, match="needs a 'source' or an 'assumption'"):
        load_mapping(mapping)


def test_cli_panel_prints_spells_and_writes_cases(tmp_path: Path) -> None:
    table = runner.invoke(app, ["population", "panel", str(PANEL)])
    assert table.exit_code == 0, table.output
    assert "p3" in table.output and "kontanthjaelp_jobparat" in table.output
    out = tmp_path / "cases.jsonl"
    written = runner.invoke(app, ["population", "panel", str(PANEL), "--out", str(out)])
    assert written.exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 and lines[0]["case"]["group"] == "dagpenge" and lines[0]["end"] == "2027-02-28"
    national = runner.invoke(
        app,
        [
            "diff",
            "dk-lab-2024",
            "dk-reform-2026",
            "--panel",
            str(PANEL),
            "--year",
            "2027",
            "--format",
            "json",
        ],
    )
    assert national.exit_code == 0, national.output
    assert json.loads(national.output)["national"]["total"]["persons"]["estimate"] == 6
