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
