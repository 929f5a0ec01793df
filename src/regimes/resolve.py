"""Resolution: which regime is in force for a municipality on a date, and why.

Only ``in_force`` and ``expired`` regimes take part (concepts.md, "Regime"). Where a regime
that extends another covers fewer municipalities (a frikommune trial over the statute), it
wins inside its scope and dates: the narrower layer over its base. Any other overlap is an
authoring error that :func:`coverage_problems` (and ``regimes check``) reports.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from regimes.errors import ResolutionError
from regimes.layer import Layering, Regime
from regimes.municipalities import MUNICIPALITIES, is_municipality
from regimes.vocabulary import RegimeStatus

RESOLVABLE = (RegimeStatus.IN_FORCE, RegimeStatus.EXPIRED)
COVERAGE_START = date(2020, 1, 1)


class Resolution(BaseModel):
    """The regime in force, and the reason in words."""

    model_config = ConfigDict(frozen=True)

    municipality: str
    municipality_name: str
    on: date
    regime: str
    reason: str
    #: E.g. the date lies beyond the regime's known law (:mod:`regimes.horizon`).
    warnings: list[str] = []


def _candidates(layering: Layering, municipality: str, on: date) -> list[Regime]:
    out = []
    for ident in layering.regime_ids():
        regime = layering.build(ident)
        header = regime.header
        if header.status not in RESOLVABLE or header.valid_from is None:
            continue
        if not regime.covers(on):
            continue
        if header.scope != "all" and municipality not in header.scope:
            continue
        out.append(regime)
    return out


def _narrowest(candidates: list[Regime]) -> list[Regime]:
    """Drop every candidate that another candidate extends (the narrower layer wins)."""
    bases = {base for regime in candidates for base in regime.chain[1:]}
    return [r for r in candidates if r.id not in bases]


def resolve_in(layering: Layering, municipality: str, on: date) -> Resolution:
    """:func:`resolve` over a given set of files."""
    if not is_municipality(municipality):
        msg = (
            f"municipality {municipality!r} is not a kommunekode "
            "(three digits without leading zero, e.g. '101' København, '851' Aalborg)"
        )
        raise ResolutionError(msg)
    name = MUNICIPALITIES[municipality]
    candidates = _candidates(layering, municipality, on)
    if not candidates:
        msg = f"no regime in force for {municipality} {name} on {on}"
        if on < COVERAGE_START:
            msg += f" (the bundled statutory regimes start on {COVERAGE_START})"
        raise ResolutionError(msg)
    winners = _narrowest(candidates)
    if len(winners) != 1:
        msg = f"ambiguous: {', '.join(r.id for r in winners)} all cover {municipality} {name} on {on}"
        raise ResolutionError(msg)
    winner = winners[0]
    header = winner.header
    period = f"{header.valid_from} to {header.valid_to or 'open'}"
    if header.scope == "all":
        reason = f"{winner.id} ({header.status.value}) covers all municipalities from {period}"
    else:
        reason = f"{municipality} {name} is in the scope of {winner.id} ({header.status.value}, {period})"
    overridden = [r.id for r in candidates if r is not winner]
    if overridden:
        reason += f"; it extends and takes precedence over {', '.join(overridden)}"
    from regimes.horizon import horizon_warning

    warning = horizon_warning(winner, on)
    return Resolution(
        municipality=municipality,
        municipality_name=name,
        on=on,
        regime=winner.id,
        reason=reason,
        warnings=[warning] if warning else [],
    )


def resolve(municipality: str, on: date) -> Resolution:
    """The bundled regime in force for ``municipality`` (a kommunekode) on ``on``, with why.

    >>> resolve("101", date(2024, 1, 1)).regime
    'dk-lab-2024'

    Raises:
        ResolutionError: unknown municipality, or no regime (e.g. before 2020).
    """
    from regimes.library import headers

    return resolve_in(headers(), municipality, on)  # headers suffice: no rule is read


def coverage_problems(layering: Layering, until: date | None = None) -> list[str]:
    """Every municipality/date from 2020-01-01 with no regime or with two (authoring errors)."""
    regimes = [layering.build(i) for i in layering.regime_ids()]
    boundaries = {COVERAGE_START}
    for regime in regimes:
        if regime.header.status in RESOLVABLE:
            for day in (regime.valid_from, regime.valid_to):
                if day is not None:
                    boundaries.add(day if day == regime.valid_from else day + timedelta(days=1))
    end = until or max(boundaries) + timedelta(days=366)
    problems = []
    for day in sorted(b for b in boundaries if COVERAGE_START <= b <= end):
        for code in MUNICIPALITIES:
            try:
                resolve_in(layering, code, day)
            except ResolutionError as exc:
                problems.append(f"{day}: {exc}")
    return problems
