"""Quotas over a caseload: does the municipality meet its floors?

A quota rule (e.g. the 2026 reform's "interviews with at least 75 % of a group within
3 months") binds the caseload, not the case: per case it shows as ``waivable``; over the
cases it is met when at least ``share`` of the covered cases had the step done in time.

For each quota rule and target group (or, for a ``pooled`` quota, all its groups together: one
floor across them, e.g. the 2026 offer floor) this reports: how many cases the rule covers, how
many the floor requires (``ceil(share × covered)``), how many are met, how many are still
open (window not yet closed) and how many were missed, and a verdict: ``met`` (already
enough), ``open`` (can still be met by the open cases) or ``missed`` (cannot be met).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from regimes.case import Case
from regimes.columnar import CaseColumns
from regimes.evaluate import DEFAULT_BACKEND, evaluate_many
from regimes.layer import Regime
from regimes.vocabulary import Status

if TYPE_CHECKING:
    from regimes.diff.population_columns import CaseSource

Verdict = Literal["met", "open", "missed", "no cases"]


class QuotaCoverage(BaseModel):
    """One quota rule for one target group."""

    model_config = ConfigDict(frozen=True)

    rule: str
    group: str
    citation: str
    share: float
    covered: int
    required: int
    met: int
    open: int
    missed: int
    verdict: Verdict

    @property
    def met_share(self) -> float:
        return self.met / self.covered if self.covered else 0.0


class CaseloadReport(BaseModel):
    """Quota coverage of a caseload under a regime on a date."""

    model_config = ConfigDict(frozen=True)

    regime: str
    on: date
    cases: int
    quotas: list[QuotaCoverage]


@dataclass
class _Tally:
    citation: str
    share: float
    covered: int = 0
    met: int = 0
    open: int = 0
    missed: int = 0

    def verdict(self) -> tuple[int, Verdict]:
        required = math.ceil(self.share * self.covered - 1e-9)
        if self.covered == 0:
            return required, "no cases"
        if self.met >= required:
            return required, "met"
        if self.met + self.open >= required:
            return required, "open"
        return required, "missed"


def _pooled_groups(regime: Regime | str) -> dict[str, str]:
    """Pooled quota rules and the label of their one row (their groups joined with "+")."""
    from regimes.library import load_regime

    chosen = load_regime(regime) if isinstance(regime, str) else regime
    found: dict[str, str] = {}
    for er in chosen.rules:
        quota = er.rule.quota
        if quota is not None and quota.pooled:
            groups = er.rule.groups or []
            found[er.id] = "+".join(g.value for g in groups) if groups else "all groups"
    return found


def caseload(
    cases: Sequence[Case] | CaseColumns | CaseSource,
    regime: Regime | str,
    on: date,
    *,
    backend: str | None = None,
    client: Any = None,
) -> CaseloadReport:
    """Quota coverage per rule and group over ``cases`` evaluated under ``regime`` on ``on``.

    With ``backend="columnar"`` (or cases given as columns) the counts are column sums over the
    columnar back end's results, chunk by chunk; the report is the same.
    """
    if client is not None:
        return _dask(cases, regime, on, client)
    if backend == "columnar" or not isinstance(cases, Sequence):
        from regimes.diff.population_columns import CaseSource
        from regimes.plan import UnsupportedPlanError

        try:
            return _columnar(cases, regime, on)
        except UnsupportedPlanError:  # cases the tables cannot carry yet (paid hours): per case
            listed = cases.as_cases() if isinstance(cases, CaseSource) and cases.as_cases else cases
            if not isinstance(listed, Sequence):
                raise
            return caseload(listed, regime, on, backend="vector")
    evaluations = evaluate_many(cases, regime, on, backend=backend or DEFAULT_BACKEND, traces=False)
    pooled = _pooled_groups(regime)
    tally: dict[tuple[str, str], _Tally] = {}
    for case, ev in zip(cases, evaluations, strict=True):
        for o in ev.obligations:
            if o.kind != "quota":
                continue
            group = pooled.get(o.rule, case.group.value)
            row = tally.setdefault((o.rule, group), _Tally(o.citation, o.share or 0.0))
            row.covered += 1
            if o.status is Status.MET:
                row.met += 1
            elif o.deadline is None or on <= o.deadline:
                row.open += 1
            else:
                row.missed += 1
    return _report(regime, on, len(cases), tally)


def _columnar(
    cases: Sequence[Case] | CaseColumns | CaseSource, regime: Regime | str, on: date
) -> CaseloadReport:
    from regimes.diff.population_columns import CaseSource, caseload_counts
    from regimes.library import load_regime
    from regimes.plan import UnsupportedPlanError, plan_of

    chosen = load_regime(regime) if isinstance(regime, str) else regime
    try:
        plan_of(chosen)
    except UnsupportedPlanError:
        # A rule the plan cannot express yet: the per-case path, explicitly.
        listed = cases.as_cases() if isinstance(cases, CaseSource) and cases.as_cases else cases
        if isinstance(listed, Sequence):
            return caseload(listed, chosen, on, backend="vector")
        raise
    if isinstance(cases, CaseSource):
        source = cases
    elif isinstance(cases, CaseColumns):
        source = CaseSource.of_columns(cases)
    else:
        source = CaseSource.of_cases(cases)
    tally: dict[tuple[str, str], _Tally] = {}
    for chunk in source.chunks():
        for key, (citation, share, covered, met, still_open, missed) in caseload_counts(
            chunk, chosen, on
        ).items():
            row = tally.setdefault(key, _Tally(citation, share))
            row.covered += covered
            row.met += met
            row.open += still_open
            row.missed += missed
    return _report(regime, on, source.n, tally)


def _dask(cases: Any, regime: Regime | str, on: date, client: Any) -> CaseloadReport:
    """:func:`caseload` partition-wise on a Dask cluster (``cases``: a partitionable CaseSource)."""
    from regimes.distributed import _regime_ref, gather_in_order, run_caseload_partition

    parts = getattr(cases, "partitions", None)
    if not parts:
        msg = "a Dask run needs a CaseSource of a Parquet file or of the synthetic population"
        raise ValueError(msg)
    tally: dict[tuple[str, str], _Tally] = {}
    for counts in gather_in_order(client, run_caseload_partition, parts, _regime_ref(regime), on):
        for key, (citation, share, covered, met, still_open, missed) in counts.items():
            row = tally.setdefault(key, _Tally(citation, share))
            row.covered += covered
            row.met += met
            row.open += still_open
            row.missed += missed
    return _report(regime, on, cases.n, tally)


def _report(regime: Regime | str, on: date, n: int, tally: dict[tuple[str, str], _Tally]) -> CaseloadReport:
    quotas = []
    for (rule, group), row in sorted(tally.items()):
        required, verdict = row.verdict()
        quotas.append(
            QuotaCoverage(
                rule=rule,
                group=group,
                citation=row.citation,
                share=row.share,
                covered=row.covered,
                required=required,
                met=row.met,
                open=row.open,
                missed=row.missed,
                verdict=verdict,
            )
        )
    regime_id = regime if isinstance(regime, str) else regime.id
    return CaseloadReport(regime=regime_id, on=on, cases=n, quotas=quotas)
