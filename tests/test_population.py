"""Population impact: hand-computed figures, quotas at the floor, case files, and the HTML report.

The hand computations read the rules in ``rulesets/`` (dk-lab-2024 extends dk-lab-2020 and
includes sdl; dk-reform-2026 extends dk-lab-2024) with the bundled ``minutes.yaml``
(job_interview 45, joint_interview 60, offer 120, intensified_effort 60, sickness_visitation 30,
sickness_followup_interview 60, sickness_reassessment 90; citizen's and employer's steps 0).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress

import regimes
from regimes.case import Case
from regimes.caseload import caseload
from regimes.diff import population as population_module
from regimes.diff.html import render_html, witness_summary
from regimes.diff.model import (
    Behavioural,
    BehaviouralClass,
    FieldChange,
    Population,
    RegimeDiff,
    StructuralChange,
    Witness,
)
from regimes.diff.population import (
    fewest_steps,
    headline,
    load_minutes,
    population_backend,
    population_impact,
    read_cases_file,
    write_cases_file,
)
from regimes.errors import CaseError, RulesetError
from regimes.synthetic import ASSUMPTIONS, synthetic_population

ON = date(2026, 10, 1)
A, B = "dk-lab-2024", "dk-reform-2026"


def case(**fields: Any) -> Case:
    return regimes.parse_case({"birth_date": "1985-06-01", "municipality": "101", **fields})


def impact(cases: list[Case], **kwargs: Any) -> Population:
    return population_impact(cases, A, B, on=ON, source="test", **kwargs)


DAGPENGE = case(id="dp", group="dagpenge", registered_on="2026-01-05")
JOBPARAT = case(id="kh", group="kontanthjaelp_jobparat", first_inquiry_on="2026-03-02", municipality="851")
SICK = case(
    id="sd",
    group="sygedagpenge",
    sickness_first_day="2026-02-02",
    visitation_category=2,
    visitation_on="2026-02-20",
    employed=True,
)


# --------------------------------------------------------------------------------------------
# Hand-computed figures
# --------------------------------------------------------------------------------------------


def test_dagpenge_case_by_hand() -> None:
    """Registered 2026-01-05, no flags; first year 2026-01-05 … 2027-01-04.

    A (dk-lab-2024): a-kasse — first interview by 01-19 (1) lies inside the three by 04-04 (3): 3;
    jobcenter 04-05 … 07-04: 3; joint interview 07-05 … 2027-05-04 (opens in the year): 1 → 7
    interviews. Offer by 07-04: 1. Hours: 6 × 45 + 60 + 120 + intensified effort 60 = 510 min = 8.5.

    B (dk-reform-2026, from 2026-07-01): a duty is judged by the law in force on its deadline
    (corrections C8). The a-kasse's first interview (01-19) and its three interviews (04-04) fell
    due before the reform, so dk-lab-2024 judges them: 3 (the reform's a-kasse quota, due 04-04 too,
    was not owed then). The jobcenter's interviews (07-04) and the first offer (07-04) fall due under
    the reform: lifted, municipality quota 0.75 × 2 = 1.5; joint interview 1 → 5.5. Offer quota
    0.75 × 1. Hours: 4.5 × 45 + 60 + 0.75 × 120 + 60 = 412.5 min = 6.875.
    """
    pop = impact([DAGPENGE])
    t = pop.total
    assert (t.interviews_a, t.offers_a, t.followups_a, t.hours_a) == (7.0, 1.0, 0.0, 8.5)
    assert (t.interviews_b, t.offers_b, t.followups_b, t.hours_b) == (5.5, 0.75, 0.0, 6.875)
    # Deadlines by month of the case: A first interview and CV 01-19 (1), three a-kasse 04-04 (3),
    # jobcenter and offer 07-04 (6), joint and intensified at 16 months (later).
    assert {k: v for k, v in pop.deadlines_a.items() if v} == {
        "month 01": 2,
        "month 03": 1,
        "month 06": 2,
        "later": 2,
    }
    # B: the same months, the quotas in place of the lifted rules, and the first interview that
    # stays with no asserted deadline.
    assert {k: v for k, v in pop.deadlines_b.items() if v} == {
        "month 01": 2,
        "month 03": 1,
        "month 06": 2,
        "later": 2,
        "no deadline": 1,
    }


def test_jobparat_case_by_hand() -> None:
    """First inquiry 2026-03-02. A: first interview by 03-09 inside the four by 09-01: 4; offer 1;
    hours 4 × 45 + 120 = 300 min = 5. B: the first interview stays (1; the second first-interview
    rule has no deadline and shares it), the quota of 4 adds 0.75 × 3: 3.25; offer quota 0.75;
    hours 3.25 × 45 + 90 = 236.25 min = 3.9375."""
    t = impact([JOBPARAT]).total
    assert (t.interviews_a, t.offers_a, t.hours_a) == (4.0, 1.0, 5.0)
    assert (t.interviews_b, t.offers_b, t.hours_b) == (3.25, 0.75, 3.9375)


def test_sickness_case_by_hand() -> None:
    """Category 2, employed, not on the light track: the first follow-up by week 8 is one of the
    four in 6 months: 4 follow-ups under both. No a-kasse interview (employed). Hours: visitation
    30 + 4 × 60 + reassessment 90 = 360 min = 6 (the medical certificate rule is unverified and off;
    the employer's interview is not caseworker time)."""
    t = impact([SICK]).total
    assert (t.interviews_a, t.followups_a, t.hours_a) == (0.0, 4.0, 6.0)
    assert (t.interviews_b, t.followups_b, t.hours_b) == (0.0, 4.0, 6.0)


def test_suspended_obligations_do_not_count() -> None:
    """A § 106 ground 08-20 … 09-15 covers the 6-month deadline 09-01: the four interviews and the
    first offer are suspended under A; § 102, stk. 4 then asks for an offer by 10-15 (counted).
    Under B the quotas are suspended too and the offer rules are lifted."""
    ground = {
        "kind": "exemption_ground",
        "ground": "start_within_6_weeks",
        "start": "2026-08-20",
        "end": "2026-09-15",
    }
    paused = case(id="khx", group="kontanthjaelp_jobparat", first_inquiry_on="2026-03-02", events=[ground])
    t = impact([paused]).total
    assert (t.interviews_a, t.offers_a, t.hours_a) == (1.0, 1.0, 2.75)
    assert (t.interviews_b, t.offers_b, t.hours_b) == (1.0, 0.0, 0.75)


def test_history_does_not_change_what_is_required() -> None:
    """Three a-kasse interviews held: under B the lifted three-interview rule shows ``met`` in an
    evaluation with the history, but it is not required, so the figures stay those of the rules."""
    held = [
        {"kind": "job_interview", "on": day, "actor": "a_kasse"}
        for day in ("2026-01-10", "2026-02-10", "2026-03-10")
    ]
    busy = case(id="dp2", group="dagpenge", registered_on="2026-01-05", events=held)
    ev = regimes.evaluate(busy, B, on=ON, backend=population_backend())
    assert ev.obligation("lab-2024.dagpenge.interviews-akasse-3m").status is regimes.Status.MET  # type: ignore[union-attr]
    assert impact([busy]).total == impact([DAGPENGE]).total


def test_slices_are_means_per_citizen_year() -> None:
    pop = impact([DAGPENGE, JOBPARAT, SICK])
    assert pop.cases == 3
    assert pop.total.interviews_a == pytest.approx((7 + 4 + 0) / 3, abs=1e-4)
    assert pop.total.interviews_b == pytest.approx((5.5 + 3.25 + 0) / 3, abs=1e-4)
    assert [r.slice for r in pop.by_group] == ["dagpenge", "kontanthjaelp_jobparat", "sygedagpenge"]
    assert [r.slice for r in pop.by_municipality] == ["101 København", "851 Aalborg"]
    copenhagen = pop.by_municipality[0]
    assert copenhagen.cases == 2 and copenhagen.interviews_a == 3.5
    assert pop.seconds > 0
    assert pop.assumptions["minutes"]["minutes"]["job_interview"] == 45
    assert "floor" in pop.assumptions["quotas"]
    json.loads(pop.model_dump_json())  # the report is plain JSON


def test_quota_coverage_comes_from_the_regime_with_quotas() -> None:
    pop = impact([DAGPENGE, JOBPARAT, SICK])
    assert {row["regime"] for row in pop.quota_coverage} == {B}
    direct = caseload([DAGPENGE, JOBPARAT, SICK], B, ON, backend=population_backend())
    assert [(r["rule"], r["group"], r["covered"], r["verdict"]) for r in pop.quota_coverage] == [
        (q.rule, q.group, q.covered, q.verdict) for q in direct.quotas
    ]


def test_batches_merge_to_the_same_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = synthetic_population(300, seed=4, on=ON)
    whole = impact(cases)
    monkeypatch.setattr(population_module, "CHUNK", 7)
    with Progress(disable=True) as progress:
        small = impact(cases, progress=progress)
        task = progress.tasks[0]
        assert task.total is not None and task.completed == task.total > 2 * len(cases)
    assert small.model_dump(exclude={"seconds"}) == whole.model_dump(exclude={"seconds"})


def test_back_ends_agree() -> None:
    from engine.backends import get_backend

    try:
        get_backend("vector")
    except ImportError:  # pragma: no cover - until the vector back end is installed
        pytest.skip("vector back end not available")
    cases = synthetic_population(400, seed=9, on=ON)
    by_reference = impact(cases, backend="reference")
    by_vector = impact(cases, backend="vector")
    assert by_vector.model_dump(exclude={"seconds", "assumptions"}) == by_reference.model_dump(
        exclude={"seconds", "assumptions"}
    )


def test_synthetic_assumptions_are_reported() -> None:
    pop = impact(synthetic_population(50, seed=1, on=ON), assumptions=ASSUMPTIONS)
    assert pop.assumptions["population"]["group_shares"]["dagpenge"] == 0.35


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("windows", "fewest"),
    [
        ([], 0),
        ([(0, 14, 1), (0, 90, 3)], 3),
        ([(0, 90, 3), (91, 181, 3)], 6),
        ([(0, 10, 1), (20, 30, 1), (0, 30, 2)], 2),
        ([(0, 10, 2), (5, 30, 3)], 3),
        ([(0, 10**9, 1), (0, 5, 1)], 1),
        ([(5, 5, 2), (0, 4, 1)], 3),
    ],
)
def test_fewest_steps(windows: list[tuple[int, int, int]], fewest: int) -> None:
    assert fewest_steps(windows) == fewest


