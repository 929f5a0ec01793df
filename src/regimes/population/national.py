"""Yearly national and municipal totals under two regimes, with an uncertainty band.

:func:`national_impact` answers the analyst's question in the units of the policy debate: how many
interviews, offers, sickness follow-ups and caseworker hours does each regime require in a calendar
year, nationally, per target group and per municipality, and how sure is that?

- **A sample scaled to national totals.** Each run samples about N spells that run in the year
  (:func:`regimes.population.flows.sample_spells`: stock on 1 January + the year's inflow), each
  weighted to the published (or assumed) group sizes, and evaluates every one under A and B
  (:func:`regimes.population.flows.yearly_figures`). A total is Σ weight × the case's figure.
- **An ensemble for the band.** Run 0 uses the parameters' central values and the given seed: it is
  the estimate. Runs 1 … K−1 use seeds ``seed + k`` and draw every ranged parameter uniformly from its
  range. The band is the 5th–95th percentile over all K runs: sampling noise and parameter ranges
  together. It is not a confidence interval for the law's effect: the rules are exact, the
  population is what is uncertain.
- **Held and taken.** ``interviews_held`` and ``offers_taken`` are the required ones times the
  behaviour shares of the parameter file.

:func:`impact_of_spells` does the same for given spells (a register panel): one run, weights as given.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from regimes.diff.population import Minutes, load_minutes, population_backend
from regimes.layer import Regime
from regimes.library import load_regime
from regimes.municipalities import MUNICIPALITIES
from regimes.population.flows import COLUMNS, Spell, sample_spells, yearly_figures
from regimes.population.model import Band, Measure, NationalImpact, NationalRow
from regimes.population.params import BUNDLED, PopulationParams, draw, load_params
from regimes.vocabulary import TargetGroup

__all__ = ["impact_of_spells", "national_impact", "weighted_totals"]

_I, _O, _F, _H, _E, _Y = range(len(COLUMNS))
_MEASURES: Final = (
    "interviews",
    "interviews_first_half",
    "interviews_held",
    "offers",
    "offers_taken",
    "followups",
    "hours",
)


def weighted_totals(
    weights: np.ndarray[Any, Any],
    figures: np.ndarray[Any, Any],
    index: np.ndarray[Any, Any],
    slices: int,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Σ weight × figure per slice: an array ``(slices, columns)``; ``index`` gives each row's slice."""
    out = np.zeros((slices, figures.shape[1]))
    for column in range(figures.shape[1]):
        out[:, column] = np.bincount(index, weights=weights * figures[:, column], minlength=slices)
    return out


