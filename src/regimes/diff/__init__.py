"""Diffs between regimes: structural, behavioural (with witnesses) and population impact.

    >>> from regimes.diff import diff
    >>> d = diff("dk-lab-2024", "dk-reform-2026", behavioural=False)
    >>> d.on.isoformat()
    '2026-08-10'
    >>> [(c.change, c.by) for c in d.structural if c.rule == "lab-2024.dagpenge.interviews-akasse-3m"]
    [('exempted', 'reform-2026.dagpenge.akasse-interviews-quota')]

Why one entry point: the CLI, the HTTP service and analysts' scripts all ask the same question
("what changes from A to B, for whom?") and must get the same answer; the population part
(:mod:`regimes.diff.population`) is added on top when a set of cases is given.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from regimes.diff.behavioural import behavioural_diff
from regimes.diff.model import Behavioural, RegimeDiff
from regimes.diff.structural import structural_diff
from regimes.layer import Regime

__all__ = ["DEFAULT_LEAD_DAYS", "default_on", "diff"]

#: Days after the later regime's start that a diff is evaluated on by default: late enough that
#: the first weeks' windows of a case begun under the new regime are open, early enough that
#: its transitional rules still matter.
DEFAULT_LEAD_DAYS: Final = 40


def default_on(a: Regime, b: Regime) -> date:
    """The later of the two regimes' ``valid_from`` plus 40 days (a proposal uses its base's dates).

    Symmetric in ``a`` and ``b``, so ``diff(a, b)`` and ``diff(b, a)`` look at the same date.
    """
    starts = [d for d in (a.valid_from, b.valid_from) if d is not None]
    start = max(starts) if starts else date.today()
    return start + timedelta(days=DEFAULT_LEAD_DAYS)


def diff(
    a: Regime | str,
    b: Regime | str,
    *,
    on: date | None = None,
    behavioural: bool = True,
    backend: str | None = None,
    include_unverified: bool = False,
) -> RegimeDiff:
    """Regime ``a`` against regime ``b``: structural changes and the classes of cases that differ.

    Args:
        a, b: a :class:`~regimes.Regime`, a bundled regime id or a path to a YAML file.
        on: the diff date: which rule versions each side uses, and the evaluation date of every
            witness (default: :func:`default_on`).
        behavioural: also compute the behavioural classes (the structural part is instant; the
            behavioural one evaluates a witness per class).
        backend: the back end for the witnesses' evaluations (default: ``REGIMES_BACKEND``,
            else ``vector``); every back end gives the same result.
        include_unverified: also apply rules tagged ``unverified``, as ``evaluate`` would.

    Raises:
        ResolutionError: a regime id is unknown.
        RulesetError: a regime's files are invalid.

    ``diff(a, a)`` has no structural changes and no classes.
    """
    from regimes.horizon import horizon_warnings
    from regimes.library import load_regime

    regime_a, regime_b = load_regime(a), load_regime(b)
    day = on or default_on(regime_a, regime_b)
    structure = structural_diff(regime_a, regime_b, day)
    if behavioural:
        behaviour = behavioural_diff(
            regime_a,
            regime_b,
            day,
            backend=backend,
            include_unverified=include_unverified,
            lineage=structure.lineage,
        )
    else:
        behaviour = Behavioural(exact=False, classes=[], scope="not computed (behavioural=False)")
    return RegimeDiff(
        a=regime_a.id,
        b=regime_b.id,
        structural=structure.changes,
        behavioural=behaviour,
        on=day,
        unmodelled=structure.unmodelled,
        notes=structure.notes,
        warnings=horizon_warnings([regime_a, regime_b], day),
    )
