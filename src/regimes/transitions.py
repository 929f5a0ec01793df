"""Transitions (corrections C8): a duty is judged by the law in force when it fell due.

Why a module: when the law changes while a duty runs (a reform starts, a trial ends), the
evaluation date alone cannot say which law a duty falls under. The rule below holds for every
pair of regimes by construction — it is resolution over time, not a patch per rule — and it is
written here once, on plain inputs, so that every back end applies it alike.

The rule. An evaluation of a case on date D under regime P lists the obligations of P's rules in
force on P's version date for D (as always). Then each obligation is *judged*:

1. Its **judge date** is its deadline, or D when it has none (:func:`judge_date`).
2. The **judging regime** for that date (:func:`judging_regime`):

   - no regime named (resolved): the regime resolution picks for the case's municipality on the
     judge date (P itself when resolution finds none there, e.g. before 2020);
   - a regime named: P, except outside P's validity where P deviates from a base — before
     P's ``valid_from`` its base judges (*a regime that starts on S lifts only duties due on or
     after S*); after P's ``valid_to``, if P is a local trial (its scope is a list of
     municipalities, the statute running beside it), its base judges (*a trial that ends on E
     lifts nothing due after E*); repeated down the chain. A statewide regime after its end, and
     a chain's root before its start, keep judging as the what-if of concepts.md (their versions
     of their last / first day).

   Its **version date** is the judge date clamped to the judging regime's validity.
3. When the judging *law* — the regime, the rule versions in force and the exemptions in effect
   on the version date (:func:`law_key`) — is the evaluation's own, nothing changes. Otherwise
   the obligation is decided by the judging law: the version of the same rule there (its id, or
   an id it replaced or that replaced it: :func:`same_rule`) reckons the window, counts the
   steps and decides the status, with that law's exemptions and suspensions. If the judging law
   has no such rule, the duty was not owed when it fell due and is left out (with
   ``explain=True`` "why not?" says so). One step only: a deadline re-reckoned by the judging
   law is not judged again.
4. A re-judged obligation says so: ``judged_under`` (the regime) and ``judged_on`` (the version
   date), e.g. "judged under dk-lab-2024, in force on 2026-06-15". Obligations judged by the
   evaluation's own law carry neither field.

Rights are not judged: a right has no deadline, and § 106 or a lift of a duty does not touch it.

Consequence (property-tested): moving the evaluation date past a regime boundary never changes
the status of a duty whose deadline lies before the boundary, except the passage of time itself
(``upcoming``/``due`` → ``overdue``/``met``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from regimes.layer import Regime

__all__ = ["NOT_OWED_THEN", "Judge", "judge_date", "judging_regime", "law_key", "same_rule"]

#: How "why not?" starts for a duty left out because the law on its deadline has no such rule.
NOT_OWED_THEN = "not owed when it fell due"


@dataclass(frozen=True, slots=True)
class Judge:
    """The law that judges a duty: a regime and the date whose rule versions apply."""

    regime: Regime
    version_date: date


def judge_date(deadline: date | None, on: date) -> date:
    """The date whose law judges a duty: its deadline, or the evaluation date if it has none.

    Example:
        >>> judge_date(date(2026, 6, 15), date(2026, 8, 10)), judge_date(None, date(2026, 8, 10))
        (datetime.date(2026, 6, 15), datetime.date(2026, 8, 10))
    """
    return deadline if deadline is not None else on


def is_local_trial(regime: Regime) -> bool:
    """A regime that deviates from a base in some municipalities only (the statute runs beside it).

    Its end is its own (the trial's law ends), so after it the base judges again; a statewide
    regime's end is its successor's start, which a regime named explicitly does not see.
    """
    return regime.header.extends is not None and regime.header.scope != "all"


def judging_regime(
    evaluated: Regime,
    day: date,
    *,
    named: bool,
    build: Callable[[str], Regime],
    resolve: Callable[[date], str | None],
) -> Judge:
    """The regime and version date that judge a duty whose judge date is ``day`` (rule 2).

    Args:
        evaluated: the evaluation's regime (named or resolved on the evaluation date).
        day: the judge date (:func:`judge_date`).
        named: whether the regime was named explicitly (a what-if is possible).
        build: a regime id → the regime (:func:`regimes.library.load_regime`).
        resolve: a date → the id resolution picks for the case's municipality, or ``None``.

    Example:
        A named reform judges a duty due before it started by the law it extends:

        >>> from regimes.library import load_regime
        >>> reform = load_regime("dk-reform-2026")
        >>> judge = judging_regime(reform, date(2026, 6, 15), named=True, build=load_regime,
        ...                        resolve=lambda d: None)
        >>> judge.regime.id, judge.version_date
        ('dk-lab-2024', datetime.date(2026, 6, 15))
    """
    regime = evaluated
    if not named:
        found = resolve(day)
        if found is not None:
            regime = build(found)
        return Judge(regime, regime.version_date(day))
    while regime.header.extends is not None:
        before = regime.valid_from is not None and day < regime.valid_from
        after = regime.valid_to is not None and day > regime.valid_to and is_local_trial(regime)
        if not (before or after):
            break
        regime = build(regime.header.extends)
    return Judge(regime, regime.version_date(day))


def law_key(
    regime: Regime, in_force: frozenset[int], exemptions_in_effect: Iterable[int]
) -> tuple[str, frozenset[int], frozenset[int]]:
    """What decides an obligation under a regime on a version date (rule 3): equal keys, equal law.

    ``in_force`` are the indexes of the regime's rule versions in force, ``exemptions_in_effect``
    those of its exemptions whose ``from`` has come; an evaluation depends on the version date
    through these alone.
    """
    return regime.id, in_force, frozenset(exemptions_in_effect)


def same_rule(regime: Regime, rule_id: str) -> frozenset[str]:
    """The ids under which ``rule_id``'s provision may appear in another regime of its chain:
    itself, the ids it replaced and the ids that replaced it (rule 3).

    Example:
        >>> from regimes.library import load_regime
        >>> sorted(same_rule(load_regime("dk-lab-2024"), "lab-2024.kh-uh.first-interview"))
        ['lab-2020.kh-uh.first-interview', 'lab-2024.kh-uh.first-interview']
    """
    family = set(regime.lifted_ids(rule_id))
    changed = True
    while changed:
        changed = False
        for r in regime.rules:
            if r.replaces in family and r.id not in family:
                family.add(r.id)
                changed = True
    return frozenset(family)
