"""The case model: the contract's example, errors that name the field, defaults, history, properties."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from regimes.case import (
    Case,
    EventKind,
    ExemptionGroundEvent,
    InterviewRequestedEvent,
    OfferEvent,
    StepEvent,
    StepKind,
    parse_case,
    parse_cases,
)
from regimes.errors import CaseError, ResolutionError
from regimes.municipalities import MUNICIPALITIES, is_municipality, municipality_name
from regimes.vocabulary import Actor, OfferType, Step, TargetGroup
from strategies import case_dicts, cases, event_dicts, events, json_values

# The contract's "JSON of a case", verbatim.
CONTRACT_CASE: dict[str, Any] = json.loads(
    """
{
  "id": "c-0001",
  "birth_date": "1985-06-15",
  "municipality": "461",
  "group": "dagpenge",
  "registered_on": "2024-03-04",
  "period_start": "2024-03-04",
  "jobcenter_course_from_day_one": false,
  "interruptions": [{"start": "2024-04-01", "end": "2024-04-30"}],
  "events": [
    {"kind": "job_interview", "on": "2024-03-15", "actor": "a_kasse", "form": "in_person"},
    {"kind": "offer", "type": "virksomhedspraktik", "start": "2024-08-26", "end": "2024-10-18"},
    {"kind": "exemption_ground", "ground": "start_within_6_weeks", "start": "2024-08-20", "end": "2024-09-15"}
  ]
}
"""
)


def _case(**changes: Any) -> dict[str, Any]:
    """A deep copy of the contract's case with top-level ``changes`` (``None`` deletes a key)."""
    data = copy.deepcopy(CONTRACT_CASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _error(data: object) -> CaseError:
    with pytest.raises(CaseError) as info:
        parse_case(data)
    return info.value


# --- the contract's example ------------------------------------------------------------------


def test_contract_example_validates() -> None:
    case = Case.model_validate(CONTRACT_CASE)
    assert case.id == "c-0001"
    assert case.birth_date == dt.date(1985, 6, 15)
    assert case.group is TargetGroup.DAGPENGE
    assert case.interruptions[0].end == dt.date(2024, 4, 30)
    interview, offer, exemption = case.events
    assert isinstance(interview, StepEvent) and interview.actor is Actor.A_KASSE
    assert isinstance(offer, OfferEvent) and offer.type is OfferType.VIRKSOMHEDSPRAKTIK
    assert offer.actor is Actor.JOBCENTER  # the contract's default: the municipality's employment service
    assert isinstance(exemption, ExemptionGroundEvent) and not exemption.jobcenter_keeps_duties
    assert parse_case(CONTRACT_CASE) == case
    assert Case.model_validate_json(json.dumps(CONTRACT_CASE)) == case


def test_contract_example_round_trips_compactly() -> None:
    case = parse_case(CONTRACT_CASE)
    compact = case.model_dump(mode="json", exclude_defaults=True)
    assert compact == _case(jobcenter_course_from_day_one=None)  # only the default-valued flag goes
    assert Case.model_validate(compact) == case


def test_case_is_frozen_and_hashable() -> None:
    case = parse_case(CONTRACT_CASE)
    with pytest.raises(ValidationError):
        case.id = "other"  # type: ignore[misc]
    assert hash(case) == hash(parse_case(CONTRACT_CASE))


def test_json_schema_is_generated() -> None:
    schema = Case.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["birth_date"]["format"] == "date"


# --- errors that name the field --------------------------------------------------------------


def test_impossible_birth_date_names_the_field() -> None:
    error = _error(_case(birth_date="2024-13-45"))
    assert error.field == "birth_date"
    assert error.case == "c-0001"
    assert error.message.startswith("'birth_date' must be a date YYYY-MM-DD (got '2024-13-45'")
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-29",
        "2024-04-31",
        "24-03-04",
        "2024-3-4",
        "2024-03-04\n",
        "２０２４-03-04",
        "2024-W10-1",
        "20240304",
        "2024-03-04T00:00:00",
        "",
        20240304,
        1.5,
        True,
    ],
)
def test_dates_accept_only_real_iso_days(value: object) -> None:
    assert _error(_case(birth_date=value)).field == "birth_date"


def test_dates_accept_date_objects_but_not_datetimes() -> None:
    assert parse_case(_case(birth_date=dt.date(1985, 6, 15))).birth_date == dt.date(1985, 6, 15)
    assert _error(_case(birth_date=dt.datetime(1985, 6, 15))).field == "birth_date"


def test_unknown_field_is_rejected_by_name() -> None:
    error = _error(_case(registred_on="2024-03-04"))
    assert error.field == "registred_on"
    assert "'registred_on' is not a known field" in error.message
    nested = copy.deepcopy(CONTRACT_CASE)
    nested["events"][0]["where"] = "Odense"
    assert _error(nested).field == "events.0.where"


