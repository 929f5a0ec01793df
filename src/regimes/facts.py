"""Named facts: what a rule's ``when`` may read, and how each is derived from a case.

Why a registry: the ruleset validator rejects an unknown fact or a value of the wrong type
(with the file and line), the back ends receive one flat row per case, and the behavioural
diff partitions each fact's *domain* at the thresholds the conditions use. All three need
the same list, with types and domains, so it lives here once.

Dates travel as ``int`` ``YYYYMMDD`` (see :func:`regimes.dates.to_int`); a missing date is
``0``, which is before every real date, so ``period_start >= 2024-01-01`` is false for a
case that has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from engine.compiled import FactValue
from regimes.case import Case
from regimes.dates import age_on, to_int
from regimes.vocabulary import TargetGroup

FactType = Literal["enum", "bool", "int", "date"]


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact: its type, its finite domain where it has one, and how a case yields it."""

    name: str
    type: FactType
    doc: str
    derive: Callable[[Case, date], FactValue]
    values: tuple[FactValue, ...] = ()
    low: int | None = None
    high: int | None = None

    def accepts(self, value: object) -> bool:
        """Whether ``value`` (as written in YAML, dates as ``date``) fits this fact."""
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "date":
            return isinstance(value, date)
        if self.type == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        return value in self.values and not isinstance(value, bool)

    def encode(self, value: object) -> FactValue:
        """A YAML value in the engine's encoding (dates → ``YYYYMMDD`` ints)."""
        if isinstance(value, date):
            return to_int(value)
        if isinstance(value, bool | int | str):
            return value
        msg = f"cannot encode {value!r} for fact {self.name!r}"
        raise TypeError(msg)

    def render(self, value: FactValue) -> str:
        """How a value reads in a trace (dates back to ISO)."""
        if self.type == "date" and isinstance(value, int) and not isinstance(value, bool):
            if value == 0:
                return "(none)"
            text = f"{value:08d}"
            return f"{text[:4]}-{text[4:6]}-{text[6:]}"
        return str(value)


def _flag(name: str) -> Callable[[Case, date], FactValue]:
    def derive(case: Case, on: date) -> FactValue:
        return bool(getattr(case, name))

    return derive


def _date_fact(getter: Callable[[Case], date | None]) -> Callable[[Case, date], FactValue]:
    def derive(case: Case, on: date) -> FactValue:
        value = getter(case)
        return to_int(value) if value is not None else 0

    return derive


def _has_event(kind: str) -> Callable[[Case, date], FactValue]:
    def derive(case: Case, on: date) -> FactValue:
        return any(event.kind == kind for event in case.events_until(on))

    return derive


def jobcenter_course_from_day_one(case: Case, on: date) -> FactValue:
    """Whether a dagpenge recipient is in the jobcenter's contact course from day one (LAB § 27, stk. 3).

    LAB § 31, stk. 1, 3. pkt. gives six jobcenter interviews in the first 6 months to persons
    placed in a jobcenter contact course under § 27, stk. 3, and § 42, stk. 3 describes them as
    dagpenge recipients **under 25** without a vocational qualifying education and without custody
    of a child living at home (seen; § 27, stk. 3's own text was not read: secondary). So it is
    derived from the case, and the case's own ``jobcenter_course_from_day_one`` (true or false)
    overrides the derivation: a caseworker's placement wins.

    Age is taken on the **start of the dagpenge period** (``period_start``, by default the
    registration), not on the evaluation date: the placement is made on day one, and a person
    who turns 25 during the course does not change course (inferred; the law's reference date was
    not read). Without a period start (a case built without validation), the evaluation date.

    Examples:
        >>> young = Case.model_validate({"id": "y", "birth_date": "2001-05-01", "municipality": "101",
        ...     "group": "dagpenge", "registered_on": "2024-03-04"})
        >>> jobcenter_course_from_day_one(young, date(2026, 6, 1))   # 22 on registration, 25 now
        True
        >>> jobcenter_course_from_day_one(young.model_copy(update={"has_vocational_education": True}),
        ...     date(2024, 3, 10))
        False
        >>> jobcenter_course_from_day_one(young.model_copy(update={"jobcenter_course_from_day_one": False}),
        ...     date(2024, 3, 10))
        False
    """
    if case.jobcenter_course_from_day_one is not None:
        return case.jobcenter_course_from_day_one
    if case.group is not TargetGroup.DAGPENGE:
        return False
    reference = case.effective_period_start or on
    return (
        age_on(case.birth_date, reference) < 25
        and not case.has_vocational_education
        and not case.has_child_in_custody_at_home
    )


