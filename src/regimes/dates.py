"""All date arithmetic of the product: the law's deadline reckonings, in one place.

Why one module: Danish employment law (LAB) words its time limits in a handful of ways, and each
wording has one reading. If every rule did its own ``+ relativedelta(...)`` the readings would
drift apart at month ends, which is exactly where caseworkers and the tests check them. Every
other module asks this one; ``shared/domain/worked-examples.md`` is its answer key.

The four reckonings (D is the anchor date, N ≥ 1, ``⊕`` adds calendar months keeping the day of
the month, or the month's last day where that day does not exist)::

    wording                                  function                 last day (inclusive)
    ---------------------------------------  -----------------------  ----------------------------------
    "no later than N days/weeks/months       after(D, days=N)         D + N days
     after D"                                after(D, weeks=N)        D + 7·N days
                                             after(D, months=N)       D ⊕ N months
    "within the first N months/weeks"        first(D, months=N)       the day before D ⊕ N months, or the
     (D is the period's day 1)                                        target month's last day where D's
                                                                      day does not exist in it
                                             first(D, weeks=N)        D + 7·N − 1 days
    "by the end of week N" (D is day 1 of    end_of_week(D, N)        D + 7·N − 1 days
     week 1)
    "after the first M and before N months"  between(D, from_months=  opens first(D, M) + 1 day,
                                             M, to_months=N)          closes first(D, N)

"After N months" as an *opening* is :func:`day_after_first`: the day after ``first(D, N)``.

Every deadline is **inclusive**: the step is in time when it happens on the returned date. No
date is ever moved off a weekend or a public holiday; the law's wordings above do not, and a
deadline that silently moved would differ from the one the caseworker reckons by hand.

Accumulated unemployment (LAB § 9, dagpenge only): periods of work pause the count, so a
``first`` deadline moves later by the interruption days that fall on or before it, until stable
(:func:`accumulate`). Counting *calendar days* of interruption is this product's simplification;
the law's own measure may be hours-based (e.g. hours worked per week), which a case does not record.

**Hours** (BEK nr. 2636 af 28/12/2021 § 7, corrections C1): for dagpenge, the accumulated
unemployment is counted in the *paid hours* on dagpenge or in wage-subsidised work (stk. 1);
1 month = 160.33 h and 1 week = 37 h for a full-time insured person, 130 h and 30 h part-time
(stk. 3, :func:`hours_threshold`); dagpenge hours from 2020-03-01 to 2020-08-31 and from 2021-01-01
to 2021-06-30 are not counted (stk. 2, :data:`COVID_EXCLUDED`). "Within the first N months" of
accumulated unemployment then ends on the day the counted hours reach N × 160.33 h
(:func:`hours_reached`), not on a calendar date. When a case gives no hours, the calendar reckoning
above (with interruptions) stays, and the evaluation says which reading it used.

Dates travel to the rule engines as integers ``YYYYMMDD`` (:func:`to_int`, :func:`from_int`): their
facts are plain JSON-like values, and those integers order the same way as the dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

from dateutil.relativedelta import relativedelta

__all__ = [
    "COVID_EXCLUDED",
    "Interval",
    "PaidHours",
    "accumulate",
    "after",
    "age_on",
    "between",
    "day_after_first",
    "end_of_week",
    "first",
    "from_int",
    "hours_reached",
    "hours_threshold",
    "next_day",
    "to_int",
]

_ONE_DAY = timedelta(days=1)


def _count(func: str, name: str, n: int) -> int:
    """``n`` checked as a count of units: an int (not a bool), not negative."""
    if isinstance(n, bool) or not isinstance(n, int):
        msg = f"{func}(): {name} must be an integer (got {n!r})"
        raise TypeError(msg)
    if n < 0:
        msg = f"{func}(): {name} must not be negative (got {n})"
        raise ValueError(msg)
    return n


def _one_unit(func: str, **units: int) -> tuple[str, int]:
    """The one non-zero unit among ``units``, as ``(name, n)``.

    Why insist on exactly one: a law's time limit is in one unit ("2 weeks", "6 months"); a call
    with two would have to pick an order of adding them, and ``months=1, days=3`` is not a
    wording the law uses. Zero units would be a deadline on the anchor itself, which is never meant.
    """
    given = {name: _count(func, name, n) for name, n in units.items()}
    nonzero = [(name, n) for name, n in given.items() if n != 0]
    if len(nonzero) != 1:
        accepted = ", ".join(f"{name}=N" for name in units)
        shown = ", ".join(f"{name}={n}" for name, n in given.items()) or "nothing"
        msg = f"{func}() takes exactly one positive unit ({accepted}; got {shown})"
        raise ValueError(msg)
    return nonzero[0]


def next_day(d: date) -> date:
    """The day after ``d``: where a window that follows a deadline opens.

    Example:
        >>> next_day(date(2024, 2, 28))
        datetime.date(2024, 2, 29)
    """
    return d + _ONE_DAY


def after(d: date, *, days: int = 0, weeks: int = 0, months: int = 0) -> date:
    """The last day in time for "no later than N days/weeks/months after D".

    Days and weeks are plain counts (``D + N``, ``D + 7·N`` days). Months are calendar months with
    the day of the month kept, or the month's last day where that day does not exist (the law
    gives a month's time limit from 31 January until the end of February, not into March).

    Args:
        d: The day the time limit runs from (not itself counted).
        days: N days.
        weeks: N weeks.
        months: N calendar months.

    Returns:
        The deadline, inclusive.

    Raises:
        ValueError: Not exactly one of ``days``, ``weeks``, ``months`` is positive, or one is negative.
        TypeError: A unit is not an integer.

    Examples:
        Registered Monday 4 March 2024, an interview within 2 weeks:

        >>> after(date(2024, 3, 4), weeks=2)
        datetime.date(2024, 3, 18)

        An exemption ending 31 January 2025, an offer within 1 month after it (no 31 February):

        >>> after(date(2025, 1, 31), months=1)
        datetime.date(2025, 2, 28)
        >>> after(date(2024, 1, 31), months=1)
        datetime.date(2024, 2, 29)
    """
    unit, n = _one_unit("after", days=days, weeks=weeks, months=months)
    if unit == "days":
        return d + timedelta(days=n)
    if unit == "weeks":
        return d + timedelta(weeks=n)
    return d + relativedelta(months=n)


def first(d: date, *, months: int = 0, weeks: int = 0) -> date:
    """The last day "within the first N months/weeks" of a period whose day 1 is D.

    Why "the day before" and not ``after``: D is counted as day 1, so the first month of a
    period starting 4 March ends on 3 April. Where the same day does not exist in the target
    month (a period starting 31 August, 6 months: there is no 31 February), the period runs to
    the end of that month: the target month's *last* day, not the day before it.

    Args:
        d: The period's first day.
        months: N calendar months.
        weeks: N weeks (``D + 7·N − 1`` days, the same as :func:`end_of_week`).

    Returns:
        The last day inside the first N months/weeks, inclusive.

    Raises:
        ValueError: Not exactly one of ``months``, ``weeks`` is positive, or one is negative.
        TypeError: A unit is not an integer.

    Examples:
        >>> first(date(2024, 3, 4), months=3)
        datetime.date(2024, 6, 3)
        >>> first(date(2026, 7, 1), months=6)
        datetime.date(2026, 12, 31)

        No 31 February 2025, so the 6 months end on February's last day:

        >>> first(date(2024, 8, 31), months=6)
        datetime.date(2025, 2, 28)
        >>> first(date(2024, 3, 4), weeks=2)
        datetime.date(2024, 3, 17)
    """
    unit, n = _one_unit("first", months=months, weeks=weeks)
    if unit == "weeks":
        return d + timedelta(weeks=n) - _ONE_DAY
    target = d + relativedelta(months=n)
    # relativedelta clamps to the month's last day; a smaller day means D's day does not exist there.
    return target - _ONE_DAY if target.day == d.day else target


def day_after_first(d: date, *, months: int = 0, weeks: int = 0) -> date:
    """Where "after (the first) N months/weeks" opens: the day after :func:`first`.

    Why not ``after(d, months=N)``: the two differ at month ends (a period starting 31 August:
    its first 6 months end 28 February, so "after 6 months" opens 1 March, while
    ``after`` would give 28 February), and an opening must follow the deadline it continues.

    Raises:
        ValueError: As :func:`first`.
        TypeError: As :func:`first`.

    Examples:
        >>> day_after_first(date(2024, 3, 4), months=6)
        datetime.date(2024, 9, 4)
        >>> day_after_first(date(2024, 8, 31), months=6)
        datetime.date(2025, 3, 1)
    """
    return next_day(first(d, months=months, weeks=weeks))


def end_of_week(d: date, n: int) -> date:
    """The last day "by the end of week N" counted from D (day 1 of week 1): ``D + 7·N − 1`` days.

    Why not the calendar week (Sunday of ISO week N): the law counts the weeks of the person's
    period, which start on whatever weekday D is.

    Args:
        d: Day 1 of week 1.
        n: The week number, N ≥ 1.

    Raises:
        ValueError: ``n`` is less than 1.
        TypeError: ``n`` is not an integer.

    Examples:
        >>> end_of_week(date(2024, 1, 8), 8)
        datetime.date(2024, 3, 3)
        >>> end_of_week(date(2024, 3, 4), 8)
        datetime.date(2024, 4, 28)
    """
    if _count("end_of_week", "n", n) < 1:
        msg = f"end_of_week(): n must be a week number of at least 1 (got {n})"
        raise ValueError(msg)
    return d + timedelta(weeks=n) - _ONE_DAY


def between(
    d: date, *, from_months: int, to_months: int, interruptions: Sequence[Interval] = ()
) -> tuple[date, date]:
    """The window "after the first M and before N months" as ``(opens, closes)``, both inclusive.

    It opens the day after ``first(d, M months)`` and closes on ``first(d, N months)``, so
    consecutive windows (0–3, 3–6, 6–16 months) meet without a gap or an overlap. With
    ``interruptions`` (accumulated unemployment, dagpenge only) both ends are accumulated: the
    opening moves with the ``first`` it follows.

    Args:
        d: The period's first day.
        from_months: M, at least 1.
        to_months: N, greater than M.
        interruptions: Periods of work that pause the count (see :func:`accumulate`).

    Raises:
        ValueError: ``from_months`` is less than 1, or ``to_months`` is not greater than it.
        TypeError: A number of months is not an integer.

    Examples:
        >>> between(date(2024, 3, 4), from_months=3, to_months=6)
        (datetime.date(2024, 6, 4), datetime.date(2024, 9, 3))

        With 30 days of work in April–May 2024:

        >>> work = [Interval(date(2024, 4, 15), date(2024, 5, 14))]
        >>> between(date(2024, 3, 4), from_months=3, to_months=6, interruptions=work)
        (datetime.date(2024, 7, 4), datetime.date(2024, 10, 3))
    """
    m = _count("between", "from_months", from_months)
    n = _count("between", "to_months", to_months)
    if m < 1 or n <= m:
        msg = f"between(): needs 1 <= from_months < to_months (got from_months={m}, to_months={n})"
        raise ValueError(msg)
    opens_after = accumulate(first(d, months=m), interruptions)
    closes = accumulate(first(d, months=n), interruptions)
    return next_day(opens_after), closes


@dataclass(frozen=True, slots=True)
class Interval:
    """A period of days, ``start`` and ``end`` both inclusive (a one-day interval has start == end).

    Raises:
        ValueError: ``end`` is before ``start``.

    Example:
        >>> Interval(date(2024, 4, 15), date(2024, 5, 14)).days
        30
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            start, end = self.start.isoformat(), self.end.isoformat()
            msg = f"Interval: end must be on or after start {start} (got {end})"
            raise ValueError(msg)

    @property
    def days(self) -> int:
        """How many days the interval covers: ``end − start + 1``."""
        return (self.end - self.start).days + 1


