"""What the population parameters assume, as rows an analyst can read and cite.

``regimes population describe`` prints :func:`describe`: one row per number (its value, range,
whether it is published, derived or assumed, and the source or the reason), the sources with their
URLs, and consistency checks that set the numbers against each other (a stock should be about the
inflow times the mean spell length) and against published shares.

    >>> from regimes.population.params import load_params
    >>> d = describe(load_params())
    >>> row = next(r for r in d["figures"] if r["field"] == "groups.dagpenge.inflow")
    >>> row["kind"], row["value"]
    ('derived', 173000.0)
    >>> next(c for c in d["checks"] if c["check"].startswith("dagpenge: recipients"))["model"]
    0.094
"""

from __future__ import annotations

import itertools
from typing import Any

from regimes.case import Case
from regimes.population.params import Ages, Figure, PopulationParams, Survival
from regimes.vocabulary import TargetGroup

__all__ = ["describe", "share_past"]


def share_past(survival: Survival, months: float, stock: float, inflow: float) -> float:
    """Share of a year's recipients (stock on 1 January + the year's inflow) whose spell passes ``months``
    during the year, in a stationary flow (``months`` ≥ 12).

    A spell that started in the year cannot pass 12 months within it; a spell running on 1 January
    passes ``months`` in the year if it is longer than that, and the stock holds spells in proportion
    to their length: P = E[D; D > m] / E[D] with E[D; D > m] = m·S(m) + ∫ₘ S.
    """
    mean = survival.mean_months()
    if mean <= 0 or stock + inflow <= 0:
        return 0.0
    tail_points = [(m, s) for m, s in survival.points if m > months]
    grid = [(months, survival.survival(months)), *tail_points]
    tail = sum((m1 - m0) * (s0 + s1) / 2 for (m0, s0), (m1, s1) in itertools.pairwise(grid))
    long_share = (months * survival.survival(months) + tail) / mean
    return stock * long_share / (stock + inflow)


def _row(field: str, prov: Any, params: PopulationParams) -> dict[str, Any]:
    row: dict[str, Any] = {"field": field, "kind": prov.kind}
    if isinstance(prov, Figure):
        row["value"] = prov.value
        row["range"] = list(prov.range) if prov.range else None
    elif isinstance(prov, Survival):
        row["value"] = f"mean {prov.mean_months():.1f} months; " + ", ".join(
            f"{m:g}m {s:.0%}" for m, s in prov.points[1:]
        )
        row["range"] = None
    elif isinstance(prov, Ages):
        row["value"] = f"ages {prov.range[0]}–{prov.range[1]}"
        row["range"] = list(prov.range)
    else:
        row["value"] = getattr(prov, "file", "")
        row["range"] = None
    source = params.sources.get(prov.source) if prov.source else None
    row["source"] = prov.source
    row["url"] = source.url if source else None
    row["derived"] = prov.derived
    row["assumption"] = prov.assumption
    return row


def describe(params: PopulationParams, where: str = "regimes/data/population.yaml") -> dict[str, Any]:
    """Every figure with its provenance, the sources, and consistency checks, as plain data."""
    figures = [_row(field, prov, params) for field, prov in params.provenances()]
    counts = {
        kind: sum(1 for r in figures if r["kind"] == kind) for kind in ("source", "derived", "assumption")
    }
    checks: list[dict[str, Any]] = []
    for group, g in params.groups.items():
        mean = g.spell_months.mean_months()
        implied = g.inflow.value * mean / 12
        checks.append(
            {
                "check": f"{group.value}: stock ≈ inflow × mean spell",
                "model": round(implied),
                "published": g.stock.value,
                "note": f"inflow {g.inflow.value:,.0f} × {mean:.1f} months / 12; a large gap means the spell "
                "lengths, the stock or the inflow do not fit a stationary flow",
            }
        )
    dp = params.groups.get(TargetGroup.DAGPENGE)
    if dp is not None:
        checks.append(
            {
                "check": "dagpenge: recipients in the year past 12 months",
                "model": round(share_past(dp.spell_months, 12, dp.stock.value, dp.inflow.value), 3),
                "published": 0.09,
                "source": "bm-beu-203-2024",
                "url": params.sources["bm-beu-203-2024"].url if "bm-beu-203-2024" in params.sources else None,
                "note": "stationary flow; the ministry counts dagpenge hours (over 1,924 h)",
            }
        )
    unused = sorted({name for g in params.groups.values() for name in g.flags} - set(Case.model_fields))
    return {
        "file": where,
        "label": params.label,
        "basis_year": params.basis_year,
        "counts": counts,
        "figures": figures,
        "sources": {key: s.model_dump() for key, s in params.sources.items()},
        "checks": checks,
        "flags_not_in_case_model": unused,
    }
