"""The date reckonings: the worked examples, bad arguments, and properties checked against oracles.

The oracles below are written without ``dateutil`` (month arithmetic by ``divmod`` and
``calendar.monthrange``, interruptions counted as a set of days), so a property failing says the
module disagrees with the plain reading of the specification, not with itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regimes.dates import (
    Interval,
    accumulate,
    after,
    age_on,
    between,
    day_after_first,
    end_of_week,
    first,
    from_int,
    next_day,
    to_int,
)

D = date
ONE = timedelta(days=1)

MIN_DATE = date(1950, 1, 1)
MAX_DATE = date(2100, 12, 31)


_LEAP_YEARS = [y for y in range(MIN_DATE.year, MAX_DATE.year + 1) if calendar.isleap(y)]


@st.composite
def _month_ends(draw: st.DrawFn) -> date:
    """29 February, or one of the last three days of a month: where the reckonings differ."""
    if draw(st.booleans()):
        return date(draw(st.sampled_from(_LEAP_YEARS)), 2, 29)
    year, month = draw(st.integers(MIN_DATE.year, MAX_DATE.year)), draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last - draw(st.integers(0, 2)))


# Any date in range, with month ends (a few percent of uniform draws) as likely as all other days together.
dates = st.one_of(st.dates(MIN_DATE, MAX_DATE), _month_ends())
month_counts = st.integers(1, 240)
week_counts = st.integers(1, 520)
day_counts = st.integers(1, 3650)


@st.composite
def intervals(draw: st.DrawFn, near: date | None = None) -> Interval:
    """An interval of 1 to 121 days; with ``near``, starting within about two years after it."""
    start = draw(dates) if near is None else near + timedelta(days=draw(st.integers(-60, 720)))
    return Interval(start, start + timedelta(days=draw(st.integers(0, 120))))


# ---------------------------------------------------------------------------------------------
# Oracles: the specification read literally, without dateutil.


def _target_month(d: date, n: int) -> tuple[int, int, int]:
    """``(year, month, last day)`` of the month ``n`` calendar months after ``d``'s month."""
    years, month0 = divmod(d.month - 1 + n, 12)
    year, month = d.year + years, month0 + 1
    return year, month, calendar.monthrange(year, month)[1]


def _interruption_days_up_to(interruptions: Sequence[Interval], day: date) -> int:
    """Distinct days of ``interruptions`` on or before ``day``, counted one by one."""
    days = {iv.start + timedelta(days=k) for iv in interruptions for k in range(iv.days)}
    return sum(1 for x in days if x <= day)


# ---------------------------------------------------------------------------------------------
# The specification's worked examples.


@pytest.mark.parametrize(
    ("d", "unit", "n", "expected"),
    [
        (D(2024, 3, 4), "weeks", 2, D(2024, 3, 18)),  # registered Monday, 2 weeks
        (D(2025, 1, 31), "months", 1, D(2025, 2, 28)),  # exemption ends; no 31 Feb 2025
        (D(2024, 1, 31), "months", 1, D(2024, 2, 29)),  # leap year
        (D(2024, 9, 15), "months", 1, D(2024, 10, 15)),
        (D(2024, 3, 4), "days", 10, D(2024, 3, 14)),
        (D(2024, 12, 25), "days", 7, D(2025, 1, 1)),
    ],
)
def test_after_examples(d: date, unit: str, n: int, expected: date) -> None:
    assert after(d, **{unit: n}) == expected


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (D(2024, 3, 4), 3, D(2024, 6, 3)),
        (D(2026, 7, 1), 6, D(2026, 12, 31)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),  # no 31 Feb: February's last day, not the day before
        (D(2024, 3, 31), 1, D(2024, 4, 30)),  # no 31 April
        (D(2024, 9, 2), 6, D(2025, 3, 1)),
        (D(2024, 7, 31), 6, D(2025, 1, 30)),  # 31 January exists: the day before it
        (D(2024, 3, 4), 16, D(2025, 7, 3)),
        (D(2022, 6, 1), 6, D(2022, 11, 30)),
        (D(2024, 3, 4), 6, D(2024, 9, 3)),
        (D(2024, 5, 13), 6, D(2024, 11, 12)),
        (D(2024, 4, 10), 6, D(2024, 10, 9)),
        (D(2023, 1, 29), 1, D(2023, 2, 28)),  # no 29 Feb 2023
        (D(2024, 1, 29), 1, D(2024, 2, 28)),  # 29 Feb 2024 exists: the day before it
    ],
)
def test_first_months_examples(d: date, months: int, expected: date) -> None:
    assert first(d, months=months) == expected