_FLAGS: dict[str, str] = {
    "has_vocational_education": "has an erhvervskompetencegivende uddannelse (LAB § 6 nr. 2–5; § 30)",
    "has_child_in_custody_at_home": "has custody of a child living at home (LAB § 30, stk. 1)",
    "covered_by_work_obligation": "covered by the work obligation, arbejdspligt (LAB kap. 16 a)",
    "declines_akasse_participation": "declines the a-kasse's participation in joint interviews",
    "early_joint_interview_wanted": (
        "a joint interview by 3 months is needed or asked for (LAB-2020 § 31, stk. 2, nr. 1)"
    ),
    "in_job_oriented_effort_30a": "uddannelseshjælp recipient in a § 30 a job-oriented effort",
    "employed": "the sick-listed person has a job",
    "sickness_light_track": "on the SDL § 13 f light track (from 2025)",
    "obviously_education_ready": (
        "uddannelseshjælp recipient assessed as obviously education-ready, åbenlyst uddannelsesparat "
        "(LAB § 23, stk. 1, nr. 3)"
    ),
    "expected_absence_under_26_weeks": (
        "employee and employer both expect the sickness absence to last under 26 weeks (lov nr. 1750/2025)"
    ),
}


def _registry() -> dict[str, FactSpec]:
    specs = [
        FactSpec(
            "group",
            "enum",
            "LAB § 6 target group",
            lambda case, on: str(case.group),
            values=tuple(str(g) for g in TargetGroup),
        ),
        FactSpec(
            "age",
            "int",
            "completed years on the evaluation date (inferred reference date)",
            lambda case, on: age_on(case.birth_date, on),
            low=15,
            high=100,
        ),
        FactSpec(
            "visitation_category",
            "int",
            "sickness visitation category 1–3 (SDL § 12); 0 when not yet visited",
            lambda case, on: case.visitation_category or 0,
            values=(0, 1, 2, 3),
            low=0,
            high=3,
        ),
        FactSpec(
            "period_start",
            "date",
            "start of the LAB § 9 period (defaults per group)",
            _date_fact(lambda case: case.effective_period_start),
        ),
        FactSpec(
            "early_followup_requested",
            "bool",
            "an early sickness follow-up was requested (SDL § 13 b, stk. 2) on or before the date",
            _has_event("early_followup_requested"),
        ),
    ]
    specs.append(
        FactSpec(
            "jobcenter_course_from_day_one",
            "bool",
            "dagpenge recipient in the jobcenter's contact course from day one (LAB § 27, stk. 3): the "
            "case's flag, else derived: under 25 at the period start, no vocational education, no child "
            "in custody at home (LAB § 42, stk. 3)",
            jobcenter_course_from_day_one,
        )
    )
    specs += [FactSpec(name, "bool", doc, _flag(name)) for name, doc in _FLAGS.items()]
    return {spec.name: spec for spec in specs}


FACTS: Mapping[str, FactSpec] = _registry()


def fact_row(case: Case, on: date) -> dict[str, FactValue]:
    """Every registered fact of ``case`` as it stood on ``on``: one row for a back end."""
    return {name: spec.derive(case, on) for name, spec in FACTS.items()}
