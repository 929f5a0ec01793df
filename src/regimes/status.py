"""An obligation's status: the precedence of worked-examples.md, "Conventions", as pure functions.

Why a module of its own: every back end (the per-case evaluator in :mod:`regimes.evaluate`, the
columnar one in :mod:`engine`) must decide a status the same way, so the rule is written once,
without cases, regimes or back ends in it, and each part is a named function a mirror can cite.

Precedence: ``met`` if enough was done; else ``exempted`` if a deviating regime lifts the rule;
else ``suspended`` if a suspension *pauses* it (:func:`pausing_period`); else ``waivable`` for a
quota; else ``upcoming`` before the window opens, ``due`` until the deadline, ``overdue`` after
it — except that a deadline the law does not assert never makes a duty ``overdue``
(:func:`past_deadline_status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from regimes.vocabulary import Status
from regimes.windows import Period

__all__ = ["decide", "past_deadline_status", "pausing_period", "window_open_on"]


def window_open_on(opens: date, deadline: date | None, day: date) -> bool:
    """Whether the window ``opens … deadline`` (inclusive; no deadline: open-ended) holds ``day``.

    Example:
        >>> window_open_on(date(2024, 6, 4), date(2024, 9, 3), date(2024, 9, 3))
        True
        >>> window_open_on(date(2024, 6, 4), None, date(2030, 1, 1))
        True
    """
    return opens <= day and (deadline is None or day <= deadline)


def pausing_period(periods: Sequence[Period], opens: date, deadline: date | None, on: date) -> Period | None:
    """The suspension period (LAB § 106) that pauses a duty on ``on``, if any: the first that
    either

    (a) holds on ``on`` while the duty's window is open on ``on``, or
    (b) held on the duty's deadline, once the window has opened (``opens ≤ on``): the brief's
        convention "suspended, never overdue" for a deadline that fell inside the ground
        (worked-examples.md, Ex 9b; ``inferred``).

    Why not "holds on ``on`` or on the deadline", as before: § 106 frees a person from the duties
    *while* the ground lasts; it cannot revive a duty whose deadline passed before the ground
    began (that one stays ``overdue``), and a window that opens after the ground ended was never
    paused. A window not yet open on ``on`` is ``upcoming``, whatever ground holds: nothing runs
    that could be paused. Both consequences follow from (a) and (b) and are property-tested.

    Examples:
        Ground 20 Aug – 15 Sep 2024 (the issue's scenario), evaluated 1 Sep:

        >>> ground = [Period(date(2024, 8, 20), date(2024, 9, 15), "r", "LAB § 106")]
        >>> pausing_period(ground, date(2024, 3, 4), date(2024, 3, 18), date(2024, 9, 1)) is None
        True
        >>> pausing_period(ground, date(2024, 6, 4), date(2024, 9, 3), date(2024, 9, 1)) is not None
        True
        >>> pausing_period(ground, date(2024, 9, 20), date(2025, 7, 3), date(2024, 9, 1)) is None
        True

        On 20 Sep the ground is over, but it held on the 3 Sep deadline (rule b):

        >>> pausing_period(ground, date(2024, 6, 4), date(2024, 9, 3), date(2024, 9, 20)) is not None
        True
    """
    for period in periods:
        if period.covers(on) and window_open_on(opens, deadline, on):
            return period
        if deadline is not None and opens <= on and period.covers(deadline):
            return period
    return None


def past_deadline_status(deadline_asserted: bool) -> Status:
    """What a duty whose deadline has passed (and that is not met) shows.

    ``overdue`` only when the deadline is law: a deadline that is ``unverified`` (the rule's or
    the window's ``deadline_confidence``) is shown, but breaking it is not a breach the product
    may assert (corrections C7: "an obligation whose deadline is not asserted must never show
    ``overdue``"). Such a duty stays ``due``: the step is still owed, its time limit is unknown;
    the obligation's ``deadline_asserted: false`` says why.

    Examples:
        >>> past_deadline_status(True).value
        'overdue'
        >>> past_deadline_status(False).value
        'due'
    """
    return Status.OVERDUE if deadline_asserted else Status.DUE


def decide(
    *,
    done: int,
    count: int,
    exempted: bool,
    suspended: bool,
    quota: bool,
    on: date,
    opens: date,
    deadline: date | None,
    deadline_asserted: bool,
) -> Status:
    """The status by the precedence of the module docstring.

    Example:
        A first interview due by 18 Mar 2024, not held, looked at on 20 Mar:

        >>> kw = dict(done=0, count=1, exempted=False, suspended=False, quota=False,
        ...           on=date(2024, 3, 20), opens=date(2024, 3, 4), deadline=date(2024, 3, 18))
        >>> decide(**kw, deadline_asserted=True).value
        'overdue'
        >>> decide(**kw, deadline_asserted=False).value
        'due'
    """
    if done >= count:
        return Status.MET
    if exempted:
        return Status.EXEMPTED
    if suspended:
        return Status.SUSPENDED
    if quota:
        return Status.WAIVABLE
    if on < opens:
        return Status.UPCOMING
    if deadline is None or on <= deadline:
        return Status.DUE
    return past_deadline_status(deadline_asserted)