def test_first_weeks_is_the_last_day_of_week_n() -> None:
    assert first(D(2024, 3, 4), weeks=8) == D(2024, 4, 28)


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (D(2024, 3, 4), 6, D(2024, 9, 4)),
        (D(2024, 3, 4), 3, D(2024, 6, 4)),
        (D(2024, 8, 31), 6, D(2025, 3, 1)),
    ],
)
def test_day_after_first_examples(d: date, months: int, expected: date) -> None:
    assert day_after_first(d, months=months) == expected


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (D(2024, 1, 8), 8, D(2024, 3, 3)),
        (D(2024, 3, 4), 8, D(2024, 4, 28)),
        (D(2024, 3, 4), 1, D(2024, 3, 10)),
    ],
)
def test_end_of_week_examples(d: date, n: int, expected: date) -> None:
    assert end_of_week(d, n) == expected


@pytest.mark.parametrize(
    ("d", "from_months", "to_months", "expected"),
    [
        (D(2024, 3, 4), 3, 6, (D(2024, 6, 4), D(2024, 9, 3))),
        (D(2022, 6, 1), 3, 6, (D(2022, 9, 1), D(2022, 11, 30))),
        (D(2026, 7, 6), 3, 6, (D(2026, 10, 6), D(2027, 1, 5))),
    ],
)
def test_between_examples(d: date, from_months: int, to_months: int, expected: tuple[date, date]) -> None:
    assert between(d, from_months=from_months, to_months=to_months) == expected


APRIL = Interval(D(2024, 4, 1), D(2024, 4, 30))
MID_APRIL_TO_MID_MAY = Interval(D(2024, 4, 15), D(2024, 5, 14))


@pytest.mark.parametrize(
    ("deadline", "interruptions", "expected"),
    [
        (first(D(2024, 3, 4), months=3), [APRIL], D(2024, 7, 3)),
        (first(D(2024, 3, 4), months=3), [MID_APRIL_TO_MID_MAY], D(2024, 7, 3)),
        (first(D(2024, 3, 4), months=6), [MID_APRIL_TO_MID_MAY], D(2024, 10, 3)),
        (first(D(2024, 3, 4), months=16), [MID_APRIL_TO_MID_MAY], D(2025, 8, 2)),
        # No interruptions: the deadline stays.
        (D(2024, 6, 3), [], D(2024, 6, 3)),
        # Work after the deadline, even after the moved one, does not count.
        (D(2024, 6, 3), [Interval(D(2024, 6, 4), D(2024, 6, 30))], D(2024, 6, 3)),
        (D(2024, 6, 3), [APRIL, Interval(D(2024, 7, 4), D(2024, 7, 10))], D(2024, 7, 3)),
        # Work starting after the original deadline but on or before the moved one: picked up next round.
        (D(2024, 6, 3), [APRIL, Interval(D(2024, 6, 20), D(2024, 6, 29))], D(2024, 7, 13)),
        (D(2024, 6, 3), [APRIL, Interval(D(2024, 7, 3), D(2024, 7, 3))], D(2024, 7, 4)),
        # Overlapping interruptions count each day once: 1 April to 14 May is 44 days.
        (D(2024, 6, 3), [APRIL, MID_APRIL_TO_MID_MAY], D(2024, 7, 17)),
        (D(2024, 6, 3), [APRIL, APRIL], D(2024, 7, 3)),
        # Work straddling the deadline: its days on or before the moving deadline count (all of them here).
        (D(2024, 6, 3), [Interval(D(2024, 6, 1), D(2024, 6, 10))], D(2024, 6, 13)),
    ],
)
def test_accumulate_examples(deadline: date, interruptions: list[Interval], expected: date) -> None:
    assert accumulate(deadline, interruptions) == expected


def test_between_accumulated_moves_the_opening_with_the_first_it_follows() -> None:
    """Worked example 10: ``between(2024-03-04, 3–6 M, accumulated)`` with 30 days of work."""
    window = between(D(2024, 3, 4), from_months=3, to_months=6, interruptions=[MID_APRIL_TO_MID_MAY])
    assert window == (D(2024, 7, 4), D(2024, 10, 3))
    assert window[0] == next_day(accumulate(first(D(2024, 3, 4), months=3), [MID_APRIL_TO_MID_MAY]))


def test_interval_days() -> None:
    assert MID_APRIL_TO_MID_MAY.days == 30
    assert Interval(D(2024, 2, 29), D(2024, 2, 29)).days == 1


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (D(2000, 2, 29), D(2001, 2, 28), 0),
        (D(2000, 2, 29), D(2001, 3, 1), 1),
        (D(2000, 2, 29), D(2004, 2, 28), 3),
        (D(2000, 2, 29), D(2004, 2, 29), 4),
        (D(1985, 6, 15), D(2024, 6, 14), 38),
        (D(1985, 6, 15), D(2024, 6, 15), 39),
        (D(1985, 6, 15), D(1985, 6, 15), 0),
    ],
)
def test_age_on_examples(birth: date, on: date, expected: int) -> None:
    assert age_on(birth, on) == expected


