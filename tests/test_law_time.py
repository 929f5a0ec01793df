"""The law's time semantics, with cases written from the law texts (issue 8, items 1 and 4–7).

Each test names the provision or correction it reads (``shared/domain/corrections-2026-12.md``)
and states the expected answer as the text gives it, not as a rule in ``rulesets/`` says it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import regimes
from regimes.case import Case
from regimes.vocabulary import ExemptionGround, Status
from strategies import case_start, evaluation_dates, exemption_dict, recent_case_dicts

_settings = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
D = dt.date


def _case(data: dict[str, Any], *extra: dict[str, Any]) -> Case:
    return regimes.parse_case({**data, "events": [*data.get("events", []), *extra]})


def _statuses(ev: regimes.Evaluation) -> dict[str, Status]:
    return {o.rule: o.status for o in ev.obligations}


# ---------------------------------------------------------------------------------------------
# Item 7. LAB § 106 pauses duties while its ground lasts, and only those
# ---------------------------------------------------------------------------------------------

# The issue's scenario: a dagpenge case registered Monday 4 March 2024 (København), nothing done,
# a documented ground (§ 106, stk. 1, nr. 1: a job starts within 6 weeks) from 20 August to
# 15 September 2024.
ISSUE_106 = {
    "id": "c-issue-106",
    "birth_date": "1985-06-01",
    "municipality": "101",
    "group": "dagpenge",
    "registered_on": "2024-03-04",
    "events": [
        {
            "kind": "exemption_ground",
            "ground": "start_within_6_weeks",
            "start": "2024-08-20",
            "end": "2024-09-15",
        }
    ],
}


def test_106_does_not_revive_deadlines_that_passed_before_the_ground() -> None:
    """§ 106 frees the person from the duties *while* the ground lasts (kap. 7 interviews,
    kap. 11–14 offers): a first interview due 18 March and the a-kasse's first-3-months
    interviews due 3 June were already missed in August, and stay missed."""
    case = _case(ISSUE_106)
    for on in (D(2024, 9, 1), D(2024, 9, 20)):
        ev = regimes.evaluate(case, "dk-lab-2024", on)
        first = ev.obligation("lab-2024.dagpenge.first-interview-akasse")
        akasse = ev.obligation("lab-2024.dagpenge.interviews-akasse-3m")
        assert first is not None and akasse is not None
        assert (first.deadline, first.status) == (D(2024, 3, 18), Status.OVERDUE), on
        assert (akasse.deadline, akasse.status) == (D(2024, 6, 3), Status.OVERDUE), on
        assert first.by is None and akasse.by is None  # no suspension is named for them


def test_106_pauses_a_window_open_during_the_ground() -> None:
    """The jobcenter's interviews of months 3–6 (window 4 Jun – 3 Sep 2024) and the first offer
    (by 3 Sep) run during the ground: paused on 1 Sep, and — their deadline fell inside the
    ground — still paused on 20 Sep (the brief's convention, Ex 9b: suspended, never overdue)."""
    case = _case(ISSUE_106)
    for on in (D(2024, 9, 1), D(2024, 9, 20)):
        ev = regimes.evaluate(case, "dk-lab-2024", on)
        for rule in ("lab-2024.dagpenge.interviews-jobcenter-3-6m", "lab-2024.offer.first-offer-6m"):
            ob = ev.obligation(rule)
            assert ob is not None
            assert ob.deadline == D(2024, 9, 3)
            assert ob.status == Status.SUSPENDED, (rule, on)
            assert ob.by == "lab-2024.all.less-intensive-effort"


def test_106_does_not_pause_a_window_that_is_not_open() -> None:
    """The 16-month joint interview's window opens after the first 6 months (4 Sep 2024): on
    1 Sep nothing of it runs, so nothing is paused — it is upcoming; on 20 Sep, after the
    ground, it is due. The § 102, stk. 4 offer after the exemption opens when it ends."""
    case = _case(ISSUE_106)
    early = regimes.evaluate(case, "dk-lab-2024", D(2024, 9, 1))
    late = regimes.evaluate(case, "dk-lab-2024", D(2024, 9, 20))
    joint = "lab-2024.dagpenge.joint-interview-16m"
    assert early.obligation(joint).status == Status.UPCOMING  # type: ignore[union-attr]
    assert late.obligation(joint).status == Status.DUE  # type: ignore[union-attr]
    after = "lab-2024.offer.after-exemption"
    assert early.obligation(after).status == Status.UPCOMING  # type: ignore[union-attr]
    assert late.obligation(after).status == Status.DUE  # type: ignore[union-attr]


@_settings
@given(recent_case_dicts(exemptions=False), st.data())
def test_a_suspension_pauses_only_what_runs_during_it(case_data: dict[str, Any], data: st.DataObject) -> None:
    """Property: adding a § 106 ground never changes a duty whose deadline passed before the
    ground began (it stays what it was: overdue stays overdue), nor a duty whose window opens
    after the ground ended."""
    on = data.draw(evaluation_dates(case_start(case_data)), label="on")
    regime = data.draw(st.sampled_from(["dk-lab-2024", "dk-reform-2026"]), label="regime")
    start = data.draw(st.dates(case_start(case_data) - dt.timedelta(days=30), on), label="ground start")
    days = data.draw(st.integers(0, 120), label="days")
    ground = exemption_dict(start, days, data.draw(st.sampled_from(list(ExemptionGround)), label="ground"))
    end = dt.date.fromisoformat(ground["end"])
    without = regimes.evaluate(_case(case_data), regime, on)
    with_ = regimes.evaluate(_case(case_data, ground), regime, on)
    for ob in without.obligations:
        paused = with_.obligation(ob.rule)
        assert paused is not None
        note(f"{ob.rule}: {ob.opens}..{ob.deadline} {ob.status} -> {paused.status}; ground {start}..{end}")
        if ob.deadline is not None and ob.deadline < start:
            assert paused.status == ob.status
            if ob.status == Status.OVERDUE:
                assert paused.status == Status.OVERDUE
        if ob.opens > end:
            assert paused.status == ob.status


# ---------------------------------------------------------------------------------------------
# Item 6. A deadline that is not asserted never makes a duty overdue (corrections C7)
# ---------------------------------------------------------------------------------------------


def test_a_deadline_not_asserted_never_shows_overdue() -> None:
    """Under the 2026 reform the first interview's deadline was not read (C7: `unverified`): a
    job-ready kontanthjælp case whose first inquiry was 1 July 2026, with no interview, looked
    at a month later, shows the base deadline as not asserted and the duty as still due."""
    case = regimes.parse_case(
        {
            "id": "c-kh",
            "birth_date": "1980-01-01",
            "municipality": "101",
            "group": "kontanthjaelp_jobparat",
            "first_inquiry_on": "2026-07-01",
        }
    )
    ev = regimes.evaluate(case, "dk-reform-2026", D(2026, 8, 1))
    first = ev.obligation("lab-2024.kh-uh.first-interview")
    assert first is not None and first.deadline is not None
    assert first.deadline < D(2026, 8, 1)
    assert first.deadline_asserted is False
    assert first.status == Status.DUE
    # The same duty under the law whose deadline is read (dk-lab-2024, 2026-06) is overdue.
    june = case.model_copy(update={"first_inquiry_on": D(2026, 6, 1)})
    before = regimes.evaluate(june, "dk-lab-2024", D(2026, 6, 20)).obligation(
        "lab-2024.kh-uh.first-interview"
    )
    assert before is not None and before.deadline_asserted and before.status == Status.OVERDUE


@_settings
@given(recent_case_dicts(), st.data())
def test_no_unasserted_deadline_is_ever_overdue(case_data: dict[str, Any], data: st.DataObject) -> None:
    on = data.draw(evaluation_dates(case_start(case_data)), label="on")
    regime = data.draw(st.sampled_from(["dk-lab-2024", "dk-reform-2026"]), label="regime")
    unverified = data.draw(st.booleans(), label="include_unverified")
    ev = regimes.evaluate(_case(case_data), regime, on, include_unverified=unverified)
    for ob in ev.obligations:
        if not ob.deadline_asserted:
            assert ob.status != Status.OVERDUE, ob.rule


# ---------------------------------------------------------------------------------------------
# Item 1. Accumulated unemployment in hours (BEK nr. 2636 af 28/12/2021 § 7; corrections C1)
# ---------------------------------------------------------------------------------------------

from fractions import Fraction  # noqa: E402

from regimes import dates  # noqa: E402
from regimes.dates import PaidHours, hours_reached, hours_threshold  # noqa: E402
from strategies import paid_hours_dicts  # noqa: E402

AKASSE_3M = "lab-2024.dagpenge.interviews-akasse-3m"
JOBCENTER_3_6M = "lab-2024.dagpenge.interviews-jobcenter-3-6m"


def _hours_case(paid: list[dict[str, Any]], **extra: Any) -> Case:
    return regimes.parse_case(
        {
            "id": "c-hours",
            "birth_date": "1985-06-01",
            "municipality": "101",
            "group": "dagpenge",
            "registered_on": "2024-03-04",
            "paid_hours": paid,
            **extra,
        }
    )


def _weeks(start: D, n: int, hours: float = 37, kind: str = "dagpenge") -> list[dict[str, Any]]:
    return [
        {
            "start": (start + dt.timedelta(weeks=i)).isoformat(),
            "end": (start + dt.timedelta(weeks=i, days=6)).isoformat(),
            "hours": hours,
            "kind": kind,
        }
        for i in range(n)
    ]


def test_stk_3_converts_months_and_weeks_to_hours() -> None:
    """Stk. 3: full-time 1 week = 37 h, 1 month = 160.33 h; part-time 30 h and 130 h."""
    assert hours_threshold(months=3) == Fraction("480.99")
    assert hours_threshold("part_time", months=3) == 390
    assert hours_threshold(weeks=6) == 222
    assert hours_threshold("part_time", weeks=6) == 180


def test_three_months_are_reached_when_481_hours_are_paid() -> None:
    """A full-time insured person paid 37 h every week from Monday 4 March 2024 reaches 3 × 160.33 =
    480.99 h on day 91 (13 weeks = 481 h, 2 June); the a-kasse's first 3 months end that day, and
    the jobcenter's months 3–6 start the next (3 Jun)."""
    ev = regimes.evaluate(_hours_case(_weeks(D(2024, 3, 4), 30)), "dk-lab-2024", D(2024, 6, 10))
    assert ev.obligation(AKASSE_3M).deadline == D(2024, 6, 2)  # type: ignore[union-attr]
    assert ev.obligation(JOBCENTER_3_6M).opens == D(2024, 6, 3)  # type: ignore[union-attr]
    assert any(n.startswith("accumulated unemployment counted in paid hours") for n in ev.notes)


def test_fewer_hours_paid_move_the_date_later() -> None:
    """Part-time work: weeks with 18.5 paid hours count half. Eight such weeks from 4 March
    (148 h) then full weeks: 480.99 h are reached after 148 + 9 × 37 = 481 h, on 9 June."""
    paid = _weeks(D(2024, 3, 4), 8, 18.5) + _weeks(D(2024, 4, 29), 20)
    ev = regimes.evaluate(_hours_case(paid), "dk-lab-2024", D(2024, 8, 1))
    assert ev.obligation(AKASSE_3M).deadline == D(2024, 6, 30)  # type: ignore[union-attr]


def test_part_time_insured_count_130_hours_a_month() -> None:
    """Part-time insured: 3 months = 390 h. Paid 30 h a week from 4 March: 13 weeks (390 h),
    reached on 2 June; the same person paid 37 h a week gets there after 390 / (37/7) = 73.8 days,
    on 16 May."""
    thirty = regimes.evaluate(
        _hours_case(_weeks(D(2024, 3, 4), 30, 30), insurance="part_time"), "dk-lab-2024", D(2024, 6, 10)
    )
    assert thirty.obligation(AKASSE_3M).deadline == D(2024, 6, 2)  # type: ignore[union-attr]
    more = regimes.evaluate(
        _hours_case(_weeks(D(2024, 3, 4), 30), insurance="part_time"), "dk-lab-2024", D(2024, 6, 10)
    )
    assert more.obligation(AKASSE_3M).deadline == D(2024, 5, 16)  # type: ignore[union-attr]


def test_stk_1_wage_subsidy_hours_count_too() -> None:
    """Stk. 1: hours in wage-subsidised work (løntilskud, LAB kap. 12) count like dagpenge hours."""
    mixed = _weeks(D(2024, 3, 4), 4) + _weeks(D(2024, 4, 1), 26, kind="wage_subsidy")
    ev = regimes.evaluate(_hours_case(mixed), "dk-lab-2024", D(2024, 6, 10))
    assert ev.obligation(AKASSE_3M).deadline == D(2024, 6, 2)  # type: ignore[union-attr]


def test_stk_2_covid_hours_are_not_counted() -> None:
    """Stk. 2: dagpenge hours 1 Mar – 31 Aug 2020 and 1 Jan – 30 Jun 2021 do not count. Registered
    Monday 3 February 2020, paid 37 h a week throughout: 27 days of February count (142.71 h),
    then nothing until 1 September; 4 months of Sep–Dec 2020 (122 days, 644.86 h), nothing in
    Jan–Jun 2021; 6 months (961.98 h) are reached 33 days into July 2021: 2 August 2021."""
    paid = _weeks(D(2020, 2, 3), 100)
    data = {
        "id": "c-covid",
        "birth_date": "1980-01-01",
        "municipality": "101",
        "group": "dagpenge",
        "registered_on": "2020-02-03",
        "paid_hours": paid,
    }
    reached = hours_reached(
        D(2020, 2, 3),
        hours_threshold(months=6),
        [PaidHours(D(2020, 2, 3), D(2020, 2, 3) + dt.timedelta(weeks=100, days=-1), Fraction(37 * 100))],
    )
    assert reached == D(2021, 8, 2)
    ev = regimes.evaluate(regimes.parse_case(data), "dk-lab-2020", D(2021, 9, 1))
    six = ev.obligation("lab-2020.dagpenge.interviews-jobcenter-6m")
    assert six is not None and six.deadline == D(2021, 8, 2)
    # Wage-subsidy hours in the same periods still count.
    subsidy = [{**p, "kind": "wage_subsidy"} for p in paid]
    ev2 = regimes.evaluate(regimes.parse_case({**data, "paid_hours": subsidy}), "dk-lab-2020", D(2021, 9, 1))
    assert ev2.obligation("lab-2020.dagpenge.interviews-jobcenter-6m").deadline < D(2020, 9, 1)  # type: ignore[union-attr,operator]


def test_stk_4_a_new_dagpenge_period_restarts_the_count() -> None:
    """Stk. 4: a new dagpenge period restarts the count: hours before the period's start do not
    count. Hours paid since 2024-01-01, new period from 4 March: 3 months end 2 June as above."""
    paid = _weeks(D(2024, 1, 1), 40)
    ev = regimes.evaluate(_hours_case(paid, period_start="2024-03-04"), "dk-lab-2024", D(2024, 6, 10))
    assert ev.obligation(AKASSE_3M).deadline == D(2024, 6, 2)  # type: ignore[union-attr]


def test_without_hours_the_calendar_reading_stays_and_says_so() -> None:
    case = regimes.parse_case({**ISSUE_106, "events": []})
    ev = regimes.evaluate(case, "dk-lab-2024", D(2024, 6, 10))
    assert ev.obligation(AKASSE_3M).deadline == D(2024, 6, 3)  # type: ignore[union-attr]  # first(4 Mar, 3 M)
    assert any(n.startswith("accumulated unemployment reckoned in calendar days") for n in ev.notes)
    kh = regimes.parse_case(
        {"id": "k", "birth_date": "1980-01-01", "municipality": "101", "group": "kontanthjaelp_jobparat",
         "first_inquiry_on": "2024-03-04"}
    )  # fmt: skip
    assert not any(
        "accumulated unemployment" in n for n in regimes.evaluate(kh, "dk-lab-2024", D(2024, 6, 10)).notes
    )


def test_hours_recorded_after_the_evaluation_date_are_not_known_yet() -> None:
    """The evaluation reads the case as it stood on its date: a period ending later is ignored,
    and the days after the last record are projected at 37 h a week."""
    short = _hours_case(_weeks(D(2024, 3, 4), 4, 0))
    full = _hours_case(_weeks(D(2024, 3, 4), 4, 0) + _weeks(D(2024, 4, 1), 30, 0))
    on = D(2024, 4, 5)  # the week of 1–7 April is not complete yet
    assert regimes.evaluate(short, "dk-lab-2024", on) == regimes.evaluate(full, "dk-lab-2024", on).model_copy(
        update={"case": "c-hours"}
    )


def _oracle(start: D, threshold: Fraction, periods: list[PaidHours], insurance: str) -> D:
    """Day by day, as the text reads: add each day's counted hours until the threshold is reached."""
    last = max((p.end for p in periods if p.end >= start), default=start - dt.timedelta(days=1))
    total, day = Fraction(0), start
    while True:
        covid = any(iv.start <= day <= iv.end for iv in dates.COVID_EXCLUDED)
        for p in periods:
            if p.start <= day <= p.end and not (covid and p.kind == "dagpenge"):
                total += p.hours / ((p.end - p.start).days + 1)
        if day > last and not covid:
            total += dates.HOURS_PER_WEEK[insurance] / 7
        if total >= threshold:
            return day
        day += dt.timedelta(days=1)


@_settings
@given(st.data())
def test_hours_reached_agrees_with_a_day_by_day_count(data: st.DataObject) -> None:
    start = data.draw(st.dates(D(2019, 10, 1), D(2026, 12, 31)), label="start")
    raw = data.draw(paid_hours_dicts(start), label="paid hours")
    periods = [
        PaidHours(
            D.fromisoformat(p["start"]),
            D.fromisoformat(p["end"]),
            Fraction(str(p["hours"])),
            p.get("kind", "dagpenge"),
        )
        for p in raw
    ]
    insurance = data.draw(st.sampled_from(["full_time", "part_time"]), label="insurance")
    months = data.draw(st.integers(1, 16), label="months")
    threshold = hours_threshold(insurance, months=months)  # type: ignore[arg-type]
    assert hours_reached(start, threshold, periods, insurance) == _oracle(
        start, threshold, periods, insurance
    )  # type: ignore[arg-type]
