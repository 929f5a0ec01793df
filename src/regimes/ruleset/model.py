"""The ruleset language: pydantic models of what a YAML ruleset file may say.

A file holds one ``regime:`` header (or a ``module:`` header for a fragment that regimes
``include``, such as the sickness rules) and lists of ``rules``, ``repeal``, ``exempt``,
``replace`` and ``amend`` entries. Validation here is *local* (types, required fields,
known facts); cross-references (a dangling rule id, a duplicate id) are checked when the
layers are resolved, where every file is in view (:mod:`regimes.layer`).

Conditions are data: ``{fact: group, eq: dagpenge}``, ``{all: [...]}``, ``{any: [...]}``,
``{not: ...}`` and ``{fact: group, in: [...]}``. Nothing in a ruleset is ever evaluated as
Python.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from regimes.facts import FACTS
from regimes.vocabulary import (
    Actor,
    Confidence,
    ExemptionGround,
    OfferType,
    RegimeStatus,
    Step,
    TargetGroup,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(StrEnum):
    """What a rule is about; suspensions select the rules they pause by topic."""

    CONTACT_COURSE = "contact_course"
    OFFER = "offer"
    EDUCATION_ORDER = "education_order"
    CLARIFICATION = "clarification"
    JOB_SEARCH = "job_search"
    JOB_ORIENTED_EDUCATION = "job_oriented_education"
    LESS_INTENSIVE_EFFORT = "less_intensive_effort"
    SICKNESS = "sickness"


TOPIC_TITLES: dict[Topic, str] = {
    Topic.CONTACT_COURSE: "Contact course (LAB kap. 7: job interviews)",
    Topic.OFFER: "Offers: right and duty (LAB §§ 102–105)",
    Topic.EDUCATION_ORDER: "Education order (LAB § 30)",
    Topic.CLARIFICATION: "Clarification of long-term cases (LAB § 36 a)",
    Topic.JOB_SEARCH: "Job search and CV",
    Topic.JOB_ORIENTED_EDUCATION: "Six weeks' job-oriented education (LAB kap. 9)",
    Topic.LESS_INTENSIVE_EFFORT: "Less intensive effort (LAB § 106)",
    Topic.SICKNESS: "Sickness benefit follow-up (SDL kap. 6)",
}


# --- conditions -------------------------------------------------------------------------

ScalarValue: TypeAlias = bool | int | date | str


class Comparison(_Strict):
    """``fact <op> value``: exactly one operator key besides ``fact``."""

    fact: str
    eq: ScalarValue | None = None
    ne: ScalarValue | None = None
    lt: int | date | None = None
    le: int | date | None = None
    gt: int | date | None = None
    ge: int | date | None = None
    in_: list[ScalarValue] | None = Field(default=None, alias="in")
    not_in: list[ScalarValue] | None = None
    is_: bool | None = Field(default=None, alias="is")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _dates_for_date_facts(cls, data: Any) -> Any:
        """YAML dates arrive as text (see the loader); a date fact's values become dates."""
        if not isinstance(data, dict) or FACTS.get(str(data.get("fact"))) is None:
            return data
        if FACTS[str(data["fact"])].type != "date":
            return data

        def as_date(value: Any) -> Any:
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    return value
            return value

        return {
            key: ([as_date(v) for v in value] if isinstance(value, list) else as_date(value))
            if key != "fact"
            else value
            for key, value in data.items()
        }

    @model_validator(mode="after")
    def _one_operator(self) -> Comparison:
        ops = self.operators()
        if len(ops) != 1:
            msg = (
                "a comparison needs exactly one operator of eq, ne, lt, le, gt, ge, in, not_in, is "
                f"(got {', '.join(ops) or 'none'})"
            )
            raise ValueError(msg)
        spec = FACTS.get(self.fact)
        if spec is None:
            msg = f"unknown fact {self.fact!r} (known: {', '.join(sorted(FACTS))})"
            raise ValueError(msg)
        op, value = ops[0], self.value()
        if op == "is":
            if spec.type != "bool":
                msg = f"'is' needs a yes/no fact; {self.fact!r} is a {spec.type}"
                raise ValueError(msg)
            return self
        values = value if isinstance(value, list) else [value]
        for v in values:
            if not spec.accepts(v):
                expected = (
                    f"one of {', '.join(str(x) for x in spec.values)}" if spec.type == "enum" else spec.type
                )
                msg = f"fact {self.fact!r} takes {expected} (got {v!r})"
                raise ValueError(msg)
        if op in ("lt", "le", "gt", "ge") and spec.type not in ("int", "date"):
            msg = f"'{op}' needs a number or a date; {self.fact!r} is a {spec.type}"
            raise ValueError(msg)
        return self

    def operators(self) -> list[str]:
        named = {"in_": "in", "is_": "is"}
        return [
            named.get(name, name)
            for name in ("eq", "ne", "lt", "le", "gt", "ge", "in_", "not_in", "is_")
            if getattr(self, name) is not None
        ]

    def value(self) -> Any:
        op = self.operators()[0]
        return getattr(self, {"in": "in_", "is": "is_"}.get(op, op))


