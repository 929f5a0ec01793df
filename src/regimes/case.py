"""The case model: one citizen's situation as the authorities know it (concepts.md, "Case").

Why strict pydantic models: the contract promises that an unknown field or an impossible date is
an error that *names the field*, and every later stage (facts, windows, back ends) trusts the case
blindly. So the model is ``extra="forbid", strict=True, frozen=True``, with exactly two
loosenings a JSON-parsed dict needs: dates come as ISO strings ``YYYY-MM-DD`` and enums as their
values. Nothing else is coerced (``1`` is not ``true``, a datetime or a Unix timestamp is not a
date), except a kommunekode given as an integer or with four digits (``101``, ``"0101"`` → ``"101"``).

Frozen, because an evaluation on date D reads "the history as it stood on D" and must not see a
case change under it; an incremental session grows a case with :meth:`Case.with_events`, which
validates the new events as strictly as the first ones.

    >>> case = parse_case({
    ...     "id": "c-0001", "birth_date": "1985-06-15", "municipality": "461",
    ...     "group": "dagpenge", "registered_on": "2024-03-04",
    ...     "events": [{"kind": "job_interview", "on": "2024-03-15", "actor": "a_kasse"}]})
    >>> case.effective_period_start
    datetime.date(2024, 3, 4)
    >>> case.events_until(dt.date(2024, 3, 14))
    ()
    >>> try:
    ...     parse_case({**case.model_dump(mode="json"), "birth_date": "2024-13-45"})
    ... except CaseError as exc:
    ...     print(exc.case, exc.field, exc.message, sep=" | ")
    c-0001 | birth_date | 'birth_date' must be a date YYYY-MM-DD (got '2024-13-45': month must be in 1..12)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from regimes.errors import CaseError
from regimes.municipalities import is_municipality
from regimes.vocabulary import Actor, ExemptionGround, InterviewForm, OfferType, TargetGroup

__all__ = [
    "Case",
    "EarlyFollowupRequestedEvent",
    "Event",
    "EventKind",
    "ExemptionGroundEvent",
    "Interruption",
    "InterviewRequestedEvent",
    "IsoDate",
    "OfferEvent",
    "StepEvent",
    "StepKind",
    "parse_case",
    "parse_cases",
]

# --------------------------------------------------------------------------------------------
# Field types: the few places where JSON input is converted, each rejecting everything else.
# Errors are PydanticCustomError whose message is an expectation ("must be ..."), so that
# parse_case can say "'<field>' must be ... (got ...)" in the attrs style (style.md).
# --------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: object) -> dt.date:
    """A ``date``, or an ISO ``YYYY-MM-DD`` string that names a real day.

    Why by hand rather than pydantic's lax date: that one also takes Unix timestamps,
    ``"2024-03-04T00:00:00"`` and bytes, and ``date.fromisoformat`` takes ``"20240304"`` and ISO
    week dates; a case file with any of those is more likely wrong than meant.
    """
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("iso_date", "must be a date YYYY-MM-DD, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError as exc:
            raise PydanticCustomError(
                "iso_date", "must be a date YYYY-MM-DD ({reason})", {"reason": str(exc)}
            ) from None
    raise PydanticCustomError("iso_date", "must be a date YYYY-MM-DD")


_E = TypeVar("_E", bound=StrEnum)


def _member_of(enum: type[_E]) -> Callable[[object], _E]:
    """A validator taking a member of ``enum`` or its exact string value (strict mode takes only members)."""
    expected = ", ".join(repr(member.value) for member in enum)

    def parse(value: object) -> _E:
        if isinstance(value, enum):
            return value
        if isinstance(value, str):
            try:
                return enum(value)
            except ValueError:
                pass
        raise PydanticCustomError("enum_value", "must be one of {expected}", {"expected": expected})

    return parse


def _as_tuple(value: object) -> object:
    """JSON arrays arrive as lists; the frozen model keeps tuples (hashable, immutable)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PydanticCustomError("list_type", "must be a list")