def _slice_values(
    spells: Sequence[Spell],
    sides: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
    index: np.ndarray[Any, Any],
    slices: int,
    held: float,
    taken: float,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per slice, both sides' totals: an array ``(slices, 2, measures + persons + years)``."""
    weights = np.array([s.weight for s in spells])
    people = weighted_totals(weights, np.ones((len(spells), 1)), index, slices)[:, 0]
    out = np.zeros((slices, 2, len(_MEASURES) + 2))
    for side, figures in enumerate(sides):
        t = weighted_totals(weights, figures, index, slices)
        out[:, side, :] = np.column_stack(
            [
                t[:, _I],
                t[:, _E],
                t[:, _I] * held,
                t[:, _O],
                t[:, _O] * taken,
                t[:, _F],
                t[:, _H],
                people,
                t[:, _Y],
            ]
        )
    return out


def _run_totals(
    spells: Sequence[Spell],
    fa: np.ndarray[Any, Any],
    fb: np.ndarray[Any, Any],
    held: float,
    taken: float,
    by_municipality: bool,
) -> dict[str, np.ndarray[Any, Any]]:
    """One run's totals: ``{"all" | group | "code name": array (2 sides, measures + persons + years)}``."""
    sides = (fa, fb)
    result = {"all": _slice_values(spells, sides, np.zeros(len(spells), dtype=np.int64), 1, held, taken)[0]}
    groups = list(TargetGroup)
    index = np.array([groups.index(s.group) for s in spells], dtype=np.int64)
    values = _slice_values(spells, sides, index, len(groups), held, taken)
    result.update({g.value: values[i] for i, g in enumerate(groups) if np.any(index == i)})
    if by_municipality:
        codes = list(MUNICIPALITIES)
        index = np.array([codes.index(s.case.municipality) for s in spells], dtype=np.int64)
        values = _slice_values(spells, sides, index, len(codes), held, taken)
        result.update(
            {f"{c} {MUNICIPALITIES[c]}": values[i] for i, c in enumerate(codes) if np.any(index == i)}
        )
    return result


def _band(values: np.ndarray[Any, Any], low: float, high: float) -> Band:
    return Band(
        estimate=round(float(values[0]), 2),
        low=round(float(np.percentile(values, low)), 2),
        high=round(float(np.percentile(values, high)), 2),
    )


def _row(name: str, runs: np.ndarray[Any, Any], low: float, high: float) -> NationalRow:
    """``runs``: array (K runs, 2 sides, measures + 2) for one slice."""
    measures: dict[str, Measure] = {}
    for m, measure in enumerate(_MEASURES):
        a, b = runs[:, 0, m], runs[:, 1, m]
        measures[measure] = Measure(
            a=_band(a, low, high), b=_band(b, low, high), diff=_band(b - a, low, high)
        )
    persons = runs[:, 0, len(_MEASURES)]
    years = runs[:, 0, len(_MEASURES) + 1]
    return NationalRow(
        slice=name,
        persons=_band(persons, low, high),
        recipient_years=_band(years, low, high),
        **measures,
    )


def _assemble(
    per_run: list[dict[str, np.ndarray[Any, Any]]], low: float, high: float
) -> tuple[NationalRow, list[NationalRow], list[NationalRow]]:
    keys = list(per_run[0])
    for other in per_run[1:]:
        keys += [k for k in other if k not in keys]
    empty = np.zeros_like(per_run[0]["all"])
    rows = {k: _row(k, np.stack([r.get(k, empty) for r in per_run]), low, high) for k in keys}
    groups = [rows[g.value] for g in TargetGroup if g.value in rows]
    munis = [rows[k] for k in keys if k[:3].isdigit()]
    return rows["all"], groups, munis


def _method(n: int, runs: int, year: int) -> str:
    return (
        f"a sample of about {n:,} spells per run that run at some time in {year} (stock on 1 January + the "
        f"year's inflow), each weighted to the national group sizes of the parameter file; {runs} run"
        f"{'s' if runs != 1 else ''}: run 0 with the central values (the estimate), the others with seeds "
        "seed + k and parameters drawn from their ranges; band = 5th–95th percentile over the runs"
    )


def national_impact(
    a: Regime | str,
    b: Regime | str,
    *,
    year: int,
    params: PopulationParams | str | Path | None = None,
    n: int = 2000,
    runs: int = 10,
    seed: int = 0,
    by_municipality: bool = False,
    minutes: Minutes | str | Path | None = None,
    backend: str | None = None,
    on: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NationalImpact:
    """Yearly national totals (and per municipality) under A and B with a 5–95 % band over ``runs`` runs.

    Args:
        a: regime A (id, YAML path or :class:`~regimes.Regime`), applied as a what-if in ``year``.
        b: regime B, likewise.
        year: the calendar year.
        params: the parameter file laid over the bundled one (a path), or loaded parameters.
        n: spells sampled per run.
        runs: runs of the ensemble (1: the estimate only, a band of zero width).
        seed: the seed of run 0 (run k uses ``seed + k``).
        by_municipality: also total per municipality.
        minutes: caseworker minutes per step (default the bundled ``minutes.yaml``).
        backend: the evaluation back end (default :func:`~regimes.diff.population.population_backend`).
        on: the evaluation date (default 31 December of ``year``).
        progress: called with (runs done, runs) after each run.

    Raises:
        ParamsError: the parameter file is invalid.
        ResolutionError, RulesetError: a regime is unknown or invalid.
    """
    if runs < 1:
        msg = f"'runs' must be 1 or more (got {runs})"
        raise ValueError(msg)
    started = time.perf_counter()
    loaded = load_params(params)
    where = BUNDLED if params is None or isinstance(params, PopulationParams) else f"{BUNDLED} + {params}"
    weights_dir = str(Path(params).parent) if isinstance(params, str | Path) else None
    regime_a, regime_b = load_regime(a), load_regime(b)
    table = load_minutes(minutes)
    engine = backend or population_backend()
    per_run: list[dict[str, np.ndarray[Any, Any]]] = []
    for k in range(runs):
        rng = None if k == 0 else np.random.Generator(np.random.PCG64([seed, k]))
        drawn = draw(loaded, rng)
        spells = sample_spells(loaded, year, n, seed + k, drawn=drawn, weights_dir=weights_dir)
        fa = yearly_figures(spells, regime_a, year, minutes=table, backend=engine, on=on)
        fb = yearly_figures(spells, regime_b, year, minutes=table, backend=engine, on=on)
        per_run.append(
            _run_totals(
                spells, fa, fb, drawn.interviews_held_per_required, drawn.offers_taken, by_municipality
            )
        )
        if progress is not None:
            progress(k + 1, runs)
    total, groups, munis = _assemble(per_run, 5.0, 95.0)
    return NationalImpact(
        a=regime_a.id,
        b=regime_b.id,
        year=year,
        on=on or dt.date(year, 12, 31),
        source=f"sampled from {where}",
        method=_method(n, runs, year),
        sample=n,
        runs=runs,
        seed=seed,
        total=total,
        by_group=groups,
        by_municipality=munis,
        assumptions={
            "parameters": where,
            "label": loaded.label,
            "counting": "per case: obligations whose window opens in the year and not after the spell's "
            "last day, neither exempted nor suspended, counted as the fewest dated steps (quotas at their "
            "floor share), evaluated without history on the evaluation date",
            "minutes": table.as_assumption(),
            "backend": engine,
            "municipal_weights": loaded.municipalities.assumption or loaded.municipalities.source,
        },
        seconds=round(time.perf_counter() - started, 3),
    )


def impact_of_spells(
    spells: Sequence[Spell],
    a: Regime | str,
    b: Regime | str,
    *,
    year: int,
    source: str,
    by_municipality: bool = False,
    minutes: Minutes | str | Path | None = None,
    backend: str | None = None,
    on: dt.date | None = None,
    held: float = 1.0,
    taken: float = 1.0,
) -> NationalImpact:
    """Yearly totals of given spells (a register panel: weight 1 each, or as given), one run."""
    started = time.perf_counter()
    regime_a, regime_b = load_regime(a), load_regime(b)
    table = load_minutes(minutes)
    engine = backend or population_backend()
    fa = yearly_figures(spells, regime_a, year, minutes=table, backend=engine, on=on)
    fb = yearly_figures(spells, regime_b, year, minutes=table, backend=engine, on=on)
    totals = _run_totals(spells, fa, fb, held, taken, by_municipality)
    total, groups, munis = _assemble([totals], 5.0, 95.0)
    return NationalImpact(
        a=regime_a.id,
        b=regime_b.id,
        year=year,
        on=on or dt.date(year, 12, 31),
        source=source,
        method=f"{len(spells):,} given spells, each counted with its weight; one run (no band)",
        sample=len(spells),
        runs=1,
        seed=0,
        total=total,
        by_group=groups,
        by_municipality=munis,
        assumptions={"minutes": table.as_assumption(), "backend": engine},
        seconds=round(time.perf_counter() - started, 3),
    )