class AllOf(_Strict):
    all: list[Condition]


class AnyOfCond(_Strict):
    any: list[Condition]


class NotCond(_Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _condition_kind(value: Any) -> str:
    """Which kind of condition a mapping (or an already validated model) is."""
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "fact"
    return {"AllOf": "all", "AnyOfCond": "any", "NotCond": "not"}.get(type(value).__name__, "fact")


Condition: TypeAlias = Annotated[
    Annotated[Comparison, Tag("fact")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOfCond, Tag("any")]
    | Annotated[NotCond, Tag("not")],
    Discriminator(_condition_kind),
]
AllOf.model_rebuild()
AnyOfCond.model_rebuild()
NotCond.model_rebuild()


# --- windows ----------------------------------------------------------------------------

ClockName = Literal[
    "registered_on", "first_inquiry_on", "period_start", "sickness_first_day", "visitation_on"
]


class EventAnchor(_Strict):
    """The date of the earliest event of a kind, on or before the evaluation date."""

    event: Literal["early_followup_requested", "interview_requested"]


class SuspensionEndAnchor(_Strict):
    """The last day of the suspension that covered another rule's deadline (LAB § 102, stk. 4)."""

    suspension_end_at_deadline_of: str


Anchor: TypeAlias = ClockName | EventAnchor | SuspensionEndAnchor


class Amount(_Strict):
    # Bounds keep date arithmetic inside the calendar (no law counts 100 years ahead).
    days: int | None = Field(default=None, ge=1, le=36_500)
    weeks: int | None = Field(default=None, ge=1, le=5_200)
    months: int | None = Field(default=None, ge=1, le=1_200)

    @model_validator(mode="after")
    def _one_unit(self) -> Amount:
        units = [u for u in ("days", "weeks", "months") if getattr(self, u) is not None]
        if len(units) != 1:
            msg = f"give exactly one of days, weeks, months (got {', '.join(units) or 'none'})"
            raise ValueError(msg)
        return self

    @property
    def unit(self) -> str:
        return next(u for u in ("days", "weeks", "months") if getattr(self, u) is not None)

    @property
    def n(self) -> int:
        value = getattr(self, self.unit)
        assert isinstance(value, int)
        return value


class Reckoning(_Strict):
    """One of the four reckonings of concepts.md; exactly one key."""

    after: Amount | None = None
    first: Amount | None = None
    day_after_first: Amount | None = None
    end_of_week: int | None = Field(default=None, ge=1, le=5_200)

    @model_validator(mode="after")
    def _one(self) -> Reckoning:
        keys = [
            k for k in ("after", "first", "day_after_first", "end_of_week") if getattr(self, k) is not None
        ]
        if len(keys) != 1:
            msg = (
                "a reckoning is exactly one of after, first, day_after_first, end_of_week "
                f"(got {', '.join(keys) or 'none'})"
            )
            raise ValueError(msg)
        for key in ("first", "day_after_first"):
            amount = getattr(self, key)
            if amount is not None and amount.unit == "days":
                msg = f"'{key}' counts months or weeks, not days"
                raise ValueError(msg)
        return self

    @property
    def kind(self) -> str:
        return next(
            k for k in ("after", "first", "day_after_first", "end_of_week") if getattr(self, k) is not None
        )


class Window(_Strict):
    """When a step may and must happen, relative to an anchor.

    ``opens`` defaults to the anchor itself; no ``deadline`` means the law sets none (the
    obligation is then never overdue). ``accumulated`` moves ``first``/``day_after_first``
    dates by the case's interruptions (LAB § 9, dagpenge). ``repeat_months`` makes the
    window recur (LAB § 36 a: "then the same for each further 24 months").
    """

    anchor: Anchor
    opens: Reckoning | None = None
    deadline: Reckoning | None = None
    accumulated: bool = False
    repeat_months: int | None = Field(default=None, ge=1, le=1_200)
    deadline_confidence: Confidence | None = None
    note: str | None = None


# --- effects ----------------------------------------------------------------------------


class LateStart(_Strict):
    """LAB § 102, stk. 3: a wage subsidy counts if *given* by the deadline and started soon after."""

    types: list[OfferType]
    days: int = Field(ge=0)


class OfferCounting(_Strict):
    """How an offer event counts towards a ret-og-pligt rule (LAB § 102, stk. 2–6)."""

    min_days: int = Field(default=1, ge=1)
    exclude_types: list[OfferType] = []
    late_start: LateStart | None = None


class Counting(_Strict):
    """Which events count towards ``done``; by default the rule's step by the rule's actor."""

    actors: list[Actor] | None = None
    offer: OfferCounting | None = None


class ObligationEffect(_Strict):
    step: Step
    actor: Actor
    count: int = Field(default=1, ge=1)
    window: Window
    counting: Counting | None = None
    note: str | None = None


class QuotaEffect(ObligationEffect):
    """A caseload floor: per case an obligation the municipality may waive."""

    share: float = Field(gt=0, le=1)


class RightEffect(_Strict):
    step: Step
    actor: Actor
    window: Window
    note: str | None = None


class SuspensionEffect(_Strict):
    """While a documented ground's period holds, rules of the named topics pause."""

    event: Literal["exemption_ground"] = "exemption_ground"
    grounds: list[ExemptionGround]
    unless: Literal["jobcenter_keeps_duties"] | None = "jobcenter_keeps_duties"
    topics: list[Topic]


# --- rules ------------------------------------------------------------------------------

RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9*-]*)+$")]