def _category(value: object) -> object:
    """Strict ``Literal[1, 2, 3]`` still takes ``True`` and ``1.0``; a category is a plain int."""
    if type(value) is int and value in (1, 2, 3):
        return value
    raise PydanticCustomError("visitation_category", "must be 1, 2 or 3")


def _kommunekode(value: object) -> object:
    """A code of the list, as the canonical three-digit string resolution keys regimes by.

    Register extracts write kommunekoder as integers (``461``) or with four digits (``"0461"``,
    as DAGI does); both name one municipality without doubt, so both become ``"461"``.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000:
        value = f"{value:03d}"
    elif isinstance(value, float) and value.is_integer() and 0 <= value < 1000:
        value = f"{int(value):03d}"
    elif isinstance(value, str) and len(value) == 4 and value.startswith("0") and value.isdigit():
        value = value[1:]
    if isinstance(value, str) and is_municipality(value):
        return value
    raise PydanticCustomError("kommunekode", 'must be a three-digit kommunekode, e.g. "101" (or 101, "0101")')


_KOMMUNEKODE_SCHEMA: dict[str, Any] = {
    "description": (
        'The municipality\'s kommunekode: three digits as a string ("101" København); register '
        'forms are accepted and normalised: an integer (101) or four digits ("0101")'
    ),
    "anyOf": [
        {"type": "string", "pattern": "^0?[1-9][0-9]{2}$"},
        {"type": "integer", "minimum": 101, "maximum": 999},
    ],
}


def _case_id(value: object) -> object:
    """Evaluations and errors are reported by case id; a blank one would name nothing."""
    if isinstance(value, str) and value.strip():
        return value
    raise PydanticCustomError("case_id", "must be a non-empty string")


IsoDate = Annotated[dt.date, BeforeValidator(_to_date)]
"""A date; from JSON an ISO ``YYYY-MM-DD`` string naming a real day."""

_Actor = Annotated[Actor, BeforeValidator(_member_of(Actor))]
_Form = Annotated[InterviewForm, BeforeValidator(_member_of(InterviewForm))]
_OfferType = Annotated[OfferType, BeforeValidator(_member_of(OfferType))]
_Ground = Annotated[ExemptionGround, BeforeValidator(_member_of(ExemptionGround))]
_Group = Annotated[TargetGroup, BeforeValidator(_member_of(TargetGroup))]
_Category = Annotated[Literal[1, 2, 3], BeforeValidator(_category)]


def _field_error(field: str, expected: str, got: object = ...) -> PydanticCustomError:
    """An error found across fields (by a model validator), naming the field it is reported on.

    Pydantic locates a model validator's error at the model, not a field; ``field`` in the
    context lets :func:`parse_case` put it where the contract wants it (``events.1.end``).
    """
    context: dict[str, Any] = {"field": field, "expected": expected}
    if got is not ...:
        context["got"] = _show(got)
        return PydanticCustomError("case_field", "'{field}' {expected} (got {got})", context)
    return PydanticCustomError("case_field", "'{field}' {expected}", context)


def _show(value: object) -> str:
    """A value as a message quotes it: dates as ISO strings, anything long cut short."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return repr(value.isoformat())
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Model(BaseModel):
    """Shared configuration: unknown fields are errors, nothing is coerced, nothing changes."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Interruption(_Model):
    """A period of work (both days inclusive) that pauses accumulated unemployment (LAB § 9).

    Only dagpenge counts *accumulated* unemployment; for every other group the glossary says not
    to apply interruptions, so they are accepted on any case (a case file need not be edited when
    a citizen changes group) and the date module ignores them outside dagpenge.
    """

    start: IsoDate
    end: IsoDate

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end < self.start:
            raise _field_error("end", f"must be on or after start {self.start.isoformat()}", self.end)
        return self


def _hours(value: object) -> object:
    """Paid hours: a finite number, not negative (a bool is not a number of hours)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < float("inf"):
        return value
    raise PydanticCustomError("hours", "must be a number of hours, 0 or more (e.g. 37 or 160.33)")


