"""The structural diff (``regimes.diff.diff(...).structural``) and the ``regimes diff`` command.

What is pinned here: a regime against itself is empty; worked example 6 (dk-lab-2020 → dk-lab-2024)
gives exactly the removed and added rules it names, with the offer rule *not modelled* rather than
added; the 2026 reform's lift of the a-kasse interviews is ``exempted`` by its quota with the law's
citation; replacements link old and new ids (in either direction, and between siblings); an
``amend`` is a ``changed`` rule with the field; an unverified lift is a note, not a change.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import regimes
import regimes.cli.extra
from regimes.cli import app
from regimes.diff import default_on, diff
from regimes.diff.model import RegimeDiff, StructuralChange
from regimes.diff.report import markdown, tables

REGIME_IDS = [info.id for info in regimes.list_regimes()]


def _by_change(d: RegimeDiff, change: str) -> dict[str, StructuralChange]:
    return {c.rule: c for c in d.structural if c.change == change}


@pytest.mark.parametrize("regime", REGIME_IDS)
def test_a_regime_against_itself_is_empty(regime: str) -> None:
    d = diff(regime, regime)
    assert d.structural == []
    assert d.unmodelled == []
    assert d.notes == []
    assert d.behavioural.classes == []
    assert d.behavioural.exact


def replaced_by(d: RegimeDiff, rule: str) -> str | None:
    return _by_change(d, "replaced")[rule].by


def test_worked_example_6_lab_2020_to_lab_2024() -> None:
    d = diff("dk-lab-2020", "dk-lab-2024", behavioural=False)
    removed = _by_change(d, "removed")
    added = _by_change(d, "added")
    for rule in (
        "lab-2020.dagpenge.interviews-jobcenter-6m",
        "lab-2020.dagpenge.joint-interview-by-3m",
        "lab-2020.dagpenge.joint-interview-3-6m",
    ):
        assert rule in removed
        # Repealed only for cases begun from 2024 (the transition): the note names the cases.
        assert "period_start >= 2024-01-01" in (removed[rule].note or "")
        assert removed[rule].citation == "lov nr. 727 af 13/6/2023"
    for name in (
        "first-interview-akasse",
        "interviews-akasse-3m",
        "interviews-jobcenter-3-6m",
        "interviews-jobcenter-day-one",
        "akasse-at-first-jobcenter-interview",
        "intensified-effort-16m",
    ):
        assert f"lab-2024.dagpenge.{name}" in added
    # The § 102 offer rule is not "added": since correction C9 dk-lab-2020 models it from lov nr.
    # 295/2023 (2023-03-22), and the 2024 rule replaces it. The § 105 youth offers, new in 2024, are
    # "not modelled" on the 2020 side (declared there), not "added".
    assert "lab-2024.offer.first-offer-6m" not in added
    assert replaced_by(d, "lab-2020.offer.first-offer-6m") == "lab-2024.offer.first-offer-6m"
    unmodelled = {(u["rule"], u["regime"]) for u in d.unmodelled}
    assert ("lab-2024.uddannelseshjaelp.first-offer-1m", "dk-lab-2020") in unmodelled
    assert all(u["note"].startswith("offer:") for u in d.unmodelled)
    # Renumbered rules are replaced, not removed + added.
    replaced = _by_change(d, "replaced")
    first = replaced["lab-2020.kh-uh.first-interview"]
    assert first.by == "lab-2024.kh-uh.first-interview"
    assert first.citation == "LBK nr. 280 af 1/3/2024"
    fields = {f.field: (f.old, f.new) for f in first.fields}
    assert fields["citation"] == ("LAB § 31, stk. 3", "LAB § 31, stk. 5")
    assert "lab-2024.kh-uh.first-interview" not in added
    assert "lab-2020.kh-uh.first-interview" not in removed


def test_reform_2026_exempts_the_akasse_interviews_by_its_quota() -> None:
    d = diff("dk-lab-2024", "dk-reform-2026", behavioural=False)
    exempted = [c for c in d.structural if c.change == "exempted"]
    akasse = [c for c in exempted if c.rule == "lab-2024.dagpenge.interviews-akasse-3m"]
    assert len(akasse) == 1
    assert akasse[0].by == "reform-2026.dagpenge.akasse-interviews-quota"
    assert akasse[0].citation == "lov nr. 1750 af 29/12/2025"
    assert akasse[0].side == "b"
    # The quota that replaces it is a new rule of the reform.
    assert "reform-2026.dagpenge.akasse-interviews-quota" in _by_change(d, "added")
    # "jobcenteret" becomes "kommunen": an amendment is a changed field, cited.
    changed = _by_change(d, "changed")["lab-2024.dagpenge.interviews-jobcenter-3-6m"]
    assert [(f.field, f.old, f.new) for f in changed.fields] == [("actor", "jobcenter", "municipality")]
    assert changed.citation == "lov nr. 1750 af 29/12/2025"
    # The unverified lift of the first interviews is listed, not applied: a note, not a change.
    assert not any(c.rule == "lab-2024.kh-uh.first-interview" for c in exempted)
    assert any("lab-2024.kh-uh.first-interview" in n and "unverified" in n for n in d.notes)
    # The contract's example, as JSON.
    data = json.loads(d.model_dump_json(exclude_none=True))
    assert {
        "rule": "lab-2024.dagpenge.interviews-akasse-3m",
        "change": "exempted",
        "by": "reform-2026.dagpenge.akasse-interviews-quota",
        "citation": "lov nr. 1750 af 29/12/2025",
    }.items() <= data["structural"][[c["rule"] for c in data["structural"]].index(akasse[0].rule)].items()


def test_the_reverse_direction_mirrors_the_changes() -> None:
    forward = diff("dk-lab-2020", "dk-lab-2024", behavioural=False)
    back = diff("dk-lab-2024", "dk-lab-2020", behavioural=False)
    assert forward.on == back.on
    # What A repeals for new cases, B keeps for them: "added", with the condition.
    readded = _by_change(back, "added")["lab-2020.dagpenge.interviews-jobcenter-6m"]
    assert "period_start >= 2024-01-01" in (readded.note or "")
    # A replacement read backwards still links the two ids.
    replaced = _by_change(back, "replaced")["lab-2024.kh-uh.first-interview"]
    assert replaced.by == "lab-2020.kh-uh.first-interview"
    assert {(f.field, f.old, f.new) for f in replaced.fields} >= {
        ("citation", "LAB § 31, stk. 5", "LAB § 31, stk. 3")
    }
    # The unmodelled rule is unmodelled both ways.
    assert {u["rule"] for u in back.unmodelled} == {u["rule"] for u in forward.unmodelled}


def test_siblings_that_replace_one_ancestor_are_linked() -> None:
    d = diff("dk-6byer-2011", "dk-lab-2024", behavioural=False)
    replaced = _by_change(d, "replaced")["6byer-2011.replace.six-weeks-education"]
    assert replaced.by == "lab-2024.dagpenge.job-oriented-education"
    assert "lab-2020.dagpenge.job-oriented-education" in (replaced.note or "")
    # 6byer's lifts bind nowhere in lab-2024: exempted on the A side.
    lifted = [c for c in d.structural if c.change == "exempted"]
    assert lifted and all(c.side == "a" for c in lifted)


def test_a_partly_unmodelled_rule_is_added_with_a_note(tmp_path: Path) -> None:
    # A regime that, like dk-lab-2024 before correction C9 encoded § 105, declares youth offers
    # not modelled: the reform's offer quota is then "added" for the other groups, with a note.
    path = tmp_path / "dk-lab-2024-nm.yaml"
    path.write_text(
        "regime:\n  id: dk-lab-2024-nm\n  title: t\n  legal_basis: t\n  status: proposed\n"
        "  extends: dk-lab-2024\n  not_modelled:\n    - topic: offer\n"
        "      groups: [uddannelseshjaelp_uddannelsesparat]\n      note: youth offers\n",
        encoding="utf-8",
    )
    d = diff(regimes.load_regime(str(path)), "dk-reform-2026", behavioural=False)
    quota = _by_change(d, "added")["reform-2026.offer.quota-6m"]
    assert "uddannelseshjaelp_uddannelsesparat" in (quota.note or "")
    assert any(u["rule"] == "reform-2026.offer.quota-6m" for u in d.unmodelled)


def test_default_date_and_regime_objects() -> None:
    a, b = regimes.load_regime("dk-lab-2024"), regimes.load_regime("dk-reform-2026")
    assert default_on(a, b) == default_on(b, a) == date(2026, 8, 10)
    # A proposal without dates uses its base's: dk-6byer-2011 starts with dk-lab-2020.
    assert default_on(regimes.load_regime("dk-6byer-2011"), regimes.load_regime("dk-lab-2020")) == date(
        2020, 2, 10
    )
    d = diff(a, b, on=date(2026, 9, 1), behavioural=False)
    assert (d.a, d.b, d.on) == ("dk-lab-2024", "dk-reform-2026", date(2026, 9, 1))
    assert not d.behavioural.exact and d.behavioural.classes == []


def test_unknown_regime_is_a_resolution_error() -> None:
    with pytest.raises(regimes.ResolutionError):
        diff("dk-lab-2024", "dk-nope")


# --------------------------------------------------------------------------------------------
# Rendering and the command
# --------------------------------------------------------------------------------------------


def test_markdown_and_tables_render_every_part() -> None:
    d = diff("dk-lab-2020", "dk-lab-2024")
    text = markdown(d)
    assert text.startswith("# Regime diff: dk-lab-2020 → dk-lab-2024")
    assert "## Structural changes" in text and "## Not modelled" in text
    assert "## Cases treated differently" in text
    assert text.count("```json") == len(d.behavioural.classes)
    assert len(tables(d)) >= 2 + len(d.behavioural.classes)


runner = CliRunner()


def test_cli_json_is_the_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "dk-lab-2024", "dk-reform-2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["a"], data["b"]) == ("dk-lab-2024", "dk-reform-2026")
    assert data["behavioural"]["exact"] is True
    first = data["behavioural"]["classes"][0]
    assert {"description", "witness", "a", "b"} <= set(first)
    assert regimes.parse_case(first["witness"]["case"]).id == "w-1"
    # Without nulls left out, the JSON reads back as the same model.
    d = diff("dk-lab-2024", "dk-reform-2026")
    assert RegimeDiff.model_validate_json(d.model_dump_json()) == d

    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", "dk-lab-2020", "dk-lab-2024", "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("# Regime diff")

    result = runner.invoke(app, ["diff", "dk-lab-2020", "dk-lab-2024", "--on", "2024-03-10"])
    assert result.exit_code == 0, result.output
    assert "Structural changes" in result.stdout and "2024-03-10" in result.stdout


def test_cli_errors() -> None:
    unknown = runner.invoke(app, ["diff", "dk-lab-2024", "dk-nope"])
    assert unknown.exit_code == 1
    both = runner.invoke(
        app, ["diff", "dk-lab-2024", "dk-reform-2026", "--cases", "x.json", "--synthetic", "3"]
    )
    assert both.exit_code == 2
    bad_day = runner.invoke(app, ["diff", "dk-lab-2024", "dk-reform-2026", "--on", "2026-13-01"])
    assert bad_day.exit_code == 2