class Rule(_Strict):
    """A labelled norm from one provision, with exactly one effect."""

    id: RuleId
    title: str
    citation: str = Field(min_length=3)
    citation_verified: bool = True
    valid_from: date
    valid_to: date | None = None
    confidence: Confidence
    source: str | None = None
    topic: Topic
    groups: list[TargetGroup] | None = None
    when: Condition | None = None
    obligation: ObligationEffect | None = None
    quota: QuotaEffect | None = None
    right: RightEffect | None = None
    suspension: SuspensionEffect | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_effect(self) -> Rule:
        effects = [k for k in ("obligation", "quota", "right", "suspension") if getattr(self, k) is not None]
        if len(effects) != 1:
            msg = (
                "a rule has exactly one effect of obligation, quota, right, suspension "
                f"(got {', '.join(effects) or 'none'})"
            )
            raise ValueError(msg)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = f"valid_to {self.valid_to} is before valid_from {self.valid_from}"
            raise ValueError(msg)
        return self

    @property
    def effect_kind(self) -> Literal["obligation", "quota", "right", "suspension"]:
        for kind in ("obligation", "quota", "right", "suspension"):
            if getattr(self, kind) is not None:
                return kind
        raise AssertionError("validated rule without effect")  # pragma: no cover

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class RulePatch(_Strict):
    """The fields a replacement changes; anything left out is inherited from the old rule."""

    id: RuleId
    title: str | None = None
    citation: str | None = None
    citation_verified: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    confidence: Confidence | None = None
    source: str | None = None
    topic: Topic | None = None
    groups: list[TargetGroup] | None = None
    when: Condition | None = None
    obligation: ObligationEffect | None = None
    quota: QuotaEffect | None = None
    right: RightEffect | None = None
    suspension: SuspensionEffect | None = None
    note: str | None = None


# --- layering ---------------------------------------------------------------------------


class _Layer(_Strict):
    citation: str = Field(min_length=3)
    confidence: Confidence
    source: str | None = None
    note: str | None = None


class Repeal(_Layer):
    """The successor statute removes base rules (optionally only for some cases: a transition)."""

    rules: list[str] = Field(min_length=1)
    when: Condition | None = None