class PaidHoursPeriod(_Model):
    """Hours paid over a period, both days inclusive (BEK 2636/2021 § 7, stk. 1; corrections C1).

    A week (``start`` Monday, ``end`` Sunday, ``hours: 37``) or a month (a benefit month, e.g.
    ``hours: 160.33``); ``kind`` says whether they were dagpenge hours or hours in wage-subsidised
    work (løntilskud, LAB kap. 12) — both count towards accumulated unemployment, only dagpenge
    hours are left out in the COVID-19 periods (stk. 2). Read only for dagpenge cases.
    """

    start: IsoDate
    end: IsoDate
    hours: Annotated[float, BeforeValidator(_hours)]
    kind: Literal["dagpenge", "wage_subsidy"] = "dagpenge"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end < self.start:
            raise _field_error("end", f"must be on or after start {self.start.isoformat()}", self.end)
        days = (self.end - self.start).days + 1
        if self.hours > 24 * days:
            raise _field_error(
                "hours", f"must be at most 24 per day ({24 * days} for {days} days)", self.hours
            )
        return self


# --------------------------------------------------------------------------------------------
# Events: a discriminated union on `kind`, so a wrong event names its own fields.
# --------------------------------------------------------------------------------------------

StepKind = Literal[
    "job_interview",
    "joint_interview",
    "availability_interview",
    "cv_interview",
    "education_order",
    "intensified_effort",
    "clarification",
    "sickness_visitation",
    "sickness_followup_interview",
    "sickness_reassessment",
    "rehabilitation_team",
    "medical_certificate",
    "job_oriented_education",
    "cv_registration",
    "employer_absence_interview",
]
"""Every :class:`~regimes.vocabulary.Step` but ``offer`` (it has its own event); a test keeps them in step."""


class StepEvent(_Model):
    """A one-day step performed: an interview held, an order given, a certificate obtained.

    ``actor`` is optional because a history often records only that an interview happened; an
    event without an actor counts for a rule naming any actor (windows.py).
    """

    kind: StepKind
    on: IsoDate
    actor: _Actor | None = None
    form: _Form | None = None
    note: str | None = None

    @property
    def date(self) -> dt.date:
        """The day the step was taken."""
        return self.on


class OfferEvent(_Model):
    """A ret og pligt offer (LAB kap. 10–14), ``start`` to ``end`` inclusive.

    ``given_on`` is when the offer was made; the § 102 stk. 3 wage-subsidy rule counts an offer
    given in time that starts a little late. An offer cannot be given after it has started, so
    ``given_on > start`` is rejected as a data error rather than guessed at.
    """

    kind: Literal["offer"]
    type: _OfferType
    start: IsoDate
    end: IsoDate
    given_on: IsoDate | None = None
    actor: _Actor = Actor.JOBCENTER

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.end < self.start:
            raise _field_error("end", f"must be on or after start {self.start.isoformat()}", self.end)
        if self.given_on is not None and self.given_on > self.start:
            expected = (
                f"must be on or before start {self.start.isoformat()}, as an offer is made before it starts"
            )
            raise _field_error("given_on", expected, self.given_on)
        return self

    @property
    def date(self) -> dt.date:
        """The day the offer entered the history: when it was given, else when it started."""
        return self.given_on or self.start


class InterviewRequestedEvent(_Model):
    """The citizen asked for an interview (a right after 6 months); ``actor`` is whom they asked."""

    kind: Literal["interview_requested"]
    on: IsoDate
    actor: _Actor | None = None

    @property
    def date(self) -> dt.date:
        """The day of the request."""
        return self.on


class EarlyFollowupRequestedEvent(_Model):
    """An early sickness follow-up was requested (SDL § 13 b, stk. 2), by the citizen or the employer."""

    kind: Literal["early_followup_requested"]
    on: IsoDate
    by: Literal["employer", "citizen"] = "citizen"

    @property
    def date(self) -> dt.date:
        """The day of the request."""
        return self.on


