"""Cases written from the law texts of ``shared/domain/corrections-2026-12.md`` (issue 8, items 2–3).

Each test states the provision, the case and the date the text gives, and checks what the product
says against that, not against the YAML rule: the arithmetic is done here from the wording
("no later than 2 weeks after registration", "when 2 years are reached", "at the end of the month
once more than 22 weeks have been paid"), so a rule that drifted from the text fails here even if
its own YAML tests were changed with it.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import regimes
from regimes.caseload import caseload
from regimes.check import check_paths
from regimes.vocabulary import Status


def _case(**fields: Any) -> regimes.Case:
    data: dict[str, Any] = {"id": "c-law", "birth_date": "1980-01-15", "municipality": "101"}
    data.update(fields)
    return regimes.parse_case(data)


def _ev(case: regimes.Case, regime: str, on: date, **kw: Any) -> regimes.Evaluation:
    return regimes.evaluate(case, regime, on, **kw)


def _by_step(ev: regimes.Evaluation, step: str) -> list[regimes.Obligation]:
    return [o for o in ev.obligations if o.step == step]


# --- C2: LAB § 23, stk. 1, nr. 1–4: the CV on Jobnet, for every group, from 2020 -------------------


@pytest.mark.parametrize(
    ("fields", "regime", "on", "deadline", "nr"),
    [
        # nr. 1: dagpenge, 2 weeks after registration (Mon 4 Mar 2024 → Mon 18 Mar 2024)
        (
            {"group": "dagpenge", "registered_on": "2024-03-04"},
            "dk-lab-2024",
            date(2024, 3, 6),
            date(2024, 3, 18),
            1,
        ),
        # … and already in 2020–23
        (
            {"group": "dagpenge", "registered_on": "2021-06-07"},
            "dk-lab-2020",
            date(2021, 6, 8),
            date(2021, 6, 21),
            1,
        ),
        # nr. 2: job-ready kontanthjælp, 3 weeks after registration as a jobseeker
        (
            {
                "group": "kontanthjaelp_jobparat",
                "first_inquiry_on": "2024-04-08",
                "registered_on": "2024-04-10",
            },
            "dk-lab-2024",
            date(2024, 4, 12),
            date(2024, 5, 1),
            2,
        ),
        # nr. 3: obviously education-ready, 3 weeks from the first inquiry to the municipality
        (
            {
                "birth_date": "2003-02-01",
                "group": "uddannelseshjaelp_uddannelsesparat",
                "first_inquiry_on": "2024-09-02",
                "obviously_education_ready": True,
            },
            "dk-lab-2024",
            date(2024, 9, 3),
            date(2024, 9, 23),
            3,
        ),
        # nr. 4: ledighedsydelse, 3 weeks after the move to it
        (
            {"group": "ledighedsydelse", "period_start": "2024-05-06"},
            "dk-lab-2024",
            date(2024, 5, 7),
            date(2024, 5, 27),
            4,
        ),
    ],
)
def test_cv_deadline_per_group(
    fields: dict[str, Any], regime: str, on: date, deadline: date, nr: int
) -> None:
    (cv,) = _by_step(_ev(_case(**fields), regime, on), "cv_registration")
    assert cv.deadline == deadline
    assert cv.actor == "citizen"
    assert f"LAB § 23, stk. 1, nr. {nr}" in cv.citation
    assert "arbejdsløshedsforsikring" not in cv.citation
    assert cv.confidence == "seen"


def test_cv_only_for_the_groups_the_text_names() -> None:
    # § 23, stk. 1 gives no time for activity-ready people, nor for an education-ready person who is
    # not assessed as obviously education-ready.
    activity = _case(
        group="kontanthjaelp_aktivitetsparat", first_inquiry_on="2024-02-01", registered_on="2024-02-01"
    )
    education = _case(
        birth_date="2003-02-01", group="uddannelseshjaelp_uddannelsesparat", first_inquiry_on="2024-09-02"
    )
    assert not _by_step(_ev(activity, "dk-lab-2024", date(2024, 2, 5)), "cv_registration")
    assert not _by_step(_ev(education, "dk-lab-2024", date(2024, 9, 5)), "cv_registration")


def test_a_106_ground_does_not_pause_the_cv_deadline() -> None:
    # § 106 frees from kap. 7 interviews and kap. 11–14 offers, not from the kap. 6 CV: a ground
    # from 10 March to 10 April leaves the 18 March deadline binding, and it is missed on 20 March.
    case = _case(
        group="dagpenge",
        registered_on="2024-03-04",
        events=[
            {
                "kind": "exemption_ground",
                "ground": "temporary_layoff",
                "start": "2024-03-10",
                "end": "2024-04-10",
            }
        ],
    )
    ev = _ev(case, "dk-lab-2024", date(2024, 3, 20))
    (cv,) = _by_step(ev, "cv_registration")
    assert cv.status == Status.OVERDUE
    # …while the a-kasse's first interview (kap. 7), whose deadline falls inside the ground, is paused.
    first = ev.obligation("lab-2024.dagpenge.first-interview-akasse")
    assert first is not None and first.status == Status.SUSPENDED


def test_no_cv_rule_says_the_akasse_approves_it() -> None:
    regime = regimes.load_regime("dk-reform-2026")
    cv_rules = [r for r in regime.rules if r.rule.topic.value == "cv"]
    assert len({r.id for r in cv_rules}) == 4
    assert all("approved" not in r.rule.title.lower() for r in cv_rules)
    assert all(r.rule.valid_from == date(2020, 1, 1) for r in cv_rules)


# --- C3: under-25s without education are in the jobcenter's course from day one ------------------

DAY_ONE = "lab-2024.dagpenge.interviews-jobcenter-day-one"
AKASSE_FIRST = "lab-2024.dagpenge.first-interview-akasse"


def _young(**fields: Any) -> regimes.Case:
    # 22 years old on registration (Mon 4 Mar 2024), no vocational education, no child at home.
    return _case(**{"birth_date": "2001-05-01", "group": "dagpenge", "registered_on": "2024-03-04", **fields})


def test_an_under_25_without_education_or_child_has_six_jobcenter_interviews() -> None:
    ev = _ev(_young(), "dk-lab-2024", date(2024, 3, 10))
    day_one = ev.obligation(DAY_ONE)
    assert day_one is not None and (day_one.count, day_one.actor) == (6, "jobcenter")
    # the first 6 months of the period that started on 4 March 2024 end on 3 September 2024
    assert day_one.deadline == date(2024, 9, 3)
    assert ev.obligation(AKASSE_FIRST) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"has_vocational_education": True},
        {"has_child_in_custody_at_home": True},
        {"birth_date": "1999-03-04"},  # 25 on the day of registration
    ],
)
def test_education_custody_or_age_25_keep_the_akasse_course(fields: dict[str, Any]) -> None:
    ev = _ev(_young(**fields), "dk-lab-2024", date(2024, 3, 10))
    assert ev.obligation(DAY_ONE) is None
    assert ev.obligation(AKASSE_FIRST) is not None


def test_age_is_taken_on_registration_not_on_the_evaluation_date() -> None:
    # 24 on registration (born 20 March 1999), 25 by June: the placement made on day one stands.
    ev = _ev(_young(birth_date="1999-03-20"), "dk-lab-2024", date(2024, 6, 1))
    assert ev.obligation(DAY_ONE) is not None


def test_the_case_flag_overrides_the_derivation_both_ways() -> None:
    assert (
        _ev(_young(jobcenter_course_from_day_one=False), "dk-lab-2024", date(2024, 3, 10)).obligation(DAY_ONE)
        is None
    )
    older = _young(birth_date="1984-01-01", jobcenter_course_from_day_one=True)
    assert _ev(older, "dk-lab-2024", date(2024, 3, 10)).obligation(DAY_ONE) is not None


# --- C4: LAB § 36 a, a clarification *when* 2 years of continuous kontanthjælp are reached -------

CLARIFY = "lab-2024.kh-aktivitetsparat.clarification-2y"


def _long_term(**fields: Any) -> regimes.Case:
    # 40 years old, activity-ready kontanthjælp since Mon 1 March 2021: 2 years are reached on
    # 1 March 2023 and again on 1 March 2025.
    return _case(group="kontanthjaelp_aktivitetsparat", first_inquiry_on="2021-03-01", **fields)


def test_the_clarification_opens_at_the_two_year_mark() -> None:
    before = _ev(_long_term(), "dk-lab-2020", date(2023, 2, 28)).obligation(
        "lab-2020.kh-aktivitetsparat.clarification-2y"
    )
    assert before is not None and before.status == Status.UPCOMING and before.opens == date(2023, 3, 1)
    at = _ev(_long_term(), "dk-lab-2020", date(2023, 3, 1)).obligation(
        "lab-2020.kh-aktivitetsparat.clarification-2y"
    )
    assert at is not None and at.status == Status.DUE and at.opens == date(2023, 3, 1)
    # the text sets no time after the mark: no deadline is asserted, so it is never overdue
    assert at.deadline is None


def test_a_missed_clarification_stays_visible_past_the_next_mark() -> None:
    ev = _ev(_long_term(), "dk-lab-2024", date(2025, 6, 1))
    missed = ev.obligation(CLARIFY)
    assert missed is not None
    assert missed.opens == date(2023, 3, 1)  # the 2023 mark, not silently the 2025 one
    assert (missed.done, missed.status) == (0, Status.DUE)


def test_after_a_clarification_the_next_mark_is_due() -> None:
    case = _long_term(events=[{"kind": "clarification", "on": "2023-05-10", "actor": "municipality"}])
    met = _ev(case, "dk-lab-2024", date(2024, 6, 1)).obligation(CLARIFY)
    assert met is not None and (met.status, met.opens) == (Status.MET, date(2023, 3, 1))
    nxt = _ev(case, "dk-lab-2024", date(2025, 3, 2)).obligation(CLARIFY)
    assert nxt is not None and (nxt.status, nxt.opens, nxt.done) == (Status.DUE, date(2025, 3, 1), 0)


# --- C5: SDL § 24, reassessment at the end of the month once more than 22 weeks are paid ----------


def _sick(employed: bool) -> regimes.Case:
    return _case(
        group="sygedagpenge", sickness_first_day="2025-01-06", employed=employed, visitation_category=2
    )


def test_reassessment_for_the_unemployed_counts_from_the_first_day() -> None:
    # Paid from Mon 6 Jan 2025: more than 22 weeks (154 days) are paid on 9 June 2025 (day 155),
    # so the reassessment falls at the end of June.
    first = date(2025, 1, 6)
    assert first + timedelta(days=154) == date(2025, 6, 9)
    (re,) = _by_step(_ev(_sick(False), "dk-lab-2024", date(2025, 6, 10)), "sickness_reassessment")
    assert (re.opens, re.deadline) == (date(2025, 6, 9), date(2025, 6, 30))
    assert "SDL § 24" in re.citation


def test_reassessment_for_employees_leaves_out_the_30_day_employer_period() -> None:
    # The employer pays the first 30 calendar days (6 Jan – 4 Feb 2025); counted from 5 February,
    # day 155 is 9 July 2025: the end of July.
    assert date(2025, 2, 5) + timedelta(days=154) == date(2025, 7, 9)
    (re,) = _by_step(_ev(_sick(True), "dk-lab-2024", date(2025, 7, 1)), "sickness_reassessment")
    assert (re.opens, re.deadline, re.status) == (date(2025, 7, 9), date(2025, 7, 31), Status.UPCOMING)


def test_the_2025_sickness_changes_name_lov_nr_1657_2024() -> None:
    regime = regimes.load_regime("dk-lab-2024")
    versions = [r.rule for r in regime.rules if r.id == "sdl.cat23.followups-6m"]
    late = next(v for v in versions if v.valid_from == date(2025, 1, 1))
    assert "lov nr. 1657 af 30/12/2024" in (late.note or "") + late.citation


# --- C6: the reform's sickness follow-up (lov nr. 1750/2025, from 2026-07-01, step inferred) -------


def _sick_2026(**fields: Any) -> regimes.Case:
    return _case(group="sygedagpenge", sickness_first_day="2026-08-03", visitation_category=2, **fields)


def test_employed_expecting_under_26_weeks_are_no_longer_called() -> None:
    case = _sick_2026(employed=True, expected_absence_under_26_weeks=True)
    ev = _ev(case, "dk-reform-2026", date(2026, 9, 1))
    followups = _by_step(ev, "sickness_followup_interview")
    assert followups and all(o.status == Status.EXEMPTED for o in followups)


def test_the_others_get_at_least_one_interview_in_the_first_half_year() -> None:
    ev = _ev(_sick_2026(employed=True), "dk-reform-2026", date(2026, 9, 1))
    binding = [o for o in _by_step(ev, "sickness_followup_interview") if o.status != Status.EXEMPTED]
    assert [(o.count, o.deadline) for o in binding] == [(1, date(2027, 2, 2))]  # first(2026-08-03, 6 months)
    # the four follow-ups do not bind under the reform
    four = ev.obligation("sdl.cat23.followups-6m")
    assert four is not None and four.status == Status.EXEMPTED


def test_before_the_reform_the_four_followups_bind() -> None:
    case = _case(group="sygedagpenge", sickness_first_day="2026-03-02", visitation_category=2)
    four = _ev(case, "dk-lab-2024", date(2026, 4, 1)).obligation("sdl.cat23.followups-6m")
    assert four is not None and (four.count, four.status) == (4, Status.DUE)


# --- C7: the reform's first interview covers ledighedsydelse; the offer floor is pooled ------------


def test_the_first_interview_is_held_with_ledighedsydelse_recipients_too() -> None:
    case = _case(group="ledighedsydelse", period_start="2026-08-03")
    first = _ev(case, "dk-reform-2026", date(2026, 8, 10)).obligation("reform-2026.jobparate.first-interview")
    assert first is not None
    assert (first.kind, first.actor) == ("obligation", "municipality")  # not a waivable quota
    assert not first.deadline_asserted  # its deadline stays unverified


def test_no_reform_first_interview_rule_for_dagpenge_without_its_own_source() -> None:
    regime = regimes.load_regime("dk-reform-2026")
    assert "reform-2026.jobparate.first-interview-dagpenge" not in {r.id for r in regime.rules}


def test_the_offer_floor_is_one_floor_across_the_groups() -> None:
    on = date(2026, 12, 1)
    cases = [
        _case(id="p-dp", group="dagpenge", registered_on="2026-07-06"),
        _case(id="p-kh", group="kontanthjaelp_jobparat", first_inquiry_on="2026-07-06"),
        _case(
            id="p-uh",
            birth_date="2003-01-01",
            group="uddannelseshjaelp_uddannelsesparat",
            first_inquiry_on="2026-07-06",
        ),
    ]
    rows = [q for q in caseload(cases, "dk-reform-2026", on).quotas if q.rule == "reform-2026.offer.quota-6m"]
    assert len(rows) == 1 and rows[0].covered == 3 and rows[0].required == 3  # ceil(0.75 × 3)


# --- C9: lov nr. 295/2023 from 2023-03-22; § 105 youth offers until 2026-06-30 ---------------------


def test_offers_are_modelled_in_dk_lab_2020_from_22_march_2023() -> None:
    case = _case(group="dagpenge", registered_on="2023-04-03")
    ev = _ev(case, "dk-lab-2020", date(2023, 5, 1))
    (offer,) = _by_step(ev, "offer")
    assert offer.deadline == date(2023, 10, 2)  # the first 6 months of a period from 3 April 2023
    assert "LAB § 102" in offer.citation
    assert not any(n.startswith("offer: not modelled") for n in ev.notes)


def test_before_22_march_2023_offers_are_said_to_be_not_modelled() -> None:
    ev = _ev(_case(group="dagpenge", registered_on="2023-01-09"), "dk-lab-2020", date(2023, 3, 21))
    assert not _by_step(ev, "offer")
    assert any(n.startswith("offer: not modelled") for n in ev.notes)


def test_youth_offers_within_a_month_and_at_most_four_months_apart() -> None:
    young = {
        "birth_date": "2003-01-01",
        "group": "uddannelseshjaelp_uddannelsesparat",
        "first_inquiry_on": "2025-02-03",
    }
    first = _ev(_case(**young), "dk-lab-2024", date(2025, 2, 10)).obligation(
        "lab-2024.uddannelseshjaelp.first-offer-1m"
    )
    assert first is not None and first.deadline == date(2025, 3, 2)  # the first month from 3 Feb
    assert first.confidence == "secondary"
    offer = {"kind": "offer", "type": "virksomhedspraktik", "start": "2025-02-20", "end": "2025-03-31"}
    nxt = _ev(_case(**young, events=[offer]), "dk-lab-2024", date(2025, 5, 1)).obligation(
        "lab-2024.uddannelseshjaelp.continuous-offers"
    )
    assert nxt is not None and nxt.deadline == date(2025, 7, 31)  # 4 months after 31 March


def test_youth_offers_end_on_30_june_2026() -> None:
    young = _case(
        birth_date="2003-01-01", group="uddannelseshjaelp_uddannelsesparat", first_inquiry_on="2026-07-06"
    )
    ev = _ev(young, "dk-reform-2026", date(2026, 7, 10))
    assert ev.obligation("lab-2024.uddannelseshjaelp.first-offer-1m") is None


# --- regimes check: citations not located ------------------------------------------------------


def test_check_lists_citations_not_located() -> None:
    report = check_paths()
    flagged = {u.rule for u in report.unlocated}
    assert {"lab-2020.dagpenge.availability-interviews", "sdl.dagpenge.akasse-sick-interview"} <= flagged
    assert "lab-2020.dagpenge.cv-registration" not in flagged


def test_check_finds_a_citation_that_says_not_located_but_claims_verified(tmp_path: Path) -> None:
    path = tmp_path / "dk-test-unlocated.yaml"
    path.write_text(
        "regime:\n  id: dk-test-unlocated\n  title: t\n  legal_basis: t\n  status: proposed\n"
        "  extends: dk-lab-2024\nrules:\n  - id: test.x.unlocated\n    title: t\n"
        "    citation: SDL (provision not located)\n    valid_from: 2024-01-01\n    confidence: secondary\n"
        "    topic: sickness\n    groups: [sygedagpenge]\n    obligation:\n      step: sickness_visitation\n"
        "      actor: municipality\n      window: {anchor: sickness_first_day}\n",
        encoding="utf-8",
    )
    report = check_paths([path])
    assert any("test.x.unlocated" in f and "citation_verified" in f for f in report.findings)
    assert any(u.rule == "test.x.unlocated" for u in report.unlocated)