@pytest.mark.parametrize("value", ["999", "411", "0999", 999, 1101, True, 101.5, " 101", ""])
def test_wrong_municipality(value: object) -> None:
    error = _error(_case(municipality=value))
    assert error.field == "municipality"
    assert "three-digit kommunekode" in error.message and '"101"' in error.message
    assert repr(value) in error.message


@pytest.mark.parametrize(("value", "code"), [(101, "101"), ("0101", "101"), (461, "461"), (851.0, "851")])
def test_register_style_kommunekoder_become_the_canonical_code(value: object, code: str) -> None:
    """Issue 10, finding 2: register extracts write kommunekoder as integers or with four digits."""
    case = Case.model_validate(_case(municipality=value))
    assert case.municipality == code
    assert case.model_dump(mode="json")["municipality"] == code


@pytest.mark.parametrize("flag", ["employed", "has_vocational_education"])
@pytest.mark.parametrize("value", [1, 0, "true", "yes"])
def test_flags_are_real_booleans(flag: str, value: object) -> None:
    assert _error(_case(**{flag: value})).field == flag


def test_id_must_be_a_non_empty_string() -> None:
    assert _error(_case(id="  ")).field == "id"
    assert _error(_case(id=1)).field == "id"


def test_offer_without_type_names_the_event_field() -> None:
    data = _case(events=[{"kind": "offer", "start": "2024-08-26", "end": "2024-10-18"}])
    error = _error(data)
    assert error.field == "events.0.type"
    assert error.message == "'events.0.type' is required"


def test_unknown_or_missing_event_kind_names_kind() -> None:
    error = _error(_case(events=[{"kind": "interview", "on": "2024-03-15"}]))
    assert error.field == "events.0.kind"
    assert "'job_interview'" in error.message and "(got 'interview')" in error.message
    assert _error(_case(events=[{"on": "2024-03-15"}])).field == "events.0.kind"


def test_offer_step_event_is_not_a_step_event() -> None:
    """``offer`` has its own event, so an offer written like an interview lacks its fields."""
    error = _error(_case(events=[{"kind": "offer", "on": "2024-03-15"}]))
    assert error.field == "events.0.type"
    assert "and 3 more" in error.message


def test_event_periods_end_on_or_after_start() -> None:
    data = copy.deepcopy(CONTRACT_CASE)
    data["events"][1]["end"] = "2024-08-25"
    error = _error(data)
    assert error.field == "events.1.end"
    assert "on or after start 2024-08-26" in error.message and "(got '2024-08-25')" in error.message
    data = _case(interruptions=[{"start": "2024-04-01", "end": "2024-03-31"}])
    assert _error(data).field == "interruptions.0.end"
    data = copy.deepcopy(CONTRACT_CASE)
    data["events"][2]["end"] = "2024-08-19"
    assert _error(data).field == "events.2.end"


def test_offer_given_after_start_is_rejected() -> None:
    data = copy.deepcopy(CONTRACT_CASE)
    data["events"][1]["given_on"] = "2024-08-27"
    assert _error(data).field == "events.1.given_on"
    data["events"][1]["given_on"] = "2024-08-26"
    assert parse_case(data).events[1].date == dt.date(2024, 8, 26)


def test_birth_date_must_precede_every_clock() -> None:
    error = _error(_case(birth_date="2024-03-04"))
    assert error.field == "birth_date"
    assert "must be before registered_on 2024-03-04" in error.message


def test_visitation_category_only_for_sygedagpenge() -> None:
    assert _error(_case(visitation_category=2)).field == "visitation_category"
    sick = _case(group="sygedagpenge", sickness_first_day="2024-01-08", visitation_category=2)
    assert parse_case(sick).visitation_category == 2
    for wrong in (True, 2.0, 4, "2"):
        sick["visitation_category"] = wrong
        assert _error(sick).field == "visitation_category"


def test_several_problems_report_the_first_and_count_the_rest() -> None:
    error = _error({"id": "c-9", "birth_date": "1985-02-30", "municipality": "000", "group": "x"})
    assert error.field == "birth_date"
    assert error.case == "c-9"
    assert "; and 2 more (municipality, group)" in error.message
    assert str(error).startswith("case 'c-9': 'birth_date' must be")


def test_not_an_object() -> None:
    error = _error([CONTRACT_CASE])
    assert error.field is None and error.case is None
    assert "must be an object (got list)" in error.message


def test_source_is_named() -> None:
    with pytest.raises(CaseError, match=r"^cases\.json: case 'c-0001': 'birth_date' must be"):
        parse_case(_case(birth_date="x"), source="cases.json")