class ExemptionGroundEvent(_Model):
    """A documented LAB § 106 ground for less intensive effort, ``start`` to ``end`` inclusive.

    ``jobcenter_keeps_duties`` is the stk. 3 decision to keep the person under the duties anyway.
    ``documented_start_on`` is the day the job or education is documented to start; it is
    recorded, not checked against the ground's six weeks (no rule reads it yet).
    """

    kind: Literal["exemption_ground"]
    ground: _Ground
    start: IsoDate
    end: IsoDate
    jobcenter_keeps_duties: bool = False
    documented_start_on: IsoDate | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end < self.start:
            raise _field_error("end", f"must be on or after start {self.start.isoformat()}", self.end)
        return self

    @property
    def date(self) -> dt.date:
        """The ground enters the history when its period starts."""
        return self.start


Event = Annotated[
    StepEvent | OfferEvent | InterviewRequestedEvent | EarlyFollowupRequestedEvent | ExemptionGroundEvent,
    Field(discriminator="kind"),
]
"""Any event of a case's history, told apart by ``kind``."""

EventKind = StepKind | Literal["offer", "interview_requested", "early_followup_requested", "exemption_ground"]

_EVENT_KINDS: frozenset[str] = frozenset(
    tag
    for model in (
        StepEvent,
        OfferEvent,
        InterviewRequestedEvent,
        EarlyFollowupRequestedEvent,
        ExemptionGroundEvent,
    )
    for tag in get_args(model.model_fields["kind"].annotation)
)

# --------------------------------------------------------------------------------------------
# The case
# --------------------------------------------------------------------------------------------

_CLOCKS = ("registered_on", "first_inquiry_on", "period_start", "sickness_first_day", "visitation_on")

# LAB § 9 (glossary, "§ 9 table"): the clock the period counts from when `period_start` is not given.
_PERIOD_START_DEFAULT: Mapping[TargetGroup, str] = MappingProxyType(
    {
        TargetGroup.DAGPENGE: "registered_on",
        TargetGroup.KONTANTHJAELP_JOBPARAT: "first_inquiry_on",
        TargetGroup.KONTANTHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
        TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT: "first_inquiry_on",
        TargetGroup.UDDANNELSESHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
        TargetGroup.SYGEDAGPENGE: "sickness_first_day",
    }
)

_WHY_CLOCK: Mapping[str, str] = MappingProxyType(
    {
        "registered_on": "LAB § 9, stk. 1, nr. 1 counts from placement in a dagpenge period",
        "first_inquiry_on": "LAB § 9, stk. 1, nr. 2 counts from the first inquiry to the municipality",
        "sickness_first_day": "the SDL follow-up deadlines count from the first day of sickness",
    }
)


