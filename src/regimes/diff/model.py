"""The public model of a diff between two regimes (contract, "JSON of a diff").

``RegimeDiff`` is what ``regimes.diff(a, b)`` returns and ``regimes diff A B --format json``
prints; ``RegimeDiff.model_json_schema()`` documents it. Fields beyond the contract's are
extensions (the contract may be extended, never broken).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from regimes.population.model import NationalImpact
from regimes.results import Obligation, Right

ChangeKind = Literal["added", "removed", "changed", "exempted", "replaced"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldChange(_Out):
    """One field of a rule that differs: ``old`` under A, ``new`` under B."""

    field: str
    old: Any
    new: Any


class StructuralChange(_Out):
    """A rule that differs between the regimes, resolved through layering."""

    rule: str
    change: ChangeKind
    by: str | None = None
    citation: str | None = None
    fields: list[FieldChange] = []
    side: Literal["a", "b"] | None = None
    note: str | None = None


class Witness(_Out):
    """A complete case that ``regimes evaluate`` accepts, and the date to evaluate it on."""

    case: dict[str, Any]
    on: date


class BehaviouralClass(_Out):
    """A class of cases whose evaluations differ, with a minimal witness and both evaluations."""

    description: str
    witness: Witness
    a: list[Obligation | Right]
    b: list[Obligation | Right]
    facts: dict[str, Any] = {}
    members: int = 1


class Behavioural(_Out):
    """Every class of cases where the regimes' evaluations differ."""

    exact: bool
    classes: list[BehaviouralClass]
    scope: str = ""


class PopulationRow(_Out):
    """Per-citizen-year figures for one slice (a group, a municipality, or all)."""

    slice: str
    cases: int
    interviews_a: float
    interviews_b: float
    offers_a: float
    offers_b: float
    followups_a: float
    followups_b: float
    hours_a: float
    hours_b: float


class Population(_Out):
    """What the difference adds up to over a set of cases."""

    source: str
    cases: int
    on: date
    assumptions: dict[str, Any]
    total: PopulationRow
    by_group: list[PopulationRow]
    by_municipality: list[PopulationRow]
    quota_coverage: list[dict[str, Any]] = []
    deadlines_a: dict[str, int] = {}
    deadlines_b: dict[str, int] = {}
    seconds: float = 0.0


class RegimeDiff(_Out):
    """Regime A against regime B."""

    a: str
    b: str
    structural: list[StructuralChange]
    behavioural: Behavioural
    population: Population | None = None
    #: Yearly national (and municipal) totals with a band (``--national``; :mod:`regimes.population`).
    national: NationalImpact | None = None
    on: date | None = None
    unmodelled: list[dict[str, str]] = []
    #: What is worth knowing but is no change: e.g. a lift listed as ``unverified``, so not applied.
    notes: list[str] = []
    #: What the reader must not miss: e.g. the diff date lies beyond the known law (:mod:`regimes.horizon`).
    warnings: list[str] = []
