"""The known-law horizon (corrections C10): the rulesets are the law as known on a date.

Why: the bundled regimes encode the law as the sources stood on 2 December 2026, and a new main
act (with LOB repealed) was planned for 1 January 2027 but not tabled. Evaluating a case on a later
date with today's rules would silently extend today's law into a period it may not govern. Each
regime header therefore says ``known_until`` (and ``known_until_reason``); every evaluation,
resolution and diff on a later date carries a warning built here, in every output (the Python
result's ``warnings``, the CLI's table and JSON, the HTTP JSON through the same models, the
HTML report).

The rule (:func:`horizon_warning`): a date ``on`` is beyond a regime's horizon when
``on > known_until``; on ``known_until`` itself the law is known. A regime without a horizon
(a user's file that does not say) gets no warning.
"""

from __future__ import annotations

from datetime import date

from regimes.layer import Regime

__all__ = ["beyond_horizon", "horizon_texts", "horizon_warning", "horizon_warnings"]


def beyond_horizon(regime: Regime, on: date) -> bool:
    """Whether ``on`` lies after the date up to which ``regime``'s content is known.

    Example:
        >>> from regimes.library import load_regime
        >>> reform = load_regime("dk-reform-2026")
        >>> beyond_horizon(reform, reform.known_until), beyond_horizon(reform, date(2027, 1, 1))
        (False, True)
    """
    return regime.known_until is not None and on > regime.known_until


def horizon_warning(regime: Regime, on: date) -> str | None:
    """The warning for ``regime`` on ``on``, or ``None`` when the law is known on that date.

    Example:
        >>> from regimes.library import load_regime
        >>> print(horizon_warning(load_regime("dk-reform-2026"), date(2027, 3, 1)))  # doctest: +ELLIPSIS
        beyond the known law: dk-reform-2026 is known until 2026-12-31 (law as known on 2026-12-02; ...
    """
    found = horizon_texts(regime.id, regime.known_until, regime.known_until_reason, on)
    return found[0] if found else None


def horizon_texts(regime_id: str, known_until: date | None, reason: str | None, on: date) -> list[str]:
    """The rule on plain data (for back ends that carry no :class:`Regime`): ``[warning]`` or ``[]``.

    Example:
        >>> horizon_texts("x", date(2026, 12, 31), "why", date(2026, 12, 31))
        []
    """
    if known_until is None or on <= known_until:
        return []
    return [
        f"beyond the known law: {regime_id} is known until {known_until} ({reason}); "
        f"{on} is later, so this applies that law unchanged, and the law then in force may differ"
    ]


def horizon_warnings(regimes: list[Regime], on: date) -> list[str]:
    """The warnings for several regimes on one date (a diff), without repeats."""
    found = [w for r in regimes if (w := horizon_warning(r, on)) is not None]
    return list(dict.fromkeys(found))
