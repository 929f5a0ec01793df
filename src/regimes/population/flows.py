"""Cases that flow through a calendar year, and what each of them requires in that year.

Why flows: a cross-section on one day misses the spells that start and end within the year, and a
citizen-year (a case's first 12 months) misses the long spells already running on 1 January. The
yearly totals an analyst cites are over **everyone on the benefit at some point in the year**: the
stock on 1 January plus the year's inflow.

How a year is sampled (:func:`sample_spells`), per target group, from the parameter file:

- **Inflow**: a spell starts on a day drawn uniformly in the year and lasts a duration drawn from
  the group's spell-length table (inverse of the survival curve, linear between its points).
- **Stock**: a spell running on 1 January has an elapsed duration drawn from the *length-biased*
  distribution (density ∝ survival: a stationary stock holds spells in proportion to how long they
  last) and a total duration drawn from the survival curve conditional on having lasted that long.
- **Weights**: a sampled spell of a stratum (group × stock/inflow) stands for ``published count /
  sampled count`` persons: the sample of N cases is scaled to the national totals. Every stratum gets
  at least a few cases, so small groups are not lost; the rest of N is spread in proportion to size.
- **Municipality**: drawn from the group's municipal weights (``data/population-municipalities.csv``).

How a case is counted in the year (:func:`yearly_figures`), with the population path's own
counting (:func:`regimes.diff.population.count_required`): evaluate the case (no history: required,
not done) under the regime on 31 December of the year; keep the obligations whose window *opens* in
the year and not after the spell's last day, and that are neither exempted nor suspended; count the
fewest dated steps that meet them (quotas at their floor share). A window still open when the spell
ends counts pro rata: its marginal steps times the share of the window the person was on the benefit
(:func:`_prorated`). In a stationary flow, counting by the day a window opens gives the same yearly
rate as any other fixed rule.

    >>> from regimes.population.params import load_params
    >>> spells = sample_spells(load_params(), 2027, 60, seed=1)
    >>> len(spells) >= 60, sorted({s.origin for s in spells})
    (True, ['inflow', 'stock'])
    >>> spells == sample_spells(load_params(), 2027, 60, seed=1)
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

from regimes.case import Case
from regimes.diff.population import Minutes, count_required, load_minutes
from regimes.evaluate import evaluate_many
from regimes.layer import Regime
from regimes.library import load_regime
from regimes.municipalities import MUNICIPALITIES
from regimes.population.params import Drawn, PopulationParams, Survival, draw, municipal_weights
from regimes.results import Obligation
from regimes.vocabulary import Status, TargetGroup

__all__ = [
    "CLOCK",
    "COLUMNS",
    "Spell",
    "case_for",
    "sample_spells",
    "yearly_figures",
]

G = TargetGroup
DAYS_PER_MONTH: Final = 365.25 / 12
MIN_PER_STRATUM: Final = 3
"""Every stratum (group × stock/inflow) with people in it gets at least this many sampled cases."""

COLUMNS: Final = ("interviews", "offers", "followups", "hours", "interviews_first_half", "years")
"""Columns of :func:`yearly_figures`: required steps in the year, caseworker hours, the interviews
of those in the spell's first half-year (opening before day 183), and the years on the benefit
within the calendar year (exposure)."""

CLOCK: Final[Mapping[TargetGroup, str]] = {
    G.DAGPENGE: "registered_on",
    G.KONTANTHJAELP_JOBPARAT: "first_inquiry_on",
    G.KONTANTHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
    G.UDDANNELSESHJAELP_UDDANNELSESPARAT: "first_inquiry_on",
    G.UDDANNELSESHJAELP_AKTIVITETSPARAT: "first_inquiry_on",
    G.SYGEDAGPENGE: "sickness_first_day",
}
"""The case field that holds a spell's start (the LAB § 9 clock); ``period_start`` for the rest."""

_NOT_REQUIRED: Final = frozenset({Status.EXEMPTED, Status.SUSPENDED})
_FIRST_HALF_DAYS: Final = 183


@dataclass(frozen=True)
class Spell:
    """One spell on a benefit: the case (its clock is the start), its last day, and its weight."""

    case: Case
    start: dt.date
    end: dt.date
    weight: float
    origin: Literal["stock", "inflow", "panel"]

    @property
    def group(self) -> TargetGroup:
        return self.case.group


