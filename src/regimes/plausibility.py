"""Combinations the law rules out, and evaluation dates a case cannot have yet: warnings and notes.

Why warnings, not errors: the case model is strict about what a case *is* (fields, types, dates),
but whether a citizen can belong to a target group at an age is law, and the law's edges (a 30th
birthday during a period, an education completed later) are for the caseworker to judge. So a
case that LAB § 6 rules out still evaluates, and its evaluation says so in ``warnings``; a date
before the case's own start gets a note, since nothing can be due before the clock starts.

LAB § 6 as the glossary reads it (``inferred``: § 6 itself not read; BEK § 1 seen): uddannelseshjælp
(nr. 4–5) is for people **under 30 without a vocational qualification**; kontanthjælp (nr. 2–3)
for people **30 or over, or under 30 with one**.

    >>> from datetime import date
    >>> from regimes.case import Case
    >>> case = Case.model_validate({"id": "u", "birth_date": "1984-01-01", "municipality": "101",
    ...     "group": "uddannelseshjaelp_uddannelsesparat", "first_inquiry_on": "2024-04-10"})
    >>> for text in unlawful_combinations(case, date(2024, 5, 1)): print(text)  # doctest: +ELLIPSIS
    group uddannelseshjaelp_uddannelsesparat is for people under 30 (LAB § 6, nr. 4–5), ... 40 on 2024-05-01
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from regimes.vocabulary import TargetGroup

if TYPE_CHECKING:
    from regimes.case import Case

__all__ = ["UNDER_30", "before_start", "case_remarks", "lawful_age", "unlawful_combinations"]

UNDER_30: Final = frozenset(
    {TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT, TargetGroup.UDDANNELSESHJAELP_AKTIVITETSPARAT}
)
"""uddannelseshjælp: under 30, no vocational qualification (LAB § 6, nr. 4–5)."""
KONTANTHJAELP: Final = frozenset(
    {TargetGroup.KONTANTHJAELP_JOBPARAT, TargetGroup.KONTANTHJAELP_AKTIVITETSPARAT}
)
"""kontanthjælp: 30 or over, or under 30 with a vocational qualification (LAB § 6, nr. 2–3)."""


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def lawful_age(group: TargetGroup | str, age: int, has_vocational_education: bool) -> bool:
    """Whether LAB § 6 lets someone of ``age`` (and education) be in ``group``.

    >>> lawful_age("uddannelseshjaelp_aktivitetsparat", 40, False), lawful_age("dagpenge", 40, False)
    (False, True)
    >>> lawful_age("kontanthjaelp_jobparat", 24, False), lawful_age("kontanthjaelp_jobparat", 24, True)
    (False, True)
    """
    target = TargetGroup(group)
    if target in UNDER_30:
        return age < 30 and not has_vocational_education
    if target in KONTANTHJAELP:
        return age >= 30 or has_vocational_education
    return True


def unlawful_combinations(case: Case, on: date) -> list[str]:
    """What LAB § 6 rules out for this case on ``on`` (empty for a lawful case)."""
    if on <= case.birth_date:
        return []
    age = _age(case.birth_date, on)
    group = case.group
    out: list[str] = []
    if group in UNDER_30:
        if age >= 30:
            out.append(
                f"group {group.value} is for people under 30 (LAB § 6, nr. 4–5), "
                f"but the citizen is {age} on {on.isoformat()}"
            )
        if case.has_vocational_education:
            out.append(
                f"group {group.value} is for people without a vocational qualification (LAB § 6, nr. 4–5), "
                "but has_vocational_education is set"
            )
    elif group in KONTANTHJAELP and age < 30 and not case.has_vocational_education:
        out.append(
            f"group {group.value} is for people 30 or over, or under 30 with a vocational qualification "
            f"(LAB § 6, nr. 2–3), but the citizen is {age} on {on.isoformat()} without one "
            "(uddannelseshjælp would apply)"
        )
    return out


def before_start(case: Case, on: date) -> str | None:
    """A note when ``on`` is before the case's own start (its § 9 period or first clock)."""
    start = case.effective_period_start
    clocks = [
        (name, getattr(case, name))
        for name in ("registered_on", "first_inquiry_on", "sickness_first_day", "period_start")
        if getattr(case, name) is not None
    ]
    if not clocks:
        return None
    name, first = min(clocks, key=lambda item: item[1])
    if start is not None and start < first:
        first, name = start, "period_start"
    if on >= first:
        return None
    return (
        f"evaluated on {on.isoformat()}, before the case began ({name} {first.isoformat()}): "
        "windows counted from its clocks have not opened yet"
    )


def case_remarks(case: Case, on: date) -> tuple[list[str], list[str]]:
    """``(warnings, notes)`` an evaluation of ``case`` on ``on`` carries besides its rules' own."""
    note = before_start(case, on)
    return unlawful_combinations(case, on), [note] if note else []