@pytest.mark.parametrize(
    ("d", "n"), [(D(2024, 3, 4), 20240304), (D(1950, 1, 1), 19500101), (D(2100, 12, 31), 21001231)]
)
def test_int_form(d: date, n: int) -> None:
    assert to_int(d) == n
    assert from_int(n) == d


# ---------------------------------------------------------------------------------------------
# Bad arguments: each raises, and the message names what was expected and what came.


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: after(D(2024, 3, 4)), r"exactly one positive unit .*got days=0, weeks=0, months=0"),
        (lambda: after(D(2024, 3, 4), weeks=2, days=1), r"exactly one positive unit .*days=1, weeks=2"),
        (lambda: after(D(2024, 3, 4), months=-1), r"months must not be negative \(got -1\)"),
        (lambda: first(D(2024, 3, 4)), r"first\(\) takes exactly one positive unit \(months=N, weeks=N"),
        (lambda: first(D(2024, 3, 4), months=0), r"exactly one positive unit"),
        (lambda: first(D(2024, 3, 4), months=3, weeks=2), r"exactly one positive unit"),
        (lambda: first(D(2024, 3, 4), weeks=-2), r"weeks must not be negative"),
        (lambda: day_after_first(D(2024, 3, 4)), r"first\(\) takes exactly one positive unit"),
        (lambda: end_of_week(D(2024, 3, 4), 0), r"at least 1 \(got 0\)"),
        (lambda: end_of_week(D(2024, 3, 4), -3), r"must not be negative \(got -3\)"),
        (lambda: between(D(2024, 3, 4), from_months=6, to_months=3), r"1 <= from_months < to_months"),
        (lambda: between(D(2024, 3, 4), from_months=3, to_months=3), r"1 <= from_months < to_months"),
        (lambda: between(D(2024, 3, 4), from_months=0, to_months=3), r"1 <= from_months < to_months"),
        (lambda: Interval(D(2024, 5, 1), D(2024, 4, 30)), r"on or after start 2024-05-01 \(got 2024-04-30\)"),
        (lambda: age_on(D(2000, 1, 1), D(1999, 12, 31)), r"not be before birth 2000-01-01"),
        (lambda: from_int(20250229), r"YYYYMMDD.*got 20250229"),
        (lambda: from_int(2024034), r"YYYYMMDD"),
        (lambda: from_int(-1), r"YYYYMMDD"),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_non_integer_counts_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"days must be an integer \(got 1.5\)"):
        after(D(2024, 3, 4), days=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"months must be an integer \(got True\)"):
        first(D(2024, 3, 4), months=True)


# ---------------------------------------------------------------------------------------------
# Properties.


@given(dates, st.sampled_from(["days", "weeks", "months"]), st.integers(1, 240), st.integers(1, 240))
def test_after_is_increasing_in_n(d: date, unit: str, n: int, m: int) -> None:
    if n > m:
        n, m = m, n
    before, later = after(d, **{unit: n}), after(d, **{unit: m})
    assert before > d
    assert (before < later) if n < m else (before == later)


@given(dates, st.sampled_from(["weeks", "months"]), st.integers(1, 240), st.integers(1, 240))
def test_first_is_increasing_in_n(d: date, unit: str, n: int, m: int) -> None:
    if n > m:
        n, m = m, n
    before, later = first(d, **{unit: n}), first(d, **{unit: m})
    assert (before < later) if n < m else (before == later)


@given(dates, month_counts)
def test_after_months_keeps_the_day_or_takes_the_last(d: date, n: int) -> None:
    year, month, last = _target_month(d, n)
    assert after(d, months=n) == date(year, month, min(d.day, last))


@given(dates, month_counts)
def test_first_months_is_the_day_before_or_the_last_day(d: date, n: int) -> None:
    year, month, last = _target_month(d, n)
    if d.day <= last:
        assert first(d, months=n) == date(year, month, d.day) - ONE
    else:
        assert first(d, months=n) == date(year, month, last)


@given(dates, month_counts)
def test_first_ends_inside_the_period_and_on_or_before_after(d: date, n: int) -> None:
    """The first N months hold between 28·N and 31·N days, and end on ``after`` or the day before it."""
    last = first(d, months=n)
    assert 28 * n <= (last - d).days + 1 <= 31 * n
    gap = (after(d, months=n) - last).days
    _, _, target_last = _target_month(d, n)
    assert gap == (1 if d.day <= target_last else 0)