def test_minutes_override(tmp_path: Path) -> None:
    default = load_minutes()
    assert default.minutes[regimes.Step.JOB_INTERVIEW] == 45
    mine = tmp_path / "mine.yaml"
    mine.write_text("minutes:\n  job_interview: 90\n", encoding="utf-8")
    loaded = load_minutes(mine)
    assert loaded.minutes[regimes.Step.JOB_INTERVIEW] == 90
    assert loaded.minutes[regimes.Step.OFFER] == default.minutes[regimes.Step.OFFER]
    t = impact([JOBPARAT], minutes=mine).total
    assert t.hours_a == (4 * 90 + 120) / 60
    assert impact([JOBPARAT], minutes={"minutes": {"offer": 0}}).total.hours_a == 3.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("minutes:\n  coffee: 5\n", "'minutes.coffee' is not a step"),
        ("minutes:\n  offer: -5\n", "'minutes.offer' must be a number of minutes"),
        ("minutes: [1]\n", "'minutes' must be a mapping"),
        ("hours: {}\n", "'hours' is not a known key"),
        ("caseworker_actors: [robot]\n", "'caseworker_actors' must be a list of actors"),
    ],
)
def test_minutes_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_minutes(bad)
    assert message in str(info.value) and "bad.yaml" in str(info.value)


