"""A seeded synthetic population of cases, for population diffs when no caseload is at hand.

Why synthetic: real caseloads are personal data that an analyst comparing two regimes rarely
has, yet "what does the difference add up to?" needs many cases with realistic mixes of target
groups, ages, clocks, flags and histories. Every number below is an **ASSUMPTION** chosen to give
plausible mixes, not a statistic: change them in :data:`ASSUMPTIONS`' source constants, and read
the results as "under these assumptions". ``docs/synthetic-population.md`` explains each.

How a case is drawn: case ``i`` reads only row ``i`` of a matrix of uniform numbers from a seeded
:class:`numpy.random.Generator` (PCG64). So a population is the same for the same ``n``, ``seed``
and ``on`` on every machine, and the first ``k`` cases of a larger population *are* the
``k``-case population: growing ``n`` adds cases without reshuffling the earlier ones.

    >>> from datetime import date
    >>> cases = synthetic_population(3, seed=1, on=date(2026, 10, 1))
    >>> [c.id for c in cases]
    ['syn-1-000000', 'syn-1-000001', 'syn-1-000002']
    >>> cases == synthetic_population(3, seed=1, on=date(2026, 10, 1))
    True
    >>> synthetic_population(5, seed=1, on=date(2026, 10, 1))[:3] == cases
    True

Every case is a validated :class:`~regimes.Case` (built from typed values, so validation is
cheap: 100,000 cases take a few seconds). Histories hold only events dated on or before ``on``:
the population is the caseload *as known on* ``on``.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from regimes.case import Case, StepKind
from regimes.municipalities import MUNICIPALITIES
from regimes.vocabulary import Actor, ExemptionGround, OfferType, TargetGroup

__all__ = ["ASSUMPTIONS", "GROUP_SHARES", "synthetic_population"]

G = TargetGroup

# --------------------------------------------------------------------------------------------
# ASSUMPTIONS. Invented for modelling, not statistics. Each is echoed in ASSUMPTIONS (printed
# in every population report) and explained in docs/synthetic-population.md.
# --------------------------------------------------------------------------------------------

GROUP_SHARES: Final[Mapping[TargetGroup, float]] = MappingProxyType(
    {
        G.DAGPENGE: 0.35,
        G.KONTANTHJAELP_JOBPARAT: 0.15,
        G.KONTANTHJAELP_AKTIVITETSPARAT: 0.15,
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT: 0.07,
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT: 0.05,
        G.SYGEDAGPENGE: 0.15,
        G.LEDIGHEDSYDELSE: 0.03,
        G.JOBAFKLARING: 0.02,
        G.RESSOURCEFORLOEB: 0.02,
        G.REVALIDERING: 0.01,
    }
)
"""Share of each target group in the population (ASSUMPTION; sums to 1)."""

_AGES: Final[Mapping[TargetGroup, tuple[int, int]]] = MappingProxyType(
    {
        G.DAGPENGE: (20, 66),
        G.KONTANTHJAELP_JOBPARAT: (30, 66),
        G.KONTANTHJAELP_AKTIVITETSPARAT: (30, 66),
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT: (18, 29),
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT: (18, 29),
        G.SYGEDAGPENGE: (20, 66),
        G.LEDIGHEDSYDELSE: (30, 66),
        G.JOBAFKLARING: (25, 66),
        G.RESSOURCEFORLOEB: (25, 66),
        G.REVALIDERING: (20, 60),
    }
)
_KH_UNDER_30: Final = 0.15  # kontanthjælp recipients aged 25–29, who then have a vocational education
_KH_UNDER_30_AGES: Final = (25, 29)

_VOCATIONAL: Final[Mapping[TargetGroup, float]] = MappingProxyType(
    {G.DAGPENGE: 0.55, G.KONTANTHJAELP_JOBPARAT: 0.35, G.KONTANTHJAELP_AKTIVITETSPARAT: 0.25}
)
_CHILD_AT_HOME: Final = 0.25
_DP_FROM_DAY_ONE: Final = 0.05  # LAB § 27, stk. 3 referrals
_DP_DECLINES_AKASSE: Final = 0.05
_DP_EARLY_JOINT: Final = 0.10
_WORK_OBLIGATION: Final[Mapping[TargetGroup, float]] = MappingProxyType(
    {G.KONTANTHJAELP_JOBPARAT: 0.15, G.KONTANTHJAELP_AKTIVITETSPARAT: 0.05}
)
_JOB_ORIENTED_30A: Final = 0.10  # uddannelseshjælp recipients in a § 30 a effort
_INTERRUPTION: Final = 0.15  # dagpenge cases with one period of work
_INTERRUPTION_DAYS: Final = (5, 45)

_COMPLIANCE: Final[Mapping[Actor, float]] = MappingProxyType(
    {
        Actor.A_KASSE: 0.90,
        Actor.JOBCENTER: 0.80,
        Actor.MUNICIPALITY: 0.80,
        Actor.CITIZEN: 0.95,
        Actor.EMPLOYER: 0.80,
    }
)
"""Probability that a planned step is held at all, by who holds it (municipality = jobcenter)."""
_LATE: Final = 0.10  # a held step is late with this probability ...
_LATE_DAYS: Final = (1, 30)  # ... by this many days

_OFFER: Final[Mapping[TargetGroup, float]] = MappingProxyType(
    {
        G.DAGPENGE: 0.75,
        G.KONTANTHJAELP_JOBPARAT: 0.65,
        G.KONTANTHJAELP_AKTIVITETSPARAT: 0.45,
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT: 0.60,
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT: 0.40,
        G.LEDIGHEDSYDELSE: 0.30,
        G.JOBAFKLARING: 0.20,
        G.RESSOURCEFORLOEB: 0.30,
        G.REVALIDERING: 0.50,
    }
)
_OFFER_START_DAYS: Final = (30, 180)  # after the period start (late ones: + _LATE_DAYS)
_OFFER_TYPES: Final[Mapping[OfferType, float]] = MappingProxyType(
    {
        OfferType.VIRKSOMHEDSPRAKTIK: 0.35,
        OfferType.LOENTILSKUD: 0.20,
        OfferType.OVO: 0.15,
        OfferType.EDUCATION: 0.10,
        OfferType.NYTTEINDSATS: 0.10,
        OfferType.MENTOR: 0.05,
        OfferType.READING_WRITING_COURSE: 0.03,
        OfferType.PRIOR_LEARNING_ASSESSMENT: 0.02,
    }
)
_OFFER_WEEKS: Final = (2, 13)
_OFFER_SHORT: Final = 0.10  # offers of 5–13 days (too short to count under LAB § 102)
_OFFER_GIVEN_DAYS: Final = (1, 21)  # given this long before the start (always for løntilskud)
_OFFER_GIVEN_RECORDED: Final = 0.5  # other offers record given_on with this probability

_EXEMPTION: Final = 0.04  # LAB § 106 ground documented in a LAB case
_EXEMPTION_GROUNDS: Final[Mapping[ExemptionGround, float]] = MappingProxyType(
    {
        ExemptionGround.START_WITHIN_6_WEEKS: 0.60,
        ExemptionGround.TEMPORARY_LAYOFF: 0.20,
        ExemptionGround.WORK_SHARING: 0.10,
        ExemptionGround.EDUCATION_WITHIN_6_WEEKS: 0.10,  # not for uddannelseshjælp: nr. 1 instead
    }
)
_EXEMPTION_START_DAYS: Final = (14, 170)
_EXEMPTION_DAYS: Final = (14, 42)
_KEEPS_DUTIES: Final = 0.10

_SICK_CATEGORY: Final[Mapping[int, float]] = MappingProxyType({0: 0.10, 1: 0.40, 2: 0.50})
"""Visitation category from 2025 (0 = not yet visited); category 3 was repealed on 2025-01-01."""
_SICK_CATEGORY_BEFORE_2025: Final[Mapping[int, float]] = MappingProxyType(
    {0: 0.10, 1: 0.40, 2: 0.35, 3: 0.15}
)
_CATEGORY_3_REPEALED: Final = dt.date(2025, 1, 1)
_VISITATION_DAYS: Final = (7, 56)
_SICK_EMPLOYED: Final = 0.70
_LIGHT_TRACK: Final = 0.30  # employed, category 2, from 2025 (SDL § 13 f)
_EARLY_FOLLOWUP: Final = 0.05
_MEDICAL_CERTIFICATE: Final = 0.50

_RENAME: Final = dt.date(2026, 7, 1)
"""From here "jobcenteret" is "kommunen" (lov nr. 1750/2025): new events carry actor municipality."""

_MUNI = Actor.JOBCENTER  # placeholder in plans: jobcenter before _RENAME, municipality from it

_Plan = tuple[tuple[StepKind, Actor, int, int], ...]

_DP_PLAN: Final[_Plan] = (
    ("cv_registration", Actor.CITIZEN, 1, 14),
    ("job_interview", Actor.A_KASSE, 3, 14),
    ("job_interview", Actor.A_KASSE, 28, 50),
    ("job_interview", Actor.A_KASSE, 56, 88),
    ("job_interview", _MUNI, 95, 120),
    ("job_interview", _MUNI, 125, 150),
    ("job_interview", _MUNI, 155, 180),
    ("intensified_effort", _MUNI, 200, 470),
)
_DP_DAY_ONE_PLAN: Final[_Plan] = (
    ("cv_registration", Actor.CITIZEN, 1, 14),
    ("job_interview", _MUNI, 3, 14),
    ("job_interview", _MUNI, 28, 45),
    ("job_interview", _MUNI, 56, 75),
    ("job_interview", _MUNI, 85, 110),
    ("job_interview", _MUNI, 115, 145),
    ("job_interview", _MUNI, 150, 180),
    ("intensified_effort", _MUNI, 200, 470),
)
_DP_JOINT: Final = ("joint_interview", _MUNI, 190, 420)
_KH_UH_PLAN: Final[_Plan] = (
    ("job_interview", _MUNI, 1, 7),
    ("job_interview", _MUNI, 30, 60),
    ("job_interview", _MUNI, 75, 110),
    ("job_interview", _MUNI, 130, 180),
)
_OTHER_PLAN: Final[_Plan] = (
    ("job_interview", _MUNI, 7, 30),
    ("job_interview", _MUNI, 45, 75),
    ("job_interview", _MUNI, 90, 120),
    ("job_interview", _MUNI, 135, 180),
)
_SICK_FOLLOWUPS: Final[tuple[tuple[int, int], ...]] = ((35, 56), (70, 100), (105, 140), (145, 180))
_SICK_CAT1_FOLLOWUP: Final = (56, 80)

_PLANS: Final[Mapping[TargetGroup, _Plan]] = MappingProxyType(
    {
        G.KONTANTHJAELP_JOBPARAT: _KH_UH_PLAN,
        G.KONTANTHJAELP_AKTIVITETSPARAT: _KH_UH_PLAN,
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT: _KH_UH_PLAN,
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT: _KH_UH_PLAN,
        G.LEDIGHEDSYDELSE: _OTHER_PLAN,
        G.JOBAFKLARING: _OTHER_PLAN,
        G.RESSOURCEFORLOEB: _OTHER_PLAN,
        G.REVALIDERING: _OTHER_PLAN,
    }
)


def _shares(table: Mapping[Any, float]) -> dict[str, float]:
    return {str(key): value for key, value in table.items()}


def _plan(plan: _Plan) -> list[str]:
    return [
        f"{step} by {'jobcenter/municipality' if actor is _MUNI else actor.value}, days {lo}–{hi}"
        for step, actor, lo, hi in plan
    ]


ASSUMPTIONS: Final[dict[str, Any]] = {
    "label": "ASSUMPTIONS of the synthetic population: invented for modelling, not statistics",
    "generator": "numpy.random.Generator(PCG64(seed)); case i reads only row i (prefix-stable)",
    "group_shares": _shares(GROUP_SHARES),
    "ages": {str(g): list(r) for g, r in _AGES.items()},
    "kontanthjaelp_aged_25_29_with_vocational_education": _KH_UNDER_30,
    "uddannelseshjaelp": "under 30 and without vocational education (LAB § 6: else kontanthjælp)",
    "has_vocational_education": _shares(_VOCATIONAL),
    "has_child_in_custody_at_home": _CHILD_AT_HOME,
    "municipalities": f"uniform over the {len(MUNICIPALITIES)} kommunekoder (no population weights bundled)",
    "start_dates": "uniform over the 365 days before `on` (on − 365 … on − 1)",
    "clocks": {
        "dagpenge": "registered_on = period start",
        "kontanthjaelp/uddannelseshjaelp": "first_inquiry_on = period start",
        "sygedagpenge": "sickness_first_day = start",
        "ledighedsydelse/jobafklaring/ressourceforloeb/revalidering": "period_start = start",
    },
    "dagpenge_flags": {
        "jobcenter_course_from_day_one": _DP_FROM_DAY_ONE,
        "declines_akasse_participation": _DP_DECLINES_AKASSE,
        "early_joint_interview_wanted": _DP_EARLY_JOINT,
        "one_interruption_by_work": _INTERRUPTION,
        "interruption_days": list(_INTERRUPTION_DAYS),
    },
    "covered_by_work_obligation": _shares(_WORK_OBLIGATION),
    "in_job_oriented_effort_30a": _JOB_ORIENTED_30A,
    "compliance": {
        "held": {str(a): p for a, p in _COMPLIANCE.items()},
        "late_share": _LATE,
        "late_days": list(_LATE_DAYS),
        "note": "each planned step is held with the probability of its actor (municipality as jobcenter), "
        "on a day drawn uniformly from its planned range; a held step is late with late_share. "
        "Steps inside a § 106 exemption are not held (unless the jobcenter keeps the duties).",
    },
    "plans_days_after_start": {
        "dagpenge": [
            *_plan(_DP_PLAN),
            "joint_interview by jobcenter/municipality, days 190–420 (unless declined)",
        ],
        "dagpenge_from_day_one": _plan(_DP_DAY_ONE_PLAN),
        "dagpenge_under_25_without_education_or_child": "education_order days 7–90",
        "kontanthjaelp/uddannelseshjaelp": _plan(_KH_UH_PLAN),
        "uddannelseshjaelp": "education_order days 1–7 (unless in a § 30 a effort)",
        "kontanthjaelp_aktivitetsparat_30_plus": "clarification days 300–700",
        "ledighedsydelse/jobafklaring/ressourceforloeb/revalidering": _plan(_OTHER_PLAN),
    },
    "offers": {
        "probability": _shares(_OFFER),
        "start_days": list(_OFFER_START_DAYS),
        "types": _shares(_OFFER_TYPES),
        "weeks": list(_OFFER_WEEKS),
        "short_share_5_13_days": _OFFER_SHORT,
        "given_days_before_start": list(_OFFER_GIVEN_DAYS),
        "given_on_recorded": f"always for loentilskud, else {_OFFER_GIVEN_RECORDED}",
    },
    "exemption_ground_lab_106": {
        "probability": _EXEMPTION,
        "grounds": _shares(_EXEMPTION_GROUNDS),
        "start_days": list(_EXEMPTION_START_DAYS),
        "length_days": list(_EXEMPTION_DAYS),
        "jobcenter_keeps_duties": _KEEPS_DUTIES,
    },
    "sickness": {
        "visitation_category_from_2025": _shares(_SICK_CATEGORY),
        "visitation_category_before_2025": _shares(_SICK_CATEGORY_BEFORE_2025),
        "visitation_days": list(_VISITATION_DAYS),
        "employed": _SICK_EMPLOYED,
        "light_track_employed_category_2_from_2025": _LIGHT_TRACK,
        "early_followup_requested": _EARLY_FOLLOWUP,
        "followups_days": [list(r) for r in _SICK_FOLLOWUPS],
        "category_1_followup_days": list(_SICK_CAT1_FOLLOWUP),
        "medical_certificate": _MEDICAL_CERTIFICATE,
        "other": "a-kasse interview days 7–28 if not employed; employer absence interview days 7–28 if "
        "employed; reassessment days 150–170",
    },
    "actor_rename": f"events from {_RENAME} carry actor municipality, not jobcenter (lov nr. 1750/2025)",
}
"""Every assumption of :func:`synthetic_population`, as printed in population reports."""

# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------

_COLUMNS: Final = 128
"""Uniform numbers per case; a case uses far fewer (a test checks that none runs out)."""
_BLOCK: Final = 8192
_MUNICIPALITY_CODES: Final[tuple[str, ...]] = tuple(MUNICIPALITIES)
_ONE_DAY: Final = dt.timedelta(days=1)


def _cumulative(table: Mapping[Any, float]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """Keys and their cumulative weights (normalised), for drawing by one uniform number."""
    keys = tuple(table)
    total = sum(table.values())
    running = 0.0
    bounds: list[float] = []
    for key in keys:
        running += table[key] / total
        bounds.append(running)
    bounds[-1] = 1.0
    return keys, tuple(bounds)


_GROUP_DRAW: Final = _cumulative(GROUP_SHARES)
_OFFER_DRAW: Final = _cumulative(_OFFER_TYPES)
_GROUND_DRAW: Final = _cumulative(_EXEMPTION_GROUNDS)
_CATEGORY_DRAW: Final = _cumulative(_SICK_CATEGORY)
_CATEGORY_DRAW_BEFORE_2025: Final = _cumulative(_SICK_CATEGORY_BEFORE_2025)


class _Draws:
    """One case's uniform numbers, consumed in order (so a case depends on its own row only)."""

    __slots__ = ("_next",)

    def __init__(self, row: Sequence[float]) -> None:
        self._next: Iterator[float] = iter(row)

    def u(self) -> float:
        try:
            return next(self._next)
        except StopIteration:  # pragma: no cover - guarded by a test
            msg = f"a synthetic case needed more than {_COLUMNS} uniform numbers"
            raise RuntimeError(msg) from None

    def chance(self, p: float) -> bool:
        return self.u() < p

    def between(self, lo: int, hi: int) -> int:
        """An integer uniform on ``lo … hi`` inclusive."""
        return lo + min(int(self.u() * (hi - lo + 1)), hi - lo)

    def pick(self, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
        keys, bounds = table
        x = self.u()
        for key, bound in zip(keys, bounds, strict=True):
            if x < bound:
                return key
        return keys[-1]  # pragma: no cover - x < 1.0 = bounds[-1]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(slots=True)
class _Builder:
    """The history of one case under construction; drops what lies after ``on``."""

    start: dt.date
    on: dt.date
    draws: _Draws
    paused: tuple[dt.date, dt.date] | None = None
    events: list[tuple[dt.date, dict[str, Any]]] = field(default_factory=list)

    def day(self, offset: int) -> dt.date:
        return self.start + dt.timedelta(days=offset)

    def add(self, on: dt.date, event: dict[str, Any]) -> None:
        """Record an event (a typed mapping: one validation per case is cheaper than one per event)."""
        if on <= self.on:
            self.events.append((on, event))

    def step(self, kind: StepKind, actor: Actor, lo: int, hi: int) -> dt.date | None:
        """A planned step, held with the actor's compliance probability, maybe late."""
        d = self.draws
        held = d.chance(_COMPLIANCE[actor])
        offset = d.between(lo, hi)
        if d.chance(_LATE):
            offset += d.between(*_LATE_DAYS)
        when = self.day(offset)
        if not held or when > self.on:
            return None
        if self.paused is not None and self.paused[0] <= when <= self.paused[1]:
            return None
        real = Actor.MUNICIPALITY if actor is Actor.JOBCENTER and when >= _RENAME else actor
        self.add(when, {"kind": kind, "on": when, "actor": real})
        return when

    def sorted_events(self) -> list[dict[str, Any]]:
        self.events.sort(key=lambda item: item[0])
        return [event for _, event in self.events]


def _offer(b: _Builder) -> None:
    d = b.draws
    offset = d.between(*_OFFER_START_DAYS)
    if d.chance(_LATE):
        offset += d.between(*_LATE_DAYS)
    kind: OfferType = d.pick(_OFFER_DRAW)
    days = d.between(5, 13) if d.chance(_OFFER_SHORT) else 7 * d.between(*_OFFER_WEEKS)
    before = d.between(*_OFFER_GIVEN_DAYS)
    recorded = kind is OfferType.LOENTILSKUD or d.chance(_OFFER_GIVEN_RECORDED)
    start = b.day(offset)
    given = start - dt.timedelta(days=before) if recorded else None
    known = given or start
    if known > b.on or (b.paused is not None and b.paused[0] <= start <= b.paused[1]):
        return
    actor = Actor.MUNICIPALITY if known >= _RENAME else Actor.JOBCENTER
    end = start + dt.timedelta(days=days - 1)
    event = {"kind": "offer", "type": kind, "start": start, "end": end, "given_on": given, "actor": actor}
    b.add(known, event)


def _exemption(b: _Builder, group: TargetGroup) -> None:
    d = b.draws
    ground: ExemptionGround = d.pick(_GROUND_DRAW)
    if ground is ExemptionGround.EDUCATION_WITHIN_6_WEEKS and group in (
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT,
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT,
    ):
        ground = ExemptionGround.START_WITHIN_6_WEEKS  # nr. 4 is not for uddannelseshjælp
    start = b.day(d.between(*_EXEMPTION_START_DAYS))
    end = start + dt.timedelta(days=d.between(*_EXEMPTION_DAYS) - 1)
    keeps = d.chance(_KEEPS_DUTIES)
    if start > b.on:
        return
    documented = (
        end + _ONE_DAY
        if ground
        in (
            ExemptionGround.START_WITHIN_6_WEEKS,
            ExemptionGround.EDUCATION_WITHIN_6_WEEKS,
        )
        else None
    )
    b.add(
        start,
        {
            "kind": "exemption_ground",
            "ground": ground,
            "start": start,
            "end": end,
            "jobcenter_keeps_duties": keeps,
            "documented_start_on": documented,
        },
    )
    if not keeps:
        b.paused = (start, end)


def _interruption(b: _Builder) -> list[dict[str, dt.date]]:
    d = b.draws
    if not d.chance(_INTERRUPTION):
        return []
    start = b.day(d.between(20, 250))
    end = start + dt.timedelta(days=d.between(*_INTERRUPTION_DAYS) - 1)
    if end >= b.on:
        return []
    return [{"start": start, "end": end}]


def _lab_case(b: _Builder, group: TargetGroup, age: int, fields: dict[str, Any]) -> None:
    """Flags and history of a LAB case (every group but sygedagpenge)."""
    d = b.draws
    vocational = fields.get("has_vocational_education", False)
    child = d.chance(_CHILD_AT_HOME)
    fields["has_child_in_custody_at_home"] = child
    if d.chance(_EXEMPTION):
        _exemption(b, group)
    if group is G.DAGPENGE:
        from_day_one = d.chance(_DP_FROM_DAY_ONE)
        declines = d.chance(_DP_DECLINES_AKASSE)
        fields["jobcenter_course_from_day_one"] = from_day_one
        fields["declines_akasse_participation"] = declines
        fields["early_joint_interview_wanted"] = d.chance(_DP_EARLY_JOINT)
        fields["interruptions"] = _interruption(b)
        for item in _DP_DAY_ONE_PLAN if from_day_one else _DP_PLAN:
            b.step(*item)
        if not declines:
            b.step(*_DP_JOINT)
        if age < 25 and not vocational and not child:
            b.step("education_order", _MUNI, 7, 90)
    else:
        for item in _PLANS[group]:
            b.step(*item)
        if group in _WORK_OBLIGATION:
            fields["covered_by_work_obligation"] = d.chance(_WORK_OBLIGATION[group])
        if group in (G.UDDANNELSESHJAELP_UDDANNELSESPARAT, G.UDDANNELSESHJAELP_AKTIVITETSPARAT):
            in_30a = d.chance(_JOB_ORIENTED_30A)
            fields["in_job_oriented_effort_30a"] = in_30a
            if not in_30a:
                b.step("education_order", _MUNI, 1, 7)
        if group is G.KONTANTHJAELP_AKTIVITETSPARAT and age >= 30:
            b.step("clarification", Actor.MUNICIPALITY, 300, 700)
    if d.chance(_OFFER[group]):
        _offer(b)


def _sickness_case(b: _Builder, fields: dict[str, Any]) -> None:
    """Flags and history of a sygedagpenge case (SDL follow-up)."""
    d = b.draws
    table = _CATEGORY_DRAW if b.on >= _CATEGORY_3_REPEALED else _CATEGORY_DRAW_BEFORE_2025
    category: int = d.pick(table)
    visited = b.day(d.between(*_VISITATION_DAYS))
    employed = d.chance(_SICK_EMPLOYED)
    light = d.chance(_LIGHT_TRACK)
    fields["employed"] = employed
    if category and visited <= b.on:
        fields["visitation_category"] = category
        fields["visitation_on"] = visited
        b.add(visited, {"kind": "sickness_visitation", "on": visited, "actor": Actor.MUNICIPALITY})
        on_light_track = light and employed and category == 2 and b.on >= _CATEGORY_3_REPEALED
        fields["sickness_light_track"] = on_light_track
    else:
        category, on_light_track = 0, False
    if category == 1:
        b.step("sickness_followup_interview", Actor.MUNICIPALITY, *_SICK_CAT1_FOLLOWUP)
    else:
        for lo, hi in _SICK_FOLLOWUPS[:1] if on_light_track else _SICK_FOLLOWUPS:
            b.step("sickness_followup_interview", Actor.MUNICIPALITY, lo, hi)
        if d.chance(_MEDICAL_CERTIFICATE):
            b.step("medical_certificate", Actor.MUNICIPALITY, 14, 56)
    if employed:
        b.step("employer_absence_interview", Actor.EMPLOYER, 7, 28)
    else:
        b.step("job_interview", Actor.A_KASSE, 7, 28)
    b.step("sickness_reassessment", Actor.MUNICIPALITY, 150, 170)
    if d.chance(_EARLY_FOLLOWUP):
        asked = b.day(d.between(7, 28))
        by = "employer" if employed else "citizen"
        b.add(asked, {"kind": "early_followup_requested", "on": asked, "by": by})
        offset = (asked - b.start).days
        b.step("sickness_followup_interview", Actor.MUNICIPALITY, offset + 3, offset + 14)


_CLOCK: Final[Mapping[TargetGroup, str]] = MappingProxyType(
    {
        G.DAGPENGE: "registered_on",
        G.KONTANTHJAELP_JOBPARAT: "first_inquiry_on",
        G.KONTANTHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
        G.UDDANNELSESHJAELP_UDDANNELSESPARAT: "first_inquiry_on",
        G.UDDANNELSESHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
        G.SYGEDAGPENGE: "sickness_first_day",
    }
)


def _case(index: int, seed: int, on: dt.date, row: Sequence[float], prefix: str) -> Case:
    d = _Draws(row)
    group: TargetGroup = d.pick(_GROUP_DRAW)
    municipality = _MUNICIPALITY_CODES[
        min(int(d.u() * len(_MUNICIPALITY_CODES)), len(_MUNICIPALITY_CODES) - 1)
    ]
    start = on - dt.timedelta(days=d.between(1, 365))
    fields: dict[str, Any] = {}
    if group in (G.KONTANTHJAELP_JOBPARAT, G.KONTANTHJAELP_AKTIVITETSPARAT) and d.chance(_KH_UNDER_30):
        age = d.between(*_KH_UNDER_30_AGES)
        fields["has_vocational_education"] = True
    else:
        age = d.between(*_AGES[group])
        if group in _VOCATIONAL:
            fields["has_vocational_education"] = d.chance(_VOCATIONAL[group])
    birth = _years_before(on, age) - dt.timedelta(days=d.between(0, 364))
    fields[_CLOCK.get(group, "period_start")] = start
    b = _Builder(start=start, on=on, draws=d)
    if group is G.SYGEDAGPENGE:
        _sickness_case(b, fields)
    else:
        _lab_case(b, group, age, fields)
    fields.update(
        id=f"{prefix}-{seed}-{index:06d}",
        birth_date=birth,
        municipality=municipality,
        group=group,
        events=b.sorted_events(),
    )
    return Case.model_validate(fields)


def synthetic_population(n: int, seed: int, *, on: dt.date, prefix: str = "syn") -> list[Case]:
    """``n`` validated synthetic cases whose periods start in the 12 months before ``on``.

    Args:
        n: how many cases (0 or more).
        seed: the seed of the numpy generator; the same ``n``, ``seed`` and ``on`` give the same cases.
        on: the date the population is seen on: periods start on ``on − 365 … on − 1`` and
            histories hold only events dated on or before it.
        prefix: case ids are ``{prefix}-{seed}-{index:06d}``.

    Raises:
        ValueError: ``n`` is negative.
    """
    if n < 0:
        msg = f"'n' must be 0 or more (got {n})"
        raise ValueError(msg)
    rng = np.random.Generator(np.random.PCG64(seed))
    cases: list[Case] = []
    # Many small acyclic objects: the cyclic collector would rescan them all, again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for first in range(0, n, _BLOCK):
            rows: list[list[float]] = rng.random((min(_BLOCK, n - first), _COLUMNS)).tolist()
            for offset, row in enumerate(rows):
                cases.append(_case(first + offset, seed, on, row, prefix))
    finally:
        if collecting:
            gc.enable()
    return cases