@given(dates.filter(lambda d: d.day <= 28), st.integers(1, 120), st.integers(1, 120))
def test_first_months_tile(d: date, n: int, m: int) -> None:
    """Where no month end intervenes, the next N months start the day after the first ones end."""
    assert first(day_after_first(d, months=n), months=m) == first(d, months=n + m)


@given(dates, week_counts)
def test_weeks_agree(d: date, n: int) -> None:
    assert first(d, weeks=n) == end_of_week(d, n) == after(d, weeks=n) - ONE == d + timedelta(days=7 * n - 1)
    assert day_after_first(d, weeks=n) == after(d, weeks=n)
    assert end_of_week(d, n).weekday() == (d - ONE).weekday()


@given(dates, day_counts)
def test_after_days_counts_days(d: date, n: int) -> None:
    assert (after(d, days=n) - d).days == n


@given(dates, st.integers(1, 60), st.integers(1, 60), st.integers(1, 60))
def test_between_windows_meet_without_gap_or_overlap(d: date, a: int, b: int, c: int) -> None:
    a, b, c = sorted((a, a + b, a + b + c))
    opens, closes = between(d, from_months=a, to_months=b)
    next_opens, _ = between(d, from_months=b, to_months=c)
    assert opens == day_after_first(d, months=a)
    assert closes == first(d, months=b)
    assert opens <= closes
    assert next_opens == next_day(closes)


@st.composite
def deadline_and_interruptions(draw: st.DrawFn) -> tuple[date, list[Interval]]:
    deadline = draw(st.dates(date(1951, 1, 1), date(2098, 12, 31)))
    interruptions = draw(st.lists(intervals(near=deadline - timedelta(days=400)), max_size=6))
    return deadline, interruptions


@given(deadline_and_interruptions())
def test_accumulate_is_the_least_fixed_point(case: tuple[date, list[Interval]]) -> None:
    """The result is the first date R ≥ deadline with R − deadline = interruption days on or before R."""
    deadline, interruptions = case
    result = accumulate(deadline, interruptions)
    assert result >= deadline
    assert (result - deadline).days == _interruption_days_up_to(interruptions, result)
    earlier = deadline
    while earlier < result:
        assert (earlier - deadline).days != _interruption_days_up_to(interruptions, earlier)
        earlier += ONE


@given(deadline_and_interruptions(), st.data())
def test_accumulate_is_monotone_in_interruptions(
    case: tuple[date, list[Interval]], data: st.DataObject
) -> None:
    deadline, interruptions = case
    extra = data.draw(intervals(near=deadline - timedelta(days=400)))
    assert accumulate(deadline, [*interruptions, extra]) >= accumulate(deadline, interruptions)


@given(deadline_and_interruptions(), st.data())
def test_accumulate_ignores_duplicates_order_and_later_work(
    case: tuple[date, list[Interval]], data: st.DataObject
) -> None:
    deadline, interruptions = case
    result = accumulate(deadline, interruptions)
    assert accumulate(deadline, [*interruptions, *interruptions]) == result
    assert accumulate(deadline, list(reversed(interruptions))) == result
    start = result + timedelta(days=data.draw(st.integers(1, 90)))
    later = Interval(start, start + timedelta(days=data.draw(st.integers(0, 90))))
    assert accumulate(deadline, [*interruptions, later]) == result


@given(deadline_and_interruptions(), st.integers(1, 365))
def test_accumulate_is_monotone_in_the_deadline(case: tuple[date, list[Interval]], shift: int) -> None:
    deadline, interruptions = case
    assert accumulate(deadline + timedelta(days=shift), interruptions) > accumulate(deadline, interruptions)


def _birthday(birth: date, k: int) -> date:
    """The day someone born on ``birth`` turns ``k``: 1 March for a 29 February birth in a common year."""
    year = birth.year + k
    if (birth.month, birth.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)


@given(dates, st.integers(1, 100))
def test_age_turns_on_the_birthday(birth: date, k: int) -> None:
    bday = _birthday(birth, k)
    assert age_on(birth, bday) == k
    assert age_on(birth, bday - ONE) == k - 1


@given(dates, dates, dates)
def test_age_on_is_monotone_in_on(birth: date, on: date, later: date) -> None:
    birth, on, later = sorted((birth, on, later))
    assert 0 <= age_on(birth, on) <= age_on(birth, later)


@given(dates, dates)
def test_int_form_round_trips_and_keeps_order(d: date, e: date) -> None:
    assert from_int(to_int(d)) == d
    assert (to_int(d) < to_int(e)) == (d < e)