def test_headline_names_every_group() -> None:
    pop = impact([DAGPENGE, JOBPARAT])
    text = headline(pop, A, B)
    assert text.startswith(
        f"Required interviews per citizen-year, {A} → {B}: all 2 cases 5.50 → 4.38 (−1.12)"
    )
    assert "dagpenge 7.00 → 5.50 (−1.50)" in text and "kontanthjaelp_jobparat 4.00 → 3.25 (−0.75)" in text


# --------------------------------------------------------------------------------------------
# Case files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv", ".parquet"])
def test_case_files_round_trip(tmp_path: Path, suffix: str) -> None:
    cases = synthetic_population(300, seed=2, on=ON)
    path = write_cases_file(cases, tmp_path / f"cases{suffix}")
    assert read_cases_file(path) == cases


def test_csv_errors_name_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,birth_date,municipality,group,registered_on,employed,events\n"
        'ok,1980-01-01,101,dagpenge,2026-01-05,false,"[{""kind"":""job_interview"",""on"":""2026-01-10""}]"\n'
        "bad,1980-13-01,101,dagpenge,2026-01-05,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as info:
        read_cases_file(path)
    error = info.value
    assert error.field == "birth_date" and error.case == "bad"
    assert str(path) in str(error) and "row 2" in str(error)


def test_csv_bad_boolean_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,birth_date,municipality,group,registered_on,employed\nx,1980-01-01,101,dagpenge,2026-01-05,maybe\n"
    )
    with pytest.raises(CaseError) as info:
        read_cases_file(path)
    assert info.value.field == "employed" and "row 1" in str(info.value)
    path.write_text(
        'id,birth_date,municipality,group,registered_on,events\nx,1980-01-01,101,dagpenge,2026-01-05,"[{"\n'
    )
    with pytest.raises(CaseError) as info:
        read_cases_file(path)
    assert info.value.field == "events" and "must be a JSON list" in str(info.value)