def _inverse(survival: Survival, u: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Months at which the survival curve falls to ``u`` (u in 0..1)."""
    shares, months = np.array(survival.shares[::-1]), np.array(survival.months[::-1])
    out: np.ndarray[Any, Any] = np.interp(u, shares, months)
    return out


def _elapsed(survival: Survival, u: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Elapsed months of a stock spell: inverse of the normalised integral of the survival curve."""
    grid = np.linspace(0.0, float(survival.months[-1]), 2001)
    density = np.interp(grid, np.array(survival.months), np.array(survival.shares))
    cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(grid))])
    out: np.ndarray[Any, Any] = np.interp(u * cumulative[-1], cumulative, grid)
    return out


def _allocate(sizes: Sequence[float], n: int) -> list[int]:
    """Sample sizes per stratum: at least MIN_PER_STRATUM where the size is positive, the rest by size."""
    floor = [MIN_PER_STRATUM if s > 0 else 0 for s in sizes]
    rest = max(n - sum(floor), 0)
    total = sum(sizes)
    return [f + (round(rest * s / total) if total > 0 else 0) for f, s in zip(floor, sizes, strict=True)]


def case_for(
    ident: str,
    group: TargetGroup,
    start: dt.date,
    municipality: str,
    birth_date: dt.date,
    flags: Mapping[str, bool] | None = None,
) -> Case:
    """A validated case for a spell: the group's clock set to ``start``, and the flags the case model has.

    ``visitation_category_2`` (sygedagpenge) sets visitation category 2 (else 1) on day 28 of the
    spell; other flags are set where :class:`~regimes.Case` has a field of that name.
    """
    fields: dict[str, Any] = {
        "id": ident,
        "birth_date": birth_date,
        "municipality": municipality,
        "group": group,
        CLOCK.get(group, "period_start"): start,
    }
    for name, value in (flags or {}).items():
        if name == "visitation_category_2":
            if group is G.SYGEDAGPENGE:
                fields["visitation_category"] = 2 if value else 1
                fields["visitation_on"] = start + dt.timedelta(days=28)
        elif name in Case.model_fields and value:
            fields[name] = True
    if fields.get("sickness_light_track") and not fields.get("employed"):
        fields.pop("sickness_light_track")
    return Case.model_validate(fields)


def _birth(rng: np.random.Generator, start: dt.date, ages: tuple[int, int]) -> dt.date:
    age = int(rng.integers(ages[0], ages[1] + 1))
    return start - dt.timedelta(days=int(age * 365.25) + int(rng.integers(0, 365)))


def sample_spells(
    params: PopulationParams,
    year: int,
    n: int,
    seed: int,
    *,
    drawn: Drawn | None = None,
    weights_dir: str | None = None,
) -> list[Spell]:
    """A weighted sample of about ``n`` spells that run at some time in ``year`` (see the module docstring).

    Args:
        params: the parameter file (:func:`regimes.population.params.load_params`).
        year: the calendar year.
        n: the sample size to aim at (each stratum gets at least a few, so the result may be larger).
        seed: the seed of the numpy generator; the same arguments give the same spells.
        drawn: one draw of the parameters (default: their central values).
        weights_dir: where a municipal weight file named in ``params`` is looked for first.
    """
    if n < 0:
        msg = f"'n' must be 0 or more (got {n})"
        raise ValueError(msg)
    values = drawn or draw(params, None)
    rng = np.random.Generator(np.random.PCG64(seed))
    shares = municipal_weights(params, weights_dir)
    codes = list(MUNICIPALITIES)
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = (dec31 - jan1).days + 1
    origins: tuple[Literal["stock"], Literal["inflow"]] = ("stock", "inflow")
    strata = [(g, origin) for g in params.groups for origin in origins]
    sizes = [values.stock[g] if o == "stock" else values.inflow[g] for g, o in strata]
    spells: list[Spell] = []
    for (group, origin), size, count in zip(strata, sizes, _allocate(sizes, n), strict=True):
        if count == 0:
            continue
        g = params.groups[group]
        if origin == "inflow":
            offsets = rng.integers(0, days, count)
            starts = [jan1 + dt.timedelta(days=int(d)) for d in offsets]
            lengths = _inverse(g.spell_months, rng.random(count))
        else:
            elapsed = _elapsed(g.spell_months, rng.random(count))
            left = np.array([g.spell_months.survival(float(e)) for e in elapsed])
            lengths = np.maximum(_inverse(g.spell_months, rng.random(count) * left), elapsed)
            starts = [jan1 - dt.timedelta(days=max(int(e * DAYS_PER_MONTH), 1)) for e in elapsed]
        munis = rng.choice(len(codes), size=count, p=shares[group])
        flag_draws = {name: rng.random(count) < p for name, p in values.flags[group].items()}
        for i in range(count):
            start = starts[i]
            end = max(
                start + dt.timedelta(days=int(lengths[i] * DAYS_PER_MONTH)) - dt.timedelta(days=1), start
            )
            if origin == "stock":
                end = max(end, jan1)
            flags = {name: bool(v[i]) for name, v in flag_draws.items()}
            ages = g.ages.range if g.ages else (20, 66)
            case = case_for(
                f"pop-{seed}-{group.value}-{origin}-{i:05d}",
                group,
                start,
                codes[int(munis[i])],
                _birth(rng, start, (int(ages[0]), int(ages[1]))),
                flags,
            )
            spells.append(Spell(case=case, start=start, end=end, weight=size / count, origin=origin))
    return spells


