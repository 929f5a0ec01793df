"""The public model of yearly national and municipal totals (``RegimeDiff.national``).

``regimes diff A B --national --year Y --format json`` prints it inside the diff; ``regimes schema
--of national`` documents it. Every figure is a :class:`Band`: the estimate (the run with the
parameters' central values) and the 5th and 95th percentiles over the ensemble of runs (seeds and
parameter draws).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Band", "Measure", "NationalImpact", "NationalRow"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(_Out):
    """An estimate and its uncertainty band (``low`` = 5th, ``high`` = 95th percentile of the runs)."""

    estimate: float
    low: float
    high: float


class Measure(_Out):
    """One measure in the year under A, under B, and the difference B − A (each with its band)."""

    a: Band
    b: Band
    diff: Band


class NationalRow(_Out):
    """Yearly totals for one slice: all, a target group, or a municipality."""

    slice: str
    persons: Band
    """Persons on the benefit at some time in the year (stock on 1 January + the year's inflow)."""
    recipient_years: Band
    """Years on the benefit within the calendar year, summed over persons."""
    interviews: Measure
    interviews_first_half: Measure
    """Of the required interviews, those whose window opens in the spell's first half-year."""
    interviews_held: Measure
    offers: Measure
    offers_taken: Measure
    followups: Measure
    hours: Measure


class NationalImpact(_Out):
    """Yearly national (and municipal) totals under A and B, scaled from a weighted sample."""

    a: str
    b: str
    year: int
    on: date
    source: str
    """Where the cases came from: ``sampled from <parameter file>`` or a panel file."""
    method: str
    sample: int
    runs: int
    seed: int
    percentiles: tuple[float, float] = (5.0, 95.0)
    total: NationalRow
    by_group: list[NationalRow]
    by_municipality: list[NationalRow] = []
    assumptions: dict[str, Any] = {}
    seconds: float = 0.0