def test_parquet_errors_name_row_and_field(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "cases.parquet"
    table = pa.table(
        {
            "id": ["a", "b"],
            "birth_date": [date(1980, 1, 1), date(1980, 1, 1)],
            "municipality": ["101", "0999"],
            "group": ["dagpenge", "dagpenge"],
            "registered_on": [date(2026, 1, 5), date(2026, 1, 5)],
            "events": [[{"kind": "job_interview", "on": date(2026, 1, 9), "actor": "a_kasse"}], []],
        }
    )
    pq.write_table(table, path)
    with pytest.raises(CaseError) as info:
        read_cases_file(path)
    assert info.value.field == "municipality" and "row 2" in str(info.value) and str(path) in str(info.value)
    pq.write_table(table.slice(0, 1), path)
    (only,) = read_cases_file(path)
    assert only.events[0].kind == "job_interview"


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="no such file"):
        read_cases_file(tmp_path / "nothing.csv")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(CaseError, match="no cases found"):
        read_cases_file(empty)


# --------------------------------------------------------------------------------------------
# The HTML report
# --------------------------------------------------------------------------------------------

_LOADS_SOMETHING = re.compile(
    r"<(script|img|link|iframe|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=\s*(?![\"']?data:)",
    re.IGNORECASE,
)


def _diff(population: Population | None) -> RegimeDiff:
    witness = DAGPENGE.model_copy(update={"id": "w-1", "registered_on": date(2026, 7, 6)})
    day = date(2026, 8, 10)
    ev_a = regimes.evaluate(witness, A, on=day, backend=population_backend())
    ev_b = regimes.evaluate(witness, B, on=day, backend=population_backend())
    return RegimeDiff(
        a=A,
        b=B,
        on=ON,
        structural=[
            StructuralChange(
                rule="lab-2024.dagpenge.interviews-akasse-3m",
                change="exempted",
                by="reform-2026.dagpenge.akasse-interviews-quota",
                citation="lov nr. 1750 af 29/12/2025",
                fields=[FieldChange(field="actor", old="jobcenter", new="municipality")],
                note="<script>alert('not run')</script> see https://star.dk",
            )
        ],
        behavioural=Behavioural(
            exact=True,
            classes=[
                BehaviouralClass(
                    description="dagpenge, 0–3 months: three a-kasse interviews under A; a quota under B",
                    witness=Witness(case=witness.model_dump(mode="json"), on=day),
                    a=[*ev_a.obligations, *ev_a.rights],
                    b=[*ev_b.obligations, *ev_b.rights],
                )
            ],
        ),
        population=population,
    )


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<html") == 1 and page.count("</body>") == 1
    assert not _LOADS_SOMETHING.search(page)
    assert not re.search(r"url\(\s*['\"]?https?:", page, re.IGNORECASE)
    assert "@import" not in page


def test_html_report_with_population() -> None:
    pop = impact([DAGPENGE, JOBPARAT, SICK], assumptions=ASSUMPTIONS)
    page = render_html(_diff(pop))
    _self_contained(page)
    assert escape(headline(pop, A, B)) in page
    assert page.count('src="data:image/png;base64,') == 3
    assert "reform-2026.dagpenge.akasse-interviews-quota" in page  # structural table and coverage
    assert "Witness w-1 on 2026-08-10" in page
    assert "ASSUMPTIONS" in page and "job_interview" in page
    assert "&lt;script&gt;" in page and "<script" not in page  # text is escaped, never run


def test_the_checker_catches_external_resources() -> None:
    for bad in (
        '<script src="https://cdn.example/x.js"></script>',
        "<link rel=stylesheet href=http://example/x.css>",
        '<img alt="x" src="http://example/x.png">',
        "<style>body{background:url('https://example/x.png')}</style>",
    ):
        with pytest.raises(AssertionError):
            _self_contained(f"<!DOCTYPE html><html><body>{bad}</body></html>")


def test_html_report_without_population() -> None:
    page = render_html(_diff(None))
    _self_contained(page)
    assert "<img" not in page
    assert "need a population" in page
    assert "lab-2024.dagpenge.interviews-akasse-3m" in page


def test_witness_summary_lists_flags_and_history() -> None:
    text = witness_summary(
        {
            "id": "w-2",
            "group": "sygedagpenge",
            "birth_date": "1970-01-01",
            "sickness_first_day": "2026-02-02",
            "employed": True,
            "visitation_category": 2,
            "events": [{"kind": "sickness_followup_interview"}, {"kind": "sickness_followup_interview"}],
        },
        date(2026, 5, 1),
    )
    assert text == (
        "Witness w-2 on 2026-05-01: sygedagpenge, age 56; sickness_first_day 2026-02-02; employed, "
        "visitation_category 2; 2 sickness_followup_interview"
    )