class Case(_Model):
    """One citizen's case: who, target group, the clocks the law counts from, flags, history.

    Cross-field rules, each reported on the field named:

    - ``birth_date`` is before every clock;
    - the group's § 9 clock is there: ``registered_on`` (dagpenge) or ``first_inquiry_on``
      (kontanthjælp/uddannelseshjælp) unless ``period_start`` is given, ``sickness_first_day``
      (sygedagpenge, always), ``period_start`` (jobafklaring, ressourceforløb, ledighedsydelse,
      revalidering: the law counts from the start of a benefit or course the case cannot infer);
    - ``visitation_category`` only on a sygedagpenge case (SDL § 12 visitation).

    ``interruptions`` are accepted for any group and read only for dagpenge (see
    :class:`Interruption`); so are ``paid_hours`` and ``insurance`` (:class:`PaidHoursPeriod`,
    full-time or part-time insured). Events are kept in the order given.
    """

    id: Annotated[str, BeforeValidator(_case_id)]
    birth_date: IsoDate
    municipality: Annotated[str, BeforeValidator(_kommunekode), WithJsonSchema(_KOMMUNEKODE_SCHEMA)]
    group: _Group

    registered_on: IsoDate | None = None
    first_inquiry_on: IsoDate | None = None
    period_start: IsoDate | None = None
    sickness_first_day: IsoDate | None = None
    visitation_on: IsoDate | None = None

    jobcenter_course_from_day_one: bool = False
    has_vocational_education: bool = False
    has_child_in_custody_at_home: bool = False
    covered_by_work_obligation: bool = False
    declines_akasse_participation: bool = False
    early_joint_interview_wanted: bool = False
    in_job_oriented_effort_30a: bool = False
    employed: bool = False
    sickness_light_track: bool = False
    visitation_category: _Category | None = None

    interruptions: Annotated[tuple[Interruption, ...], BeforeValidator(_as_tuple)] = ()
    #: Accumulated unemployment in hours (dagpenge; BEK 2636/2021 § 7): when given, the hours
    #: replace the calendar reckoning (and ``interruptions``) for accumulated windows.
    paid_hours: Annotated[tuple[PaidHoursPeriod, ...], BeforeValidator(_as_tuple)] = ()
    insurance: Literal["full_time", "part_time"] = "full_time"
    events: Annotated[tuple[Event, ...], BeforeValidator(_as_tuple)] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for clock in _CLOCKS:
            value: dt.date | None = getattr(self, clock)
            if value is not None and value <= self.birth_date:
                raise _field_error(
                    "birth_date", f"must be before {clock} {value.isoformat()}", self.birth_date
                )
        if self.visitation_category is not None and self.group is not TargetGroup.SYGEDAGPENGE:
            expected = f"is only for group sygedagpenge (SDL § 12 visitation), not {self.group.value}"
            raise _field_error("visitation_category", expected, self.visitation_category)
        self._require_period_clock()
        return self

    def _require_period_clock(self) -> None:
        default = _PERIOD_START_DEFAULT.get(self.group)
        group = self.group.value
        if default is None:
            if self.period_start is None:
                expected = (
                    f"must be given for group {group}: LAB § 9, stk. 2, nr. 3–4 count from the start "
                    "of the benefit/course"
                )
                raise _field_error("period_start", expected)
            return
        if getattr(self, default) is not None:
            return
        if self.group is TargetGroup.SYGEDAGPENGE:
            raise _field_error(default, f"is required for group {group}: {_WHY_CLOCK[default]}")
        if self.period_start is None:
            expected = f"is required for group {group} (or give period_start): {_WHY_CLOCK[default]}"
            raise _field_error(default, expected)

    @property
    def effective_period_start(self) -> dt.date | None:
        """The start of the LAB § 9 period: ``period_start`` if given, else the group's default clock.

        A property, not a filled-in field, so the case dumps back exactly as it came in.
        ``None`` only for a case built without validation (``model_construct``).
        """
        if self.period_start is not None:
            return self.period_start
        default = _PERIOD_START_DEFAULT.get(self.group)
        value: dt.date | None = getattr(self, default) if default else None
        return value

    def events_until(self, on: dt.date) -> tuple[Event, ...]:
        """The history as it stood on ``on``: events dated on or before it, in the order given."""
        return tuple(event for event in self.events if event.date <= on)

    def with_events(self, *events: Event) -> Self:
        """A copy with ``events`` appended, validated like the original (for incremental sessions).

        Raises:
            CaseError: an event is invalid; ``field`` is ``events.N...`` counted in the new case.
        """
        data: dict[str, object] = {name: getattr(self, name) for name in type(self).model_fields}
        data["events"] = (*self.events, *events)
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise _case_error(exc, data) from None


# --------------------------------------------------------------------------------------------
# Parsing with errors that name the field
# --------------------------------------------------------------------------------------------


def parse_case(data: object, *, source: str | None = None) -> Case:
    """Validate one case (a JSON-parsed mapping, or a :class:`Case`).

    Args:
        data: the case as parsed from JSON or YAML.
        source: where it came from (a file name); prefixed to the message.

    Raises:
        CaseError: the case is invalid. ``field`` is the dotted path of the first problem
            (``birth_date``, ``events.2.start``), ``case`` the case's id when it could be read;
            the message says what was expected and what came, and how many more problems there are.
    """
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise _case_error(exc, data, source=source) from None


