"""The synthetic population generated column-wise: the same cases, without a Python object per case.

:func:`synthetic_columns` gives exactly the tables :func:`regimes.columnar.columns_from_cases`
builds from :func:`regimes.synthetic.synthetic_population` with the same ``n``, ``seed`` and
``on`` (a test holds them equal). Why that is possible: case ``i`` reads only row ``i`` of the
seeded uniform matrix, in an order its own branches decide; here each case keeps a *cursor*
into its row, and every draw of the per-case generator becomes one NumPy read of
``rows[cases, cursor[cases]]`` for the cases that take that branch, with the cursors advanced.
All the assumptions are the per-case module's constants, read from there.

    >>> from datetime import date
    >>> cols = synthetic_columns(1000, seed=1, on=date(2026, 10, 1))
    >>> cols.n, cols.id_of(0), cols.id_of(999)
    (1000, 'syn-1-000000', 'syn-1-000999')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from engine.columnar.tables import NO_DATE, Categorical, EventTable, IntervalTable, day_number
from regimes import synthetic as s
from regimes.columnar import (
    ACTORS,
    CLOCKS,
    EVENT_KINDS,
    FLAGS,
    GIVEN,
    GROUNDS,
    GROUPS,
    MUNICIPALITY_CODES,
    OFFER_TYPES,
    OPTIONAL_FLAGS,
    CaseColumns,
)
from regimes.vocabulary import Actor, ExemptionGround, OfferType, TargetGroup

__all__ = ["SyntheticIds", "synthetic_chunks", "synthetic_columns"]

_I64 = np.int64
G = TargetGroup
_KIND: Final = {k: i for i, k in enumerate(EVENT_KINDS)}
_ACTOR: Final = {a: i for i, a in enumerate(ACTORS)}
_OFFER_TYPE: Final = {t: i for i, t in enumerate(OFFER_TYPES)}
_GROUND: Final = {g: i for i, g in enumerate(GROUNDS)}
_GROUP: Final = {g: i for i, g in enumerate(GROUPS)}


@dataclass(frozen=True, eq=False)
class SyntheticIds:
    """Case ids ``{prefix}-{seed}-{index:06d}`` made only when read (a million strings cost a second)."""

    prefix: str
    seed: int
    index: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> str:
        return f"{self.prefix}-{self.seed}-{int(self.index[i]):06d}"

    def take(self, positions: npt.NDArray[Any]) -> SyntheticIds:
        return SyntheticIds(self.prefix, self.seed, self.index[positions])

    def to_list(self) -> list[str]:
        return [self[i] for i in range(len(self))]


class _Draws:
    """Each case's row of uniform numbers and its cursor (the vectorised ``synthetic._Draws``)."""

    def __init__(self, rows: npt.NDArray[np.float64]) -> None:
        self.rows = rows
        self.cursor = np.zeros(len(rows), dtype=_I64)

    def u(self, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        at = self.cursor[idx]
        if len(at) and int(at.max()) >= self.rows.shape[1]:  # pragma: no cover - guarded by a test
            msg = f"a synthetic case needed more than {self.rows.shape[1]} uniform numbers"
            raise RuntimeError(msg)
        self.cursor[idx] = at + 1
        return self.rows[idx, at]

    def chance(self, idx: npt.NDArray[np.int64], p: float | npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        return np.asarray(self.u(idx) < p, dtype=np.bool_)

    def between(self, idx: npt.NDArray[np.int64], lo: Any, hi: Any) -> npt.NDArray[np.int64]:
        span = np.asarray(hi - lo, dtype=_I64)
        return np.asarray(lo + np.minimum((self.u(idx) * (span + 1)).astype(_I64), span), dtype=_I64)

    def pick(
        self, idx: npt.NDArray[np.int64], table: tuple[tuple[Any, ...], tuple[float, ...]]
    ) -> npt.NDArray[np.int64]:
        """Positions into ``table``'s keys (the first whose cumulative bound exceeds the draw)."""
        keys, bounds = table
        at = np.searchsorted(np.array(bounds), self.u(idx), side="right")
        return np.minimum(at, len(keys) - 1).astype(_I64)


class _Events:
    """Events appended in the per-case generator's order (a global counter keeps it per case)."""

    def __init__(self) -> None:
        self.parts: list[dict[str, npt.NDArray[Any]]] = []
        self.count = 0

    def add(self, case: npt.NDArray[np.int64], day: npt.NDArray[np.int64], kind: str, **fields: Any) -> None:
        m = len(case)
        if m == 0:
            return
        row: dict[str, npt.NDArray[Any]] = {
            "case": case,
            "day": day,
            "seq": np.arange(self.count, self.count + m, dtype=_I64),
            "kind": np.full(m, _KIND[kind], dtype=np.int16),
        }
        self.count += m
        for name, value in fields.items():
            row[name] = np.broadcast_to(np.asarray(value), (m,))
        self.parts.append(row)

    def table(self) -> EventTable:
        def col(name: str, dtype: Any, default: Any) -> npt.NDArray[Any]:
            if not self.parts:
                return np.zeros(0, dtype=dtype)
            return np.concatenate(
                [
                    p[name].astype(dtype) if name in p else np.full(len(p["case"]), default, dtype=dtype)
                    for p in self.parts
                ]
            )

        case = col("case", _I64, 0)
        day = col("day", _I64, NO_DATE)
        # Parts are concatenated in insertion order, so a stable sort by (case, day) keeps it.
        low = int(day.min()) if len(day) else 0
        span = (int(day.max()) - low + 1) if len(day) else 1
        order = np.argsort(case * span + (day - low), kind="stable")
        return EventTable(
            case=case[order],
            day=day[order],
            kind=Categorical(col("kind", np.int16, -1)[order], EVENT_KINDS),
            actor=Categorical(col("actor", np.int16, -1)[order], ACTORS),
            start=col("start", _I64, NO_DATE)[order],
            end=col("end", _I64, NO_DATE)[order],
            given=col("given", _I64, NO_DATE)[order],
            offer_type=Categorical(col("offer_type", np.int16, -1)[order], OFFER_TYPES),
            ground=Categorical(col("ground", np.int16, -1)[order], GROUNDS),
            keeps=col("keeps", np.bool_, False)[order],
        )


_RENAME: Final = day_number(s._RENAME)
_MUNICIPALITY: Final = _ACTOR[Actor.MUNICIPALITY.value]
_JOBCENTER: Final = _ACTOR[Actor.JOBCENTER.value]


class _Builder:
    """The vectorised ``synthetic._Builder``: histories of many cases under construction."""

    def __init__(self, draws: _Draws, start: npt.NDArray[np.int64], on: int, events: _Events) -> None:
        self.d = draws
        self.start = start
        self.on = on
        self.events = events
        n = len(start)
        self.paused_start = np.full(n, NO_DATE, dtype=_I64)
        self.paused_end = np.full(n, NO_DATE, dtype=_I64)

    def paused(self, idx: npt.NDArray[np.int64], day: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        ps, pe = self.paused_start[idx], self.paused_end[idx]
        return np.asarray((ps != NO_DATE) & (ps <= day) & (day <= pe), dtype=np.bool_)

    def step(self, idx: npt.NDArray[np.int64], kind: str, actor: Actor, lo: Any, hi: Any) -> None:
        d = self.d
        held = d.chance(idx, s._COMPLIANCE[actor])
        offset = d.between(idx, lo, hi)
        late = d.chance(idx, s._LATE)
        late_idx = idx[late]
        offset[late] += d.between(late_idx, *s._LATE_DAYS)
        when = self.start[idx] + offset
        ok = held & (when <= self.on) & ~self.paused(idx, when)
        code = _ACTOR[actor.value]
        if actor is Actor.JOBCENTER:
            actors = np.where(when >= _RENAME, _MUNICIPALITY, _JOBCENTER)
        else:
            actors = np.full(len(idx), code)
        self.events.add(idx[ok], when[ok], kind, actor=actors[ok])


def _offer(b: _Builder, idx: npt.NDArray[np.int64]) -> None:
    d = b.d
    offset = d.between(idx, *s._OFFER_START_DAYS)
    late = d.chance(idx, s._LATE)
    offset[late] += d.between(idx[late], *s._LATE_DAYS)
    kinds = d.pick(idx, s._OFFER_DRAW)
    short = d.chance(idx, s._OFFER_SHORT)
    days = np.zeros(len(idx), dtype=_I64)
    days[short] = d.between(idx[short], 5, 13)
    days[~short] = 7 * d.between(idx[~short], *s._OFFER_WEEKS)
    before = d.between(idx, *s._OFFER_GIVEN_DAYS)
    keys = s._OFFER_DRAW[0]
    loen = kinds == keys.index(OfferType.LOENTILSKUD)
    recorded = loen.copy()
    others = ~loen
    recorded[others] = d.chance(idx[others], s._OFFER_GIVEN_RECORDED)
    start = b.start[idx] + offset
    given = np.where(recorded, start - before, NO_DATE)
    known = np.where(recorded, given, start)
    ok = (known <= b.on) & ~b.paused(idx, start)
    actor = np.where(known >= _RENAME, _MUNICIPALITY, _JOBCENTER)
    type_codes = np.array([_OFFER_TYPE[k.value] for k in keys], dtype=np.int16)[kinds]
    b.events.add(
        idx[ok],
        known[ok],
        "offer",
        actor=actor[ok],
        start=start[ok],
        end=(start + days - 1)[ok],
        given=given[ok],
        offer_type=type_codes[ok],
    )


def _exemption(b: _Builder, idx: npt.NDArray[np.int64], group: TargetGroup) -> None:
    d = b.d
    keys = s._GROUND_DRAW[0]
    ground = d.pick(idx, s._GROUND_DRAW)
    if group in (G.UDDANNELSESHJAELP_UDDANNELSESPARAT, G.UDDANNELSESHJAELP_AKTIVITETSPARAT):
        ground = np.where(
            ground == keys.index(ExemptionGround.EDUCATION_WITHIN_6_WEEKS),
            keys.index(ExemptionGround.START_WITHIN_6_WEEKS),
            ground,
        )
    start = b.start[idx] + d.between(idx, *s._EXEMPTION_START_DAYS)
    end = start + d.between(idx, *s._EXEMPTION_DAYS) - 1
    keeps = d.chance(idx, s._KEEPS_DUTIES)
    ok = start <= b.on
    codes = np.array([_GROUND[k.value] for k in keys], dtype=np.int16)[ground]
    b.events.add(
        idx[ok],
        start[ok],
        "exemption_ground",
        start=start[ok],
        end=end[ok],
        ground=codes[ok],
        keeps=keeps[ok],
    )
    pause = ok & ~keeps
    b.paused_start[idx[pause]] = start[pause]
    b.paused_end[idx[pause]] = end[pause]


def _plan(b: _Builder, idx: npt.NDArray[np.int64], plan: Sequence[tuple[str, Actor, int, int]]) -> None:
    for kind, actor, lo, hi in plan:
        b.step(idx, kind, actor, lo, hi)


def _lab(
    b: _Builder,
    idx: npt.NDArray[np.int64],
    group: TargetGroup,
    age: npt.NDArray[np.int64],
    vocational: npt.NDArray[np.bool_],
    flags: dict[str, npt.NDArray[np.bool_]],
    intervals: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]],
) -> None:
    d = b.d
    child = d.chance(idx, s._CHILD_AT_HOME)
    flags["has_child_in_custody_at_home"][idx] = child
    exempt = d.chance(idx, s._EXEMPTION)
    _exemption(b, idx[exempt], group)
    if group is G.DAGPENGE:
        day_one = d.chance(idx, s._DP_FROM_DAY_ONE)
        declines = d.chance(idx, s._DP_DECLINES_AKASSE)
        flags["jobcenter_course_from_day_one"][idx] = day_one
        flags[f"jobcenter_course_from_day_one{GIVEN}"][idx] = True
        flags["declines_akasse_participation"][idx] = declines
        flags["early_joint_interview_wanted"][idx] = d.chance(idx, s._DP_EARLY_JOINT)
        interrupted = d.chance(idx, s._INTERRUPTION)
        iv = idx[interrupted]
        istart = b.start[iv] + d.between(iv, 20, 250)
        iend = istart + d.between(iv, *s._INTERRUPTION_DAYS) - 1
        keep = iend < b.on
        intervals.append((iv[keep], istart[keep], iend[keep]))
        _plan(b, idx[day_one], s._DP_DAY_ONE_PLAN)
        _plan(b, idx[~day_one], s._DP_PLAN)
        b.step(idx[~declines], *s._DP_JOINT)
        order = (age < 25) & ~vocational & ~child
        b.step(idx[order], "education_order", s._MUNI, 7, 90)
    else:
        _plan(b, idx, s._PLANS[group])
        if group in s._WORK_OBLIGATION:
            flags["covered_by_work_obligation"][idx] = d.chance(idx, s._WORK_OBLIGATION[group])
        if group in (G.UDDANNELSESHJAELP_UDDANNELSESPARAT, G.UDDANNELSESHJAELP_AKTIVITETSPARAT):
            in_30a = d.chance(idx, s._JOB_ORIENTED_30A)
            flags["in_job_oriented_effort_30a"][idx] = in_30a
            b.step(idx[~in_30a], "education_order", s._MUNI, 1, 7)
        if group is G.KONTANTHJAELP_AKTIVITETSPARAT:
            b.step(idx[age >= 30], "clarification", Actor.MUNICIPALITY, 300, 700)
    offered = d.chance(idx, s._OFFER[group])
    _offer(b, idx[offered])


def _sickness(
    b: _Builder,
    idx: npt.NDArray[np.int64],
    flags: dict[str, npt.NDArray[np.bool_]],
    category_out: npt.NDArray[np.int64],
    visitation_on: npt.NDArray[np.int64],
) -> None:
    d = b.d
    after_2025 = b.on >= day_number(s._CATEGORY_3_REPEALED)
    table = s._CATEGORY_DRAW if after_2025 else s._CATEGORY_DRAW_BEFORE_2025
    category = np.array(table[0], dtype=_I64)[d.pick(idx, table)]
    visited = b.start[idx] + d.between(idx, *s._VISITATION_DAYS)
    employed = d.chance(idx, s._SICK_EMPLOYED)
    light = d.chance(idx, s._LIGHT_TRACK)
    flags["employed"][idx] = employed
    seen = (category > 0) & (visited <= b.on)
    category_out[idx[seen]] = category[seen]
    visitation_on[idx[seen]] = visited[seen]
    b.events.add(idx[seen], visited[seen], "sickness_visitation", actor=_MUNICIPALITY)
    light_track = seen & light & employed & (category == 2) & after_2025
    flags["sickness_light_track"][idx] = light_track
    category = np.where(seen, category, 0)
    one = category == 1
    b.step(idx[one], "sickness_followup_interview", Actor.MUNICIPALITY, *s._SICK_CAT1_FOLLOWUP)
    rest = ~one
    for k, (lo, hi) in enumerate(s._SICK_FOLLOWUPS):
        who = rest if k == 0 else rest & ~light_track
        b.step(idx[who], "sickness_followup_interview", Actor.MUNICIPALITY, lo, hi)
    rest_idx = idx[rest]
    certificate = d.chance(rest_idx, s._MEDICAL_CERTIFICATE)
    b.step(rest_idx[certificate], "medical_certificate", Actor.MUNICIPALITY, 14, 56)
    b.step(idx[employed], "employer_absence_interview", Actor.EMPLOYER, 7, 28)
    b.step(idx[~employed], "job_interview", Actor.A_KASSE, 7, 28)
    b.step(idx, "sickness_reassessment", Actor.MUNICIPALITY, 150, 170)
    early = d.chance(idx, s._EARLY_FOLLOWUP)
    ei = idx[early]
    asked = b.start[ei] + d.between(ei, 7, 28)
    known = asked <= b.on
    b.events.add(ei[known], asked[known], "early_followup_requested")
    offset = asked - b.start[ei]
    b.step(ei, "sickness_followup_interview", Actor.MUNICIPALITY, offset + 3, offset + 14)


def _years_before(on: dt.date, ages: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Day numbers of ``synthetic._years_before(on, age)`` for each age (29 February → 28)."""
    distinct = np.unique(ages)
    lookup = {int(a): day_number(s._years_before(on, int(a))) for a in distinct.tolist()}
    table = np.array([lookup[int(a)] for a in distinct.tolist()], dtype=_I64)
    return table[np.searchsorted(distinct, ages)]


def _block(rows: npt.NDArray[np.float64], first: int, on: dt.date) -> CaseColumns:
    """The columns of cases ``first … first + len(rows) − 1`` from their uniform rows."""
    n = len(rows)
    d = _Draws(rows)
    everyone = np.arange(n, dtype=_I64)
    today = day_number(on)
    group_keys = s._GROUP_DRAW[0]
    group_pos = d.pick(everyone, s._GROUP_DRAW)
    group_code = np.array([_GROUP[g.value] for g in group_keys], dtype=np.int16)[group_pos]
    m = len(MUNICIPALITY_CODES)
    municipality = np.minimum((d.u(everyone) * m).astype(_I64), m - 1).astype(np.int16)
    start = today - d.between(everyone, 1, 365)
    age = np.zeros(n, dtype=_I64)
    vocational = np.zeros(n, dtype=np.bool_)
    flags = {name: np.zeros(n, dtype=np.bool_) for name in FLAGS}
    for name in OPTIONAL_FLAGS:  # left out (None) unless a group's draw gives it
        flags[name] = np.zeros(n, dtype=np.bool_)
        flags[f"{name}{GIVEN}"] = np.zeros(n, dtype=np.bool_)
    # Per group, in the order the per-case draws would be taken.
    lo_age = np.array([s._AGES[g][0] for g in group_keys], dtype=_I64)[group_pos]
    hi_age = np.array([s._AGES[g][1] for g in group_keys], dtype=_I64)[group_pos]
    kh = np.isin(
        group_pos,
        [group_keys.index(G.KONTANTHJAELP_JOBPARAT), group_keys.index(G.KONTANTHJAELP_AKTIVITETSPARAT)],
    )
    kh_idx = everyone[kh]
    young = np.zeros(n, dtype=np.bool_)
    young[kh_idx] = d.chance(kh_idx, s._KH_UNDER_30)
    yi = everyone[young]
    age[yi] = d.between(yi, *s._KH_UNDER_30_AGES)
    vocational[yi] = True
    oi = everyone[~young]
    age[oi] = d.between(oi, lo_age[oi], hi_age[oi])
    voc_p = np.array([s._VOCATIONAL.get(g, -1.0) for g in group_keys])[group_pos]
    vi = oi[voc_p[oi] >= 0]
    vocational[vi] = d.chance(vi, voc_p[vi])
    flags["has_vocational_education"] = vocational
    birth = _years_before(on, age) - d.between(everyone, 0, 364)
    clocks = {name: np.full(n, NO_DATE, dtype=_I64) for name in CLOCKS}
    events = _Events()
    b = _Builder(d, start, today, events)
    category = np.zeros(n, dtype=_I64)
    visitation = clocks["visitation_on"]
    intervals: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
    for position, group in enumerate(group_keys):
        idx = everyone[group_pos == position]
        if not len(idx):
            continue
        clock = s._CLOCK.get(group, "period_start")
        clocks[clock][idx] = start[idx]
        clocks["period_start"][idx] = start[idx]  # the effective period start
        if group is G.SYGEDAGPENGE:
            _sickness(b, idx, flags, category, visitation)
        else:
            _lab(b, idx, group, age[idx], vocational[idx], flags, intervals)
    icase = np.concatenate([iv[0] for iv in intervals]) if intervals else np.zeros(0, dtype=_I64)
    istart = np.concatenate([iv[1] for iv in intervals]) if intervals else np.zeros(0, dtype=_I64)
    iend = np.concatenate([iv[2] for iv in intervals]) if intervals else np.zeros(0, dtype=_I64)
    order = np.argsort(icase, kind="stable")
    return CaseColumns(
        ids=np.arange(first, first + n, dtype=_I64),
        birth=birth,
        municipality=Categorical(municipality, MUNICIPALITY_CODES),
        group=Categorical(group_code, GROUPS),
        clocks=clocks,
        flags=flags,
        visitation_category=category,
        events=events.table(),
        intervals=IntervalTable(icase[order], istart[order], iend[order]),
    )


def synthetic_chunks(
    n: int, seed: int, *, on: dt.date, prefix: str = "syn", chunk: int = 65_536
) -> Iterator[CaseColumns]:
    """The population of :func:`synthetic_columns` in chunks of about ``chunk`` cases (bounded memory)."""
    if n < 0:
        msg = f"'n' must be 0 or more (got {n})"
        raise ValueError(msg)
    rng = np.random.Generator(np.random.PCG64(seed))
    per = max(s._BLOCK, -(-chunk // s._BLOCK) * s._BLOCK)
    for first in range(0, n, per):
        blocks = [
            rng.random((min(s._BLOCK, n - at), s._COLUMNS))
            for at in range(first, min(first + per, n), s._BLOCK)
        ]
        cols = _block(np.concatenate(blocks) if len(blocks) > 1 else blocks[0], first, on)
        yield _with_ids(cols, prefix, seed)


def _with_ids(cols: CaseColumns, prefix: str, seed: int) -> CaseColumns:
    return CaseColumns(
        ids=SyntheticIds(prefix, seed, np.asarray(cols.ids, dtype=_I64)),
        birth=cols.birth,
        municipality=cols.municipality,
        group=cols.group,
        clocks=cols.clocks,
        flags=cols.flags,
        visitation_category=cols.visitation_category,
        events=cols.events,
        intervals=cols.intervals,
    )


def synthetic_columns(n: int, seed: int, *, on: dt.date, prefix: str = "syn") -> CaseColumns:
    """``synthetic_population(n, seed, on=on)`` as columns (the same cases; a test holds them equal)."""
    if n == 0:
        return _with_ids(_block(np.zeros((0, s._COLUMNS)), 0, on), prefix, seed)
    return next(synthetic_chunks(n, seed, on=on, prefix=prefix, chunk=n))