def _prorated(
    obligations: Sequence[Obligation], end: dt.date, minutes: Minutes
) -> tuple[float, float, float, float]:
    """What ``obligations`` require of a spell that ends on ``end``.

    A window that closes on or before the spell's end counts whole. A window still open when the
    spell ends counts with the share of it the person was on the benefit: its marginal steps (what
    it adds to the others) times ``(end − opens + 1) / (deadline − opens + 1)``. Why: "four
    interviews within six months" does not bind a person who leaves after one; counting them whole
    would charge short spells with the whole course, counting them not at all would charge nothing
    for the weeks they were there. Windows without a deadline count whole.
    """
    whole = [o for o in obligations if o.deadline is None or o.deadline <= end]
    cut = [o for o in obligations if o.deadline is not None and o.deadline > end]
    base = count_required(whole, minutes)
    totals = list(base)
    for o in cut:
        assert o.deadline is not None
        share = ((end - o.opens).days + 1) / ((o.deadline - o.opens).days + 1)
        with_it = count_required([*whole, o], minutes)
        for k in range(4):
            totals[k] += share * (with_it[k] - base[k])
    return totals[0], totals[1], totals[2], totals[3]


def _exposure(spell: Spell, jan1: dt.date, dec31: dt.date) -> float:
    first, last = max(spell.start, jan1), min(spell.end, dec31)
    return max((last - first).days + 1, 0) / ((dec31 - jan1).days + 1)


def yearly_figures(
    spells: Sequence[Spell],
    regime: Regime | str,
    year: int,
    *,
    minutes: Minutes | None = None,
    backend: str | None = None,
    on: dt.date | None = None,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per spell, what ``regime`` requires in ``year`` (one row per spell, the :data:`COLUMNS`).

    Unweighted: multiply by :attr:`Spell.weight` for national figures. ``on`` (default 31 December)
    is the evaluation date: the rule versions in force then apply.
    """
    from regimes.diff.population import population_backend

    table = minutes or load_minutes()
    rules = load_regime(regime)
    engine = backend or population_backend()
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    day = on or dec31
    out = np.zeros((len(spells), len(COLUMNS)))
    evaluations = evaluate_many([s.case for s in spells], rules, day, backend=engine, traces=False)
    for row, (spell, ev) in enumerate(zip(spells, evaluations, strict=True)):
        last = min(spell.end, dec31)
        kept = [o for o in ev.obligations if o.status not in _NOT_REQUIRED and jan1 <= o.opens <= last]
        figures = _prorated(kept, spell.end, table)
        half = spell.start + dt.timedelta(days=_FIRST_HALF_DAYS)
        early = _prorated([o for o in kept if o.opens < half], spell.end, table)[0]
        out[row] = (*figures, early, _exposure(spell, jan1, dec31))
    return out