class Exemption(_Layer):
    """A deviating regime lifts base rules; evaluations show them as ``exempted``."""

    id: str | None = None
    rules: list[str] = Field(min_length=1)
    when: Condition | None = None
    by: str | None = None
    from_: date | None = Field(default=None, alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Replacement(_Layer):
    """A base rule gives way to a new one; ``with`` holds only the fields that change."""

    rule: str
    with_: RulePatch = Field(alias="with")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AmendSet(_Strict):
    actor: Actor | None = None
    deadline_confidence: Confidence | None = None


class Amendment(_Layer):
    """Inherited rules keep their ids but change a field (e.g. "jobcenteret" → "kommunen")."""

    rules: list[str] | Literal["all"] = "all"
    where_actor: Actor | None = None
    set: AmendSet


# --- safeguards -------------------------------------------------------------------------


class Safeguard(_Strict):
    """A hegnspæl the regime declares it keeps.

    ``kind`` says how ``check`` tests it: ``not_exempted`` (these rules are never lifted),
    ``must_apply`` (for every case matching ``when``, ``rule`` applies and, unless
    ``binding: false``, binds: not exempted, not a waivable quota), ``must_not_apply``
    (for every case matching ``when``, ``rule``
    does not apply), ``quota_share`` (every quota has this share) or ``structural`` (a fact
    about the regime, not about cases: declared and listed, tested by what the regime's
    rules touch).
    """

    id: str
    description: str
    kind: Literal["not_exempted", "must_apply", "must_not_apply", "quota_share", "structural"]
    rules: list[str] = []
    rule: str | None = None
    when: Condition | None = None
    share: float | None = None
    binding: bool = True
    confidence: Confidence
    source: str | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Safeguard:
        need = {
            "not_exempted": ("rules",),
            "must_apply": ("rule",),
            "must_not_apply": ("rule",),
            "quota_share": ("share",),
            "structural": (),
        }[self.kind]
        for name in need:
            if not getattr(self, name):
                msg = f"a '{self.kind}' safeguard needs '{name}'"
                raise ValueError(msg)
        return self


# --- header -----------------------------------------------------------------------------


class NotModelled(_Strict):
    """An area the regime knows it does not encode, so evaluations say so instead of silence."""

    topic: Topic
    groups: list[TargetGroup] | None = None
    note: str


class ContextItem(_Strict):
    """A listed item with no effect on evaluations (e.g. 6-byer catalogue items 6B-04…10)."""

    id: str
    text: str
    confidence: Confidence
    source: str | None = None


class RegimeHeader(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]+$")]
    title: str
    legal_basis: str
    status: RegimeStatus
    valid_from: date | None = None
    valid_to: date | None = None
    scope: Literal["all"] | list[str] = "all"
    extends: str | None = None
    include: list[str] = []
    sources: dict[str, str] = {}
    notes: list[str] = []
    not_modelled: list[NotModelled] = []
    context: list[ContextItem] = []
    #: The known-law horizon (corrections C10): up to which date the regime's content is known.
    #: An evaluation, resolution or diff on a later date carries a warning (:mod:`regimes.horizon`).
    #: Left out: inherited from the regime this one extends.
    known_until: date | None = None
    known_until_reason: str | None = None

    @model_validator(mode="after")
    def _horizon_has_reason(self) -> RegimeHeader:
        if (self.known_until is None) != (self.known_until_reason is None):
            msg = "known_until and known_until_reason go together (the date, and why the law is known so far)"
            raise ValueError(msg)
        return self

    @field_validator("scope")
    @classmethod
    def _known_municipalities(cls, value: Literal["all"] | list[str]) -> Literal["all"] | list[str]:
        from regimes.municipalities import is_municipality

        if isinstance(value, list):
            for code in value:
                if not is_municipality(code):
                    msg = f"scope: {code!r} is not a kommunekode (three digits, e.g. '851')"
                    raise ValueError(msg)
        return value


class ModuleHeader(_Strict):
    """Header of a fragment file (rules only), included by regimes."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]+$")]
    title: str
    legal_basis: str
    sources: dict[str, str] = {}
    notes: list[str] = []


class RulesetFile(_Strict):
    """One YAML file, validated; ``path`` and line numbers are kept by the loader."""

    regime: RegimeHeader | None = None
    module: ModuleHeader | None = None
    rules: list[Rule] = []
    repeal: list[Repeal] = []
    exempt: list[Exemption] = []
    replace: list[Replacement] = []
    amend: list[Amendment] = []
    safeguards: list[Safeguard] = []

    @model_validator(mode="after")
    def _one_header(self) -> RulesetFile:
        if (self.regime is None) == (self.module is None):
            msg = "a ruleset file has exactly one header: 'regime:' or 'module:'"
            raise ValueError(msg)
        if self.module is not None and (self.repeal or self.exempt or self.replace or self.amend):
            msg = "a module file holds rules only (repeal/exempt/replace/amend belong to a regime)"
            raise ValueError(msg)
        return self

    @property
    def id(self) -> str:
        header = self.regime or self.module
        assert header is not None
        return header.id