def parse_cases(data: object, *, source: str | None = None) -> list[Case]:
    """Validate one case (a mapping) or a list of cases; the first invalid case raises.

    In a list, ``field`` starts with the case's index: ``[3].birth_date``.

    Raises:
        CaseError: as :func:`parse_case`; also when ``data`` is neither a mapping nor a list.
    """
    if isinstance(data, Mapping | Case):
        return [parse_case(data, source=source)]
    if not isinstance(data, list | tuple):
        msg = f"expected a case (a JSON object) or a list of cases (got {type(data).__name__})"
        raise CaseError(f"{source}: {msg}" if source else msg)
    cases: list[Case] = []
    for index, item in enumerate(data):
        try:
            cases.append(Case.model_validate(item))
        except ValidationError as exc:
            raise _case_error(exc, item, source=source, prefix=f"[{index}]") from None
    return cases


def _case_error(
    exc: ValidationError, data: object, *, source: str | None = None, prefix: str = ""
) -> CaseError:
    """Turn pydantic's error list into one :class:`CaseError` about the first problem."""
    problems = [_describe(error, prefix) for error in exc.errors(include_url=False)]
    field, message = problems[0]
    if len(problems) > 1:
        others = [where or "(case)" for where, _ in problems[1:]]
        listed = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        message += f"; and {len(others)} more ({listed})"
    return CaseError(message, field=field, case=_case_id_of(data), source=source)


def _case_id_of(data: object) -> str | None:
    if isinstance(data, Case):
        return data.id
    if isinstance(data, Mapping):
        value = data.get("id")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _path(loc: Sequence[int | str], prefix: str) -> str:
    """Pydantic's location as a dotted path, without the discriminator tag it inserts.

    ``("events", 0, "offer", "type")`` → ``events.0.type``: the tag repeats the event's
    ``kind`` and is not a field a user could find in their file.
    """
    parts: list[str] = []
    for i, part in enumerate(loc):
        after_event = i >= 2 and loc[i - 2] == "events" and isinstance(loc[i - 1], int)
        if after_event and isinstance(part, str) and part in _EVENT_KINDS:
            continue
        parts.append(str(part))
    path = ".".join(parts)
    if prefix:
        return f"{prefix}.{path}" if path else prefix
    return path


_STATIC_EXPECTATIONS: Mapping[str, str] = MappingProxyType(
    {
        "bool_type": "must be true or false",
        "string_type": "must be a string",
        "model_type": "must be an object",
        "model_attributes_type": "must be an object",
        "dict_type": "must be an object",
        "tuple_type": "must be a list",
        "list_type": "must be a list",
    }
)


def _describe(error: ErrorDetails, prefix: str) -> tuple[str | None, str]:
    """``(field path, message)`` for one pydantic error, in the attrs style of style.md."""
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    loc = list(error["loc"])
    got = _show(error.get("input"))
    if kind == "case_field":
        path = _path([*loc, context["field"]], prefix)
        message = f"'{path}' {context['expected']}"
        return path, message + (f" (got {context['got']})" if "got" in context else "")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        path = _path([*loc, "kind"], prefix)
        if kind == "union_tag_not_found":
            return path, f"'{path}' is required: an event must say its kind"
        return path, f"'{path}' must be one of {context['expected_tags']} (got {context['tag']!r})"
    path = _path(loc, prefix)
    if not loc:
        expected = _STATIC_EXPECTATIONS.get(kind, str(error["msg"]))
        where = f"'{prefix}'" if prefix else "a case"
        return path or None, f"{where} {expected} (got {type(error.get('input')).__name__})"
    if kind == "missing":
        return path, f"'{path}' is required"
    if kind == "extra_forbidden":
        return path, f"'{path}' is not a known field (got {got})"
    if kind in _STATIC_EXPECTATIONS:
        expected = _STATIC_EXPECTATIONS[kind]
    else:
        expected = str(error["msg"]).removeprefix("Value error, ")
        if expected.startswith("Input should be "):
            expected = "must be " + expected.removeprefix("Input should be ")
        elif not expected.startswith(("must ", "is ")):
            expected = f"is invalid: {expected}"
    if "reason" in context:
        expected = expected.removesuffix(f" ({context['reason']})")
        return path, f"'{path}' {expected} (got {got}: {context['reason']})"
    return path, f"'{path}' {expected} (got {got})"