# --- LAB § 9: period_start -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "clock"),
    [
        ("dagpenge", "registered_on"),
        ("kontanthjaelp_jobparat", "first_inquiry_on"),
        ("kontanthjaelp_aktivitetsparat", "first_inquiry_on"),
        ("uddannelseshjaelp_uddannelsesparat", "first_inquiry_on"),
        ("uddannelseshjaelp_aktivitetsparat", "first_inquiry_on"),
        ("sygedagpenge", "sickness_first_day"),
    ],
)
def test_period_start_defaults_per_group(group: str, clock: str) -> None:
    data = {
        "id": "c-1",
        "birth_date": "1990-01-01",
        "municipality": "101",
        "group": group,
        clock: "2024-03-04",
    }
    case = parse_case(data)
    assert case.period_start is None
    assert case.effective_period_start == dt.date(2024, 3, 4)
    given = parse_case({**data, "period_start": "2024-05-01"})
    assert given.effective_period_start == dt.date(2024, 5, 1)
    # Without the default clock the error names it (sygedagpenge needs it even with period_start).
    del data[clock]
    assert _error(data).field == clock
    if group != "sygedagpenge":
        assert parse_case({**data, "period_start": "2024-05-01"}).effective_period_start == dt.date(
            2024, 5, 1
        )
    else:
        assert _error({**data, "period_start": "2024-05-01"}).field == clock


@pytest.mark.parametrize("group", ["jobafklaring", "ressourceforloeb", "ledighedsydelse", "revalidering"])
def test_period_start_must_be_given_where_no_default(group: str) -> None:
    data = {
        "id": "c-2",
        "birth_date": "1970-01-01",
        "municipality": "851",
        "group": group,
        "registered_on": "2024-01-02",
        "first_inquiry_on": "2024-01-02",
    }
    error = _error(data)
    assert error.field == "period_start"
    assert f"must be given for group {group}: LAB § 9, stk. 2, nr. 3–4" in error.message
    assert parse_case({**data, "period_start": "2024-02-01"}).effective_period_start == dt.date(2024, 2, 1)


def test_interruptions_are_accepted_for_any_group() -> None:
    data = _case(group="ledighedsydelse", period_start="2024-03-04")
    assert len(parse_case(data).interruptions) == 1


# --- history ---------------------------------------------------------------------------------


def test_events_until_reads_the_history_as_it_stood() -> None:
    case = parse_case(CONTRACT_CASE)
    assert case.events_until(dt.date(2024, 3, 14)) == ()
    assert [e.kind for e in case.events_until(dt.date(2024, 3, 15))] == ["job_interview"]
    # The exemption is dated by its start (20 Aug), the offer by its start (26 Aug: no given_on).
    assert [e.kind for e in case.events_until(dt.date(2024, 8, 25))] == ["job_interview", "exemption_ground"]
    assert case.events_until(dt.date(2024, 8, 26)) == case.events


def test_event_dates() -> None:
    offer = OfferEvent(
        kind="offer",
        type=OfferType.LOENTILSKUD,
        start=dt.date(2024, 9, 1),
        end=dt.date(2024, 12, 1),
        given_on=dt.date(2024, 8, 1),
    )
    assert offer.date == dt.date(2024, 8, 1)
    assert InterviewRequestedEvent(kind="interview_requested", on=dt.date(2024, 1, 2)).date == dt.date(
        2024, 1, 2
    )


def test_with_events_appends_and_validates() -> None:
    case = parse_case(CONTRACT_CASE)
    extra = StepEvent(kind="cv_interview", on=dt.date(2024, 5, 1), actor=Actor.JOBCENTER)
    grown = case.with_events(extra)
    assert grown.events == (*case.events, extra)
    assert case.events == parse_case(CONTRACT_CASE).events  # the original is untouched
    with pytest.raises(CaseError) as info:
        case.with_events({"kind": "offer", "start": "2024-01-01"})  # type: ignore[arg-type]
    assert info.value.field == "events.3.type"


def test_step_kinds_are_the_steps_but_offer() -> None:
    assert set(get_args(StepKind)) == {s.value for s in Step} - {"offer"}
    kinds: set[str] = set()
    for part in get_args(EventKind):
        kinds |= set(get_args(part)) if get_args(part) else {part}
    assert kinds >= {s.value for s in Step} | {"interview_requested", "early_followup_requested"}


# --- several cases ---------------------------------------------------------------------------


def test_parse_cases_one_or_many() -> None:
    assert parse_cases(CONTRACT_CASE) == [parse_case(CONTRACT_CASE)]
    assert len(parse_cases([CONTRACT_CASE, _case(id="c-0002")])) == 2
    with pytest.raises(CaseError) as info:
        parse_cases([CONTRACT_CASE, CONTRACT_CASE, CONTRACT_CASE, _case(birth_date="1985-06-31")])
    assert info.value.field == "[3].birth_date"
    assert info.value.message.startswith("'[3].birth_date' must be a date")
    with pytest.raises(CaseError):
        parse_cases("c-0001")