def _merged(intervals: Sequence[Interval]) -> list[Interval]:
    """The same days as ``intervals``, as sorted intervals that neither overlap nor touch."""
    merged: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: i.start):
        if merged and iv.start <= next_day(merged[-1].end):
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, iv.end))
        else:
            merged.append(iv)
    return merged


def _days_up_to(merged: Sequence[Interval], day: date) -> int:
    """How many days of the (merged) intervals fall on or before ``day``."""
    return sum((min(iv.end, day) - iv.start).days + 1 for iv in merged if iv.start <= day)


def accumulate(deadline: date, interruptions: Sequence[Interval]) -> date:
    """Accumulated unemployment (LAB § 9): move ``deadline`` later by the interruption days before it.

    Why "until stable": the law counts months *of unemployment*, so each day of work on or
    before the deadline pushes it one day later, and the pushed deadline may reach further work
    that then counts too. The result is the first date R with ``R = deadline + (interruption
    days on or before R)``; each day is counted once, even where interruptions overlap. Days are
    calendar days: the product's simplification (see the module docstring).

    Interruptions are counted wherever they fall on or before the deadline; a caller whose
    period starts later than an interruption should leave that interruption out.

    Args:
        deadline: The deadline as reckoned without interruptions (usually from :func:`first`).
        interruptions: Periods of work, in any order, possibly overlapping.

    Returns:
        The moved deadline, never earlier than ``deadline``.

    Examples:
        The first 3 months from 4 March 2024 end 3 June; 30 days of work in April push them to 3 July:

        >>> accumulate(first(date(2024, 3, 4), months=3), [Interval(date(2024, 4, 1), date(2024, 4, 30))])
        datetime.date(2024, 7, 3)

        Work starting after the original deadline still counts once the moved deadline reaches it:

        >>> accumulate(date(2024, 6, 3), [Interval(date(2024, 4, 1), date(2024, 4, 30)),
        ...                               Interval(date(2024, 6, 20), date(2024, 6, 29))])
        datetime.date(2024, 7, 13)
    """
    merged = _merged(interruptions)
    counted = 0
    while True:
        total = _days_up_to(merged, deadline + timedelta(days=counted))
        if total == counted:
            return deadline + timedelta(days=counted)
        counted = total


