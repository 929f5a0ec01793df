"""Hypothesis strategies for the property tests: valid cases and events, as JSON dicts and as models.

Why one module (style.md, after attrs' ``tests/strategies.py``): every property test needs "any
valid case", and strategies copied into each test file drift from the model's rules. These
build only what :class:`regimes.case.Case` accepts, so a failure in a property test is about the
property, not about a malformed input.

Import it as ``from strategies import cases`` (``tests/`` has no ``__init__.py``, so pytest puts
it on ``sys.path``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, get_args

from hypothesis import strategies as st
from pydantic import TypeAdapter

from regimes.case import Case, Event, StepKind
from regimes.municipalities import MUNICIPALITIES
from regimes.vocabulary import Actor, ExemptionGround, InterviewForm, OfferType, TargetGroup

__all__ = [
    "BIRTH_MAX",
    "BIRTH_MIN",
    "CLOCK_MAX",
    "CLOCK_MIN",
    "FLAGS",
    "case_dicts",
    "cases",
    "event_dicts",
    "events",
    "iso_dates",
    "json_values",
]

# Clocks and events fall in the years the rulesets cover (LAB 2020 to the 2026 reform, with margin);
# birth dates are always before them, so the birth-before-clock rule holds by construction.
CLOCK_MIN = dt.date(2019, 1, 1)
CLOCK_MAX = dt.date(2027, 12, 31)
BIRTH_MIN = dt.date(1940, 1, 1)
BIRTH_MAX = dt.date(2005, 12, 31)

FLAGS: tuple[str, ...] = tuple(name for name, field in Case.model_fields.items() if field.annotation is bool)
"""The case's boolean flags, read from the model so a new flag is generated without an edit here."""

_STEP_KINDS: tuple[str, ...] = get_args(StepKind)
_EVENT: TypeAdapter[Event] = TypeAdapter(Event)
_KH_UH = frozenset(
    {
        TargetGroup.KONTANTHJAELP_JOBPARAT,
        TargetGroup.KONTANTHJAELP_AKTIVITETSPARAT,
        TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT,
        TargetGroup.UDDANNELSESHJAELP_AKTIVITETSPARAT,
    }
)


def iso_dates(min_value: dt.date = CLOCK_MIN, max_value: dt.date = CLOCK_MAX) -> st.SearchStrategy[str]:
    """Dates as a case file writes them: ``YYYY-MM-DD``."""
    return st.dates(min_value, max_value).map(dt.date.isoformat)


def json_values() -> st.SearchStrategy[Any]:
    """Any value ``json.loads`` can return: the input a parser must never crash on."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=12)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )


def _optional(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value or ``None`` (meaning: leave the key out)."""
    return st.none() | value


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        data[key] = value


@st.composite
def _interval(draw: st.DrawFn, max_days: int = 120) -> tuple[dt.date, dt.date]:
    start = draw(st.dates(CLOCK_MIN, CLOCK_MAX))
    return start, start + dt.timedelta(days=draw(st.integers(0, max_days)))