# --- municipalities --------------------------------------------------------------------------


def test_municipalities() -> None:
    assert len(MUNICIPALITIES) == 98
    assert municipality_name("101") == "København"
    assert municipality_name("851") == "Aalborg"
    assert is_municipality("219") and not is_municipality("411") and not is_municipality("0101")
    assert all(len(code) == 3 and code.isdigit() for code in MUNICIPALITIES)
    with pytest.raises(ResolutionError, match="'411'"):
        municipality_name("411")
    with pytest.raises(LookupError):
        municipality_name("")


# --- properties ------------------------------------------------------------------------------


def _constructs(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


@given(st.integers(-20, 10_020), st.integers(-1, 14), st.integers(-1, 33))
def test_never_accepts_an_impossible_date(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    data = _case(events=[{"kind": "job_interview", "on": text}])
    if _constructs(year, month, day):
        assert parse_case(data).events[0].date == dt.date(year, month, day)
    else:
        assert _error(data).field == "events.0.on"


@given(st.integers(1800, 2010), st.integers(0, 13), st.integers(0, 32))
def test_birth_date_valid_iff_real(year: int, month: int, day: int) -> None:
    data = _case(birth_date=f"{year:04d}-{month:02d}-{day:02d}")
    if _constructs(year, month, day):
        assert parse_case(data).birth_date == dt.date(year, month, day)
    else:
        assert _error(data).field == "birth_date"


def _parses_or_case_error(data: object) -> None:
    try:
        parse_case(data)
    except CaseError as error:
        assert error.message
        assert error.field is None or isinstance(error.field, str)
        assert str(error)


@given(json_values())
def test_parse_case_raises_only_case_error_on_any_json(data: object) -> None:
    _parses_or_case_error(data)


@given(st.dictionaries(st.sampled_from([*Case.model_fields, "kind", "on"]), json_values(), max_size=8))
def test_parse_case_raises_only_case_error_on_case_shaped_json(data: dict[str, Any]) -> None:
    _parses_or_case_error(data)


@st.composite
def _mutated_case(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case dict with one key, top level or in one event/interruption, changed or removed."""
    data = draw(case_dicts())
    targets: list[dict[str, Any]] = [data, *data.get("events", []), *data.get("interruptions", [])]
    target = draw(st.sampled_from(targets))
    known = sorted({*target, *Case.model_fields, "kind", "on", "start", "end", "type", "given_on", "actor"})
    key = draw(st.sampled_from(known) | st.text(max_size=6))
    if draw(st.booleans()):
        target.pop(key, None)
    else:
        target[key] = draw(
            json_values() | st.sampled_from(["2024-02-30", "2024-02-29", "101", "offer", True])
        )
    return data


@given(_mutated_case())
def test_parse_case_raises_only_case_error_on_mutated_cases(data: dict[str, Any]) -> None:
    _parses_or_case_error(data)


@given(cases())
def test_json_round_trip(case: Case) -> None:
    assert Case.model_validate(case.model_dump(mode="json")) == case
    assert Case.model_validate(case.model_dump(mode="json", exclude_defaults=True)) == case
    assert Case.model_validate_json(case.model_dump_json()) == case
    assert parse_case(json.loads(json.dumps(case.model_dump(mode="json")))) == case


@given(case_dicts())
def test_generated_dicts_parse_to_what_they_say(data: dict[str, Any]) -> None:
    dumped = parse_case(data).model_dump(mode="json")
    for key, value in data.items():
        if isinstance(value, list):
            assert len(dumped[key]) == len(value)
            for given, back in zip(value, dumped[key], strict=True):
                assert {k: back[k] for k in given} == given
        else:
            assert dumped[key] == value


@given(cases(), st.dates(dt.date(2018, 1, 1), dt.date(2029, 1, 1)))
def test_events_until_is_the_dated_prefix(case: Case, on: dt.date) -> None:
    seen = case.events_until(on)
    assert seen == tuple(e for e in case.events if e.date <= on)
    assert all(e.date <= on for e in seen)


@given(cases(max_events=3), st.lists(events(), max_size=3))
def test_with_events_equals_validating_the_longer_history(case: Case, new: list[Any]) -> None:
    grown = case.with_events(*new)
    assert grown.events == (*case.events, *new)
    as_json = case.model_dump(mode="json")
    as_json["events"] += [event.model_dump(mode="json") for event in new]
    assert grown == parse_case(as_json)


@given(event_dicts())
def test_event_dicts_are_valid_events(data: dict[str, Any]) -> None:
    case = parse_case(_case(events=[data]))
    assert case.events[0].kind == data["kind"]