def to_int(d: date) -> int:
    """``d`` as the integer ``YYYYMMDD``, the form rule engines compare dates in (order is kept).

    Example:
        >>> to_int(date(2024, 3, 4))
        20240304
    """
    return d.year * 10000 + d.month * 100 + d.day


def from_int(n: int) -> date:
    """The date an integer ``YYYYMMDD`` stands for; the inverse of :func:`to_int`.

    Raises:
        ValueError: ``n`` is not a valid date written as ``YYYYMMDD``.

    Example:
        >>> from_int(20240304)
        datetime.date(2024, 3, 4)
    """
    try:
        return date(n // 10000, n // 100 % 100, n % 100)
    except ValueError:
        msg = f"from_int(): expected a date as YYYYMMDD, e.g. 20240304 (got {n!r})"
        raise ValueError(msg) from None


def age_on(birth: date, on: date) -> int:
    """Completed years of age on ``on`` (age limits in the rules are in completed years).

    Someone born 29 February is a year older on 1 March in a year without 29 February; on
    28 February they are not yet.

    Raises:
        ValueError: ``on`` is before ``birth``.

    Examples:
        >>> age_on(date(2000, 2, 29), date(2001, 2, 28))
        0
        >>> age_on(date(2000, 2, 29), date(2001, 3, 1))
        1
    """
    if on < birth:
        msg = f"age_on(): on must not be before birth {birth.isoformat()} (got {on.isoformat()})"
        raise ValueError(msg)
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- accumulated unemployment in hours (BEK 2636/2021 § 7) --------------------------------------

Insurance = Literal["full_time", "part_time"]
HourKind = Literal["dagpenge", "wage_subsidy"]

#: § 7, stk. 3: the hours one month and one week of the act stand for.
HOURS_PER_MONTH: dict[str, Fraction] = {"full_time": Fraction("160.33"), "part_time": Fraction(130)}
HOURS_PER_WEEK: dict[str, Fraction] = {"full_time": Fraction(37), "part_time": Fraction(30)}

#: § 7, stk. 2: dagpenge hours in these periods (both days inclusive) are not counted (COVID-19).
COVID_EXCLUDED: tuple[Interval, ...] = (
    Interval(date(2020, 3, 1), date(2020, 8, 31)),
    Interval(date(2021, 1, 1), date(2021, 6, 30)),
)


@dataclass(frozen=True, slots=True)
class PaidHours:
    """Hours paid over a period (both days inclusive), spread evenly over its days.

    ``kind`` is ``dagpenge`` or ``wage_subsidy`` (løntilskud, LAB kap. 12): both count (§ 7,
    stk. 1); only dagpenge hours are left out in the COVID-19 periods (stk. 2).
    """

    start: date
    end: date
    hours: Fraction
    kind: HourKind = "dagpenge"

    @property
    def per_day(self) -> Fraction:
        return self.hours / ((self.end - self.start).days + 1)


def hours_threshold(insurance: Insurance = "full_time", *, months: int = 0, weeks: int = 0) -> Fraction:
    """The paid hours that make "N months" or "N weeks" of accumulated unemployment (§ 7, stk. 3).

    Examples:
        >>> hours_threshold(months=3), hours_threshold("part_time", months=3)
        (Fraction(48099, 100), Fraction(390, 1))
        >>> float(hours_threshold(weeks=2)), float(hours_threshold("part_time", weeks=2))
        (74.0, 60.0)
    """
    unit, n = _one_unit("hours_threshold", months=months, weeks=weeks)
    table = HOURS_PER_MONTH if unit == "months" else HOURS_PER_WEEK
    return table[insurance] * n


def _covid(day: date) -> bool:
    return any(iv.start <= day <= iv.end for iv in COVID_EXCLUDED)


def _breaks(start: date, periods: Sequence[PaidHours], last: date) -> list[date]:
    """The days from ``start`` on where the daily rate may change (period and COVID edges)."""
    points = {start, next_day(last)}
    for p in periods:
        points.update((p.start, next_day(p.end)))
    for iv in COVID_EXCLUDED:
        points.update((iv.start, next_day(iv.end)))
    return sorted(d for d in points if d >= start)


def hours_reached(
    start: date,
    threshold: Fraction,
    periods: Sequence[PaidHours],
    insurance: Insurance = "full_time",
) -> date:
    """The day on which the counted paid hours from ``start`` on reach ``threshold``.

    Why hours: BEK 2636/2021 § 7 counts accumulated unemployment in the hours paid (stk. 1), so a
    month of part-time work pushes the date out by the hours not paid, not by calendar days. Rules:

    - only hours on or after ``start`` count: a new dagpenge period restarts the count (§ 7,
      stk. 4; `secondary` as to its detail) — the caller passes the period's start;
    - a period's hours are spread evenly over its days; overlapping periods add up;
    - dagpenge hours on days of :data:`COVID_EXCLUDED` are not counted (stk. 2); wage-subsidy hours are;
    - after the last recorded day, full unemployment is projected: 37 h a week (part-time: 30 h),
      spread over the days, so a deadline still running has a date; days before it without a
      recorded period count no hours.

    Returns:
        The first day R ≥ ``start`` with counted hours in ``start … R`` ≥ ``threshold``.

    Examples:
        Full-time, 37 h paid every week from Monday 4 March 2024: 3 months are 481 h, reached on
        the 91st day (481 / (37 / 7) = 91), 2 June 2024 — the calendar reading says 3 June:

        >>> weekly = [PaidHours(date(2024, 3, 4), date(2024, 3, 10), Fraction(37))]
        >>> hours_reached(date(2024, 3, 4), hours_threshold(months=3), weekly)
        datetime.date(2024, 6, 2)

        Fewer hours in April (part-time work: 80 h) push it out by the hours not paid: 148 + 80 +
        165 = 393 h to 31 May, the other 88 h projected at 37 h a week: 17 days, 17 June:

        >>> april = [PaidHours(date(2024, 3, 4), date(2024, 3, 31), Fraction(148)),
        ...          PaidHours(date(2024, 4, 1), date(2024, 4, 30), Fraction(80)),
        ...          PaidHours(date(2024, 5, 1), date(2024, 5, 31), Fraction(165))]
        >>> hours_reached(date(2024, 3, 4), hours_threshold(months=3), april)
        datetime.date(2024, 6, 17)

        COVID-19 (§ 7, stk. 2): dagpenge hours from 1 March to 31 August 2020 are not counted.
        1,147 h over 24 February – 30 September 2020 (220 days, 5.21 h a day): 2 weeks (74 h) are
        31.3 h in February's 6 days, the other 42.7 h only from 1 September — 9 days, 9 September:

        >>> feb = [PaidHours(date(2020, 2, 24), date(2020, 9, 30), Fraction(37 * 31))]
        >>> hours_reached(date(2020, 2, 24), hours_threshold(weeks=2), feb)
        datetime.date(2020, 9, 9)

        Part-time insured: 1 month is 130 h, at 30 h a week (projected): day 31 after the start.

        >>> hours_reached(date(2024, 3, 4), hours_threshold("part_time", months=1), [], "part_time")
        datetime.date(2024, 4, 3)
    """
    counted = [p for p in periods if p.end >= start]  # a week with 0 h paid is a record too
    last = max((p.end for p in counted), default=start - _ONE_DAY)
    projected = HOURS_PER_WEEK[insurance] / 7
    total = Fraction(0)
    points = _breaks(start, counted, last)
    for index, a in enumerate(points):
        b = points[index + 1] - _ONE_DAY if index + 1 < len(points) else None  # None: no end
        covid = _covid(a)
        rate = sum(
            (p.per_day for p in counted if p.start <= a <= p.end and not (covid and p.kind == "dagpenge")),
            Fraction(0),
        )
        if a > last and not covid:
            rate += projected
        if rate == 0:
            continue
        remaining = threshold - total
        days_needed = -(-remaining // rate)  # ceiling
        if b is None or days_needed <= (b - a).days + 1:
            return a + timedelta(days=max(int(days_needed), 1) - 1)
        total += rate * ((b - a).days + 1)
    raise AssertionError("unreachable: the projection after the last record never stops")  # pragma: no cover