@st.composite
def _step_event(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": draw(st.sampled_from(_STEP_KINDS)), "on": draw(iso_dates())}
    _put(data, "actor", draw(_optional(st.sampled_from([a.value for a in Actor]))))
    _put(data, "form", draw(_optional(st.sampled_from([f.value for f in InterviewForm]))))
    _put(data, "note", draw(_optional(st.text(max_size=20))))
    return data


@st.composite
def _offer_event(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(_interval(max_days=200))
    data: dict[str, Any] = {
        "kind": "offer",
        "type": draw(st.sampled_from([t.value for t in OfferType])),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    given_before = draw(_optional(st.integers(0, 60)))
    if given_before is not None:
        data["given_on"] = (start - dt.timedelta(days=given_before)).isoformat()
    _put(data, "actor", draw(_optional(st.sampled_from([a.value for a in Actor]))))
    return data


@st.composite
def _exemption_event(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(_interval(max_days=60))
    data: dict[str, Any] = {
        "kind": "exemption_ground",
        "ground": draw(st.sampled_from([g.value for g in ExemptionGround])),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    _put(data, "jobcenter_keeps_duties", draw(_optional(st.booleans())))
    _put(data, "documented_start_on", draw(_optional(iso_dates())))
    return data


@st.composite
def _request_event(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        data: dict[str, Any] = {"kind": "interview_requested", "on": draw(iso_dates())}
        _put(data, "actor", draw(_optional(st.sampled_from([a.value for a in Actor]))))
        return data
    data = {"kind": "early_followup_requested", "on": draw(iso_dates())}
    _put(data, "by", draw(_optional(st.sampled_from(["employer", "citizen"]))))
    return data


def event_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """One valid event as JSON (any kind), with optional fields sometimes left out."""
    return st.one_of(_step_event(), _offer_event(), _exemption_event(), _request_event())


def events() -> st.SearchStrategy[Event]:
    """One valid event as a model."""
    return event_dicts().map(_EVENT.validate_python)


@st.composite
def paid_hours_dicts(draw: st.DrawFn, start: dt.date, *, max_periods: int = 8) -> list[dict[str, Any]]:
    """Paid hours (BEK 2636/2021 § 7) from ``start``: consecutive weeks or benefit months, some
    with fewer hours (part-time work), some gaps, some wage-subsidy periods, as a case file has them."""
    periods: list[dict[str, Any]] = []
    day = start + dt.timedelta(days=draw(st.integers(-10, 20), label="hours from"))
    for _ in range(draw(st.integers(1, max_periods), label="hour periods")):
        monthly = draw(st.booleans(), label="monthly")
        days = draw(st.integers(28, 31)) if monthly else 7
        full = 160.33 if monthly else 37.0
        hours = draw(st.sampled_from([full, full, full / 2, 0.0, round(full * 0.8, 2)]), label="hours")
        period: dict[str, Any] = {
            "start": day.isoformat(),
            "end": (day + dt.timedelta(days=days - 1)).isoformat(),
            "hours": hours,
        }
        if draw(st.integers(0, 4)) == 0:
            period["kind"] = "wage_subsidy"
        periods.append(period)
        day += dt.timedelta(days=days + draw(st.sampled_from([0, 0, 0, 7, 30]), label="gap"))
    return periods


def _put_hours(draw: st.DrawFn, data: dict[str, Any], start: dt.date) -> None:
    """Half of the dagpenge cases carry paid hours (and sometimes part-time insurance)."""
    if draw(st.booleans(), label="with hours"):
        data["paid_hours"] = draw(paid_hours_dicts(start))
        _put(data, "insurance", draw(_optional(st.sampled_from(["full_time", "part_time"]))))


@st.composite
def case_dicts(
    draw: st.DrawFn,
    groups: Sequence[TargetGroup] | None = None,
    *,
    max_events: int = 6,
    max_interruptions: int = 2,
) -> dict[str, Any]:
    """A valid case as JSON, of one of ``groups`` (default: any), with the clocks its group needs.

    Optional keys are sometimes present with their default value and sometimes absent, so a
    test sees both spellings of the same case.
    """
    group = draw(st.sampled_from(list(groups) if groups else list(TargetGroup)))
    data: dict[str, Any] = {
        "id": f"c-{draw(st.integers(0, 99_999)):05d}",
        "birth_date": draw(iso_dates(BIRTH_MIN, BIRTH_MAX)),
        "municipality": draw(st.sampled_from(sorted(MUNICIPALITIES))),
        "group": group.value,
    }
    for clock in ("registered_on", "first_inquiry_on", "period_start", "sickness_first_day", "visitation_on"):
        _put(data, clock, draw(_optional(iso_dates())))
    required = (
        "registered_on"
        if group is TargetGroup.DAGPENGE
        else "first_inquiry_on"
        if group in _KH_UH
        else "sickness_first_day"
        if group is TargetGroup.SYGEDAGPENGE
        else "period_start"
    )
    if required not in data and (group is TargetGroup.SYGEDAGPENGE or "period_start" not in data):
        data[required] = draw(iso_dates())
    for flag in FLAGS:
        _put(data, flag, draw(_optional(st.booleans())))
    if group is TargetGroup.SYGEDAGPENGE:
        _put(data, "visitation_category", draw(_optional(st.sampled_from([1, 2, 3]))))
    if max_interruptions and draw(st.booleans()):
        spans = draw(st.lists(_interval(max_days=90), max_size=max_interruptions))
        data["interruptions"] = [{"start": s.isoformat(), "end": e.isoformat()} for s, e in spans]
    if group is TargetGroup.DAGPENGE:
        clock = data.get("period_start") or data.get("registered_on")
        _put_hours(draw, data, dt.date.fromisoformat(clock))
    if max_events and draw(st.booleans()):
        data["events"] = draw(st.lists(event_dicts(), max_size=max_events))
    return data


def cases(groups: Sequence[TargetGroup] | None = None, *, max_events: int = 6) -> st.SearchStrategy[Case]:
    """A valid :class:`Case` (built from :func:`case_dicts`, so through the JSON path)."""
    return case_dicts(groups, max_events=max_events).map(Case.model_validate)


# --------------------------------------------------------------------------------------------
# Recent cases (appended for tests/test_evaluation_properties.py)
# --------------------------------------------------------------------------------------------
# The properties need cases whose history falls *around* their period, so that windows open,
# fill and close; events spread over 2019–2027 (as above) rarely touch a case's windows.

PROPERTY_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup.DAGPENGE,
    TargetGroup.KONTANTHJAELP_JOBPARAT,
    TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT,
    TargetGroup.SYGEDAGPENGE,
)
"""The groups the evaluation properties generate (one per clock: registration, inquiry, sickness)."""

RECENT_MIN = dt.date(2024, 1, 1)
RECENT_MAX = dt.date(2026, 12, 31)

_GROUP_CLOCK: dict[TargetGroup, str] = {
    TargetGroup.DAGPENGE: "registered_on",
    TargetGroup.SYGEDAGPENGE: "sickness_first_day",
    **{g: "first_inquiry_on" for g in _KH_UH},
}

# Steps the bundled rules count, so generated history meets the rules (other kinds stay possible).
_RULE_STEPS: tuple[str, ...] = (
    "job_interview",
    "joint_interview",
    "sickness_followup_interview",
    "education_order",
    "intensified_effort",
    "cv_registration",
)


def case_start(data: dict[str, Any]) -> dt.date:
    """The date a generated case's period starts (``period_start`` or its group's clock)."""
    value = data.get("period_start") or data[_GROUP_CLOCK[TargetGroup(data["group"])]]
    return dt.date.fromisoformat(value)


@st.composite
def near_event_dicts(
    draw: st.DrawFn, start: dt.date, *, before: int = 30, after: int = 540
) -> dict[str, Any]:
    """One valid event dated from ``before`` days before ``start`` to ``after`` days after it."""

    def day() -> dt.date:
        return start + dt.timedelta(days=draw(st.integers(-before, after)))

    kind = draw(st.sampled_from(["step", "step", "step", "offer", "exemption", "request"]))
    if kind == "step":
        data: dict[str, Any] = {
            "kind": draw(st.sampled_from(_RULE_STEPS) | st.sampled_from(_STEP_KINDS)),
            "on": day().isoformat(),
        }
        _put(data, "actor", draw(_optional(st.sampled_from([a.value for a in Actor]))))
        return data
    if kind == "offer":
        first = day()
        data = {
            "kind": "offer",
            "type": draw(st.sampled_from([t.value for t in OfferType])),
            "start": first.isoformat(),
            "end": (first + dt.timedelta(days=draw(st.integers(0, 120)))).isoformat(),
        }
        given_before = draw(_optional(st.integers(0, 40)))
        if given_before is not None:
            data["given_on"] = (first - dt.timedelta(days=given_before)).isoformat()
        _put(data, "actor", draw(_optional(st.sampled_from([a.value for a in Actor]))))
        return data
    if kind == "exemption":
        return exemption_dict(
            day(),
            draw(st.integers(0, 60)),
            draw(st.sampled_from(list(ExemptionGround))),
            keeps_duties=draw(_optional(st.booleans())),
        )
    if draw(st.booleans()):
        return {"kind": "early_followup_requested", "on": day().isoformat()}
    return {"kind": "interview_requested", "on": day().isoformat()}


def exemption_dict(
    start: dt.date, days: int, ground: ExemptionGround, *, keeps_duties: bool | None = None
) -> dict[str, Any]:
    """An ``exemption_ground`` event (LAB § 106) from ``start``, lasting ``days`` + 1 days."""
    data: dict[str, Any] = {
        "kind": "exemption_ground",
        "ground": ground.value,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days)).isoformat(),
    }
    _put(data, "jobcenter_keeps_duties", keeps_duties)
    return data


@st.composite
def recent_case_dicts(
    draw: st.DrawFn,
    groups: Sequence[TargetGroup] = PROPERTY_GROUPS,
    *,
    start_min: dt.date = RECENT_MIN,
    start_max: dt.date = RECENT_MAX,
    max_events: int = 8,
    exemptions: bool = True,
) -> dict[str, Any]:
    """A valid case of one of ``groups`` whose period starts in ``start_min``…``start_max``,
    with interruptions (dagpenge) and events around its first 18 months.

    ``exemptions=False`` leaves out ``exemption_ground`` events (for properties that add one).
    """
    group = draw(st.sampled_from(list(groups)))
    start = draw(st.dates(start_min, start_max))
    data: dict[str, Any] = {
        "id": f"c-{draw(st.integers(0, 99_999)):05d}",
        "birth_date": draw(iso_dates(dt.date(1960, 1, 1), BIRTH_MAX)),
        "municipality": draw(st.sampled_from(sorted(MUNICIPALITIES))),
        "group": group.value,
        _GROUP_CLOCK[group]: start.isoformat(),
    }
    if group is not TargetGroup.SYGEDAGPENGE and draw(st.booleans()):
        data["period_start"] = start.isoformat()
    for flag in FLAGS:
        _put(data, flag, draw(_optional(st.booleans())))
    if group is TargetGroup.SYGEDAGPENGE:
        _put(data, "visitation_category", draw(_optional(st.sampled_from([1, 2, 3]))))
    if group is TargetGroup.DAGPENGE and draw(st.booleans()):
        spans = []
        for _ in range(draw(st.integers(1, 2))):
            first = start + dt.timedelta(days=draw(st.integers(-20, 300)))
            last = first + dt.timedelta(days=draw(st.integers(0, 60)))
            spans.append({"start": first.isoformat(), "end": last.isoformat()})
        data["interruptions"] = spans
    if group is TargetGroup.DAGPENGE:
        _put_hours(draw, data, start)
    events = draw(st.lists(near_event_dicts(start), max_size=max_events))
    if not exemptions:
        events = [e for e in events if e["kind"] != "exemption_ground"]
    if events:
        data["events"] = events
    return data


def evaluation_dates(start: dt.date, *, before: int = 30, after: int = 600) -> st.SearchStrategy[dt.date]:
    """An evaluation date around a case's period: mostly inside its first 18 months."""
    return st.dates(start - dt.timedelta(days=before), start + dt.timedelta(days=after))


# Values either side of the thresholds the bundled rulesets compare with (age 25 and 30, the
# 2024-01-01 transition), plus plain ones: where a behavioural diff's classes meet.
_THRESHOLD_AGES: tuple[int, ...] = (15, 16, 24, 25, 26, 29, 30, 31, 40, 59)
_TRANSITION = dt.date(2024, 1, 1)


@st.composite
def threshold_case_dicts(draw: st.DrawFn, on: dt.date) -> dict[str, Any]:
    """A valid case as JSON whose facts sit near the rulesets' thresholds as seen on ``on``.

    Why not :func:`case_dicts`: a case drawn uniformly from 2019–2027 rarely has its period start
    on either side of 2024-01-01 *and* an open window on ``on``; these cases start within 20
    months before ``on`` or right at the transition, are aged at the age limits on ``on``, carry
    any flags (also those the group ignores), and have a short history around their start
    (steps, requests, exemption grounds, interruptions) so that evaluations really differ.
    """
    group = draw(st.sampled_from(list(TargetGroup)))
    start = draw(
        st.one_of(
            st.integers(0, 600).map(lambda k: on - dt.timedelta(days=k)),
            st.sampled_from(
                [_TRANSITION - dt.timedelta(days=1), _TRANSITION, _TRANSITION + dt.timedelta(days=1)]
            ).filter(lambda d: d <= on),
        )
    )
    age = draw(st.sampled_from(_THRESHOLD_AGES))
    birth = on - dt.timedelta(days=365 * age + draw(st.integers(10, 350)))
    birth = min(birth, start - dt.timedelta(days=1))
    data: dict[str, Any] = {
        "id": f"t-{draw(st.integers(0, 9_999)):04d}",
        "birth_date": birth.isoformat(),
        "municipality": draw(st.sampled_from(["101", "219", "461", "851"])),
        "group": group.value,
    }
    clock = (
        "registered_on"
        if group is TargetGroup.DAGPENGE
        else "first_inquiry_on"
        if group in _KH_UH
        else "sickness_first_day"
        if group is TargetGroup.SYGEDAGPENGE
        else "period_start"
    )
    data[clock] = start.isoformat()
    if clock != "period_start" and draw(st.booleans()):
        data["period_start"] = start.isoformat()
    for flag in FLAGS:
        if draw(st.booleans()):
            data[flag] = True
    if group is TargetGroup.SYGEDAGPENGE:
        _put(data, "visitation_category", draw(_optional(st.sampled_from([1, 2, 3]))))
        if draw(st.booleans()):
            data["visitation_on"] = (start + dt.timedelta(days=draw(st.integers(0, 30)))).isoformat()
    near = st.integers(-20, 200).map(lambda k: min(on, start + dt.timedelta(days=k)))
    events: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["job_interview", "joint_interview", "request", "ground", "offer"]))
        day = draw(near)
        if kind == "request":
            events.append(
                {
                    "kind": draw(st.sampled_from(["interview_requested", "early_followup_requested"])),
                    "on": day.isoformat(),
                }
            )
        elif kind == "ground":
            events.append(
                {
                    "kind": "exemption_ground",
                    "ground": draw(st.sampled_from([g.value for g in ExemptionGround])),
                    "start": day.isoformat(),
                    "end": (day + dt.timedelta(days=draw(st.integers(0, 90)))).isoformat(),
                }
            )
        elif kind == "offer":
            events.append(
                {
                    "kind": "offer",
                    "type": draw(st.sampled_from([t.value for t in OfferType])),
                    "start": day.isoformat(),
                    "end": (day + dt.timedelta(days=draw(st.integers(0, 60)))).isoformat(),
                }
            )
        else:
            events.append(
                {
                    "kind": kind,
                    "on": day.isoformat(),
                    "actor": draw(st.sampled_from([a.value for a in Actor])),
                }
            )
    if events:
        data["events"] = events
    if group is TargetGroup.DAGPENGE and draw(st.booleans()):
        first = start + dt.timedelta(days=draw(st.integers(0, 120)))
        data["interruptions"] = [
            {
                "start": first.isoformat(),
                "end": (first + dt.timedelta(days=draw(st.integers(0, 40)))).isoformat(),
            }
        ]
    return data
