"""The law's date reckonings over columns of day numbers (the vectorised :mod:`regimes.dates`).

Month addition keeps the day of the month, or the target month's last day where that day does
not exist (what ``relativedelta(months=n)`` does); ``first`` is the day before, unless the day
was clamped. Accumulation (LAB § 9) moves a deadline later by the interruption days on or
before it, until stable, for every case at once. The tests hold each function to its scalar
twin in :mod:`regimes.dates` on random dates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from engine.columnar.tables import NO_DATE, Days
from engine.plan import ReckoningPlan

_I64 = np.int64


def civil(days: Days) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(year, month, day)`` of each day number, in integer arithmetic (H. Hinnant's
    ``civil_from_days``: several times faster than ``datetime64`` calendar conversions)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def days_from_civil(
    y: npt.NDArray[np.int64], m: npt.NDArray[np.int64], d: npt.NDArray[np.int64] | int
) -> Days:
    """The day number of each ``(year, month, day)`` (the inverse of :func:`civil`)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = np.where(m > 2, m - 3, m + 9)
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=_I64)


_LENGTHS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=_I64)


def month_length(y: npt.NDArray[np.int64], m: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Days in each month ``m`` (1–12) of year ``y``."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return np.asarray(_LENGTHS[m - 1] + ((m == 2) & leap), dtype=_I64)


def add_months(days: Days, n: int | npt.NDArray[np.int64]) -> tuple[Days, npt.NDArray[np.bool_]]:
    """``days ⊕ n`` calendar months, and where the day of the month did not exist (clamped)."""
    y, m, d = civil(days)
    total = y * 12 + (m - 1) + n
    ty, tm = np.floor_divide(total, 12), total % 12 + 1
    length = month_length(ty, tm)
    clamped = d > length
    return days_from_civil(ty, tm, np.minimum(d, length)), np.asarray(clamped, dtype=np.bool_)


def month_index(days: Days) -> npt.NDArray[np.int64]:
    """Months since year 0 (``12·year + month − 1``) of each day: month differences subtract."""
    y, m, _ = civil(days)
    return np.asarray(y * 12 + m - 1, dtype=_I64)


def after(days: Days, unit: str, n: int) -> Days:
    """ "No later than N days/weeks/months after D"."""
    if unit == "days":
        return days + n
    if unit == "weeks":
        return days + 7 * n
    return add_months(days, n)[0]


def first(days: Days, unit: str, n: int) -> Days:
    """The last day "within the first N months/weeks" of a period whose day 1 is D."""
    if unit == "weeks":
        return days + 7 * n - 1
    target, clamped = add_months(days, n)
    return np.where(clamped, target, target - 1)


def merge_intervals(
    case: npt.NDArray[np.int64], start: Days, end: Days
) -> tuple[npt.NDArray[np.int64], Days, Days]:
    """Per case, the same days as sorted intervals that neither overlap nor touch."""
    if len(case) == 0:
        return case, start, end
    order = np.lexsort((start, case))
    case, start, end = case[order], start[order], end[order]
    span = int(max(end.max(), start.max()) - min(start.min(), end.min())) + 2
    base = end.min() - 1
    key = case * span + (end - base)
    running = np.maximum.accumulate(key) - case * span + base  # running max end within each case
    new_case = np.ones(len(case), dtype=np.bool_)
    new_case[1:] = case[1:] != case[:-1]
    previous = np.empty_like(running)
    previous[0] = 0
    previous[1:] = running[:-1]
    begins = new_case | (start > previous + 1)
    starts_at = np.flatnonzero(begins)
    ends_at = np.append(starts_at[1:] - 1, len(case) - 1)
    return case[starts_at], start[starts_at], running[ends_at]


def accumulate(deadline: Days, icase: npt.NDArray[np.int64], istart: Days, iend: Days) -> Days:
    """Move each ``deadline[i]`` later by the days of case ``i``'s (merged) intervals on or
    before it, until stable (the vectorised :func:`regimes.dates.accumulate`)."""
    if len(icase) == 0:
        return deadline
    n = len(deadline)
    counted = np.zeros(n, dtype=_I64)
    active = np.unique(icase)
    while len(active):
        x = deadline + counted
        reach = x[icase]
        days = np.where(istart <= reach, np.minimum(iend, reach) - istart + 1, 0)
        total = np.bincount(icase, weights=days, minlength=n).astype(_I64)
        changed = total != counted
        if not changed.any():
            break
        counted = np.where(changed, total, counted)
    return deadline + counted


def reckon(
    reckoning: ReckoningPlan,
    anchor: Days,
    intervals: tuple[npt.NDArray[np.int64], Days, Days] | None,
) -> Days:
    """One reckoning from each anchor; ``intervals`` (merged, per anchor row) accumulate
    ``first`` and ``day_after_first``."""
    kind = reckoning.kind
    if kind == "end_of_week":
        return anchor + 7 * reckoning.n - 1
    if kind == "after":
        return after(anchor, reckoning.unit, reckoning.n)
    if kind == "month_end_after":
        return month_end(after(anchor, reckoning.unit, reckoning.n))
    last = first(anchor, reckoning.unit, reckoning.n)
    if intervals is not None:
        last = accumulate(last, *intervals)
    return last + 1 if kind == "day_after_first" else last


def month_end(days: Days) -> Days:
    """The last day of each day's calendar month (the vectorised :func:`regimes.dates.month_end`)."""
    y, m, _ = civil(days)
    return days_from_civil(y, m, month_length(y, m))


def recurring_mark(start: Days, on: int, unit: str, n: int, last_done: Days) -> Days:
    """The mark a recurring window is anchored on (the vectorised
    :func:`regimes.windows.recurring_mark`): marks are ``day_after_first(start, k·n)``; the
    earliest mark reached (``≤ on``) that no step (``last_done``, NO_DATE: none) follows, else
    the latest mark reached, else the first mark. ``start`` must hold real days."""
    first_mark = first(start, unit, n) + 1
    chosen = np.full(len(start), NO_DATE, dtype=_I64)
    latest = np.full(len(start), NO_DATE, dtype=_I64)
    k = 1
    while True:
        mark = first_mark if k == 1 else first(start, unit, n * k) + 1
        reached = mark <= on
        if not reached.any():
            break
        latest = np.where(reached, mark, latest)
        pick = reached & (chosen == NO_DATE) & ((last_done == NO_DATE) | (last_done < mark))
        chosen = np.where(pick, mark, chosen)
        k += 1
    result: Any = np.where(chosen != NO_DATE, chosen, np.where(latest != NO_DATE, latest, first_mark))
    return np.asarray(result, dtype=_I64)
