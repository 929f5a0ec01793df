"""The columnar back end's input: a cases table, an events table and an interruptions table.

Engine-neutral: columns are named by the plan's words (clock names, event kinds, actors), and
strings travel as :class:`Categorical` codes into a tuple of words. Days are ``int64`` day
numbers (days since 1970-01-01, what ``numpy.datetime64[D]`` counts); :data:`NO_DATE` marks
a missing date. The events table is sorted by case, then by history date (stable: events of one
day keep their order), which is what per-case segment reductions need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

Days: TypeAlias = npt.NDArray[np.int64]
Mask: TypeAlias = npt.NDArray[np.bool_]

NO_DATE: int = -(2**40)
"""A missing date: before every real day number."""

EPOCH_ORDINAL: int = date(1970, 1, 1).toordinal()


def day_number(d: date) -> int:
    """``d`` as days since 1970-01-01."""
    return d.toordinal() - EPOCH_ORDINAL


def from_day_number(n: int) -> date:
    """The date of a day number (the inverse of :func:`day_number`)."""
    return date.fromordinal(int(n) + EPOCH_ORDINAL)


@dataclass(frozen=True, eq=False)
class Categorical:
    """Strings as codes into ``categories``; code ``-1`` is "none"."""

    codes: npt.NDArray[np.int16]
    categories: tuple[str, ...]

    def code(self, word: str) -> int:
        """The code of ``word`` (``-2`` if it is not a category: matches nothing)."""
        try:
            return self.categories.index(word)
        except ValueError:
            return -2

    def lookup(self, words: tuple[str, ...] | frozenset[str]) -> Mask:
        """A mask over codes (``-1`` at the end): index it with :attr:`codes` or a subset of them."""
        table = np.zeros(len(self.categories) + 1, dtype=np.bool_)
        for w in words:
            c = self.code(w)
            if c >= 0:
                table[c] = True
        return table

    def isin(self, words: tuple[str, ...] | frozenset[str], at: npt.NDArray[Any] | None = None) -> Mask:
        """Whether each code (or each code at positions ``at``) is one of ``words``."""
        codes = self.codes if at is None else self.codes[at]
        return self.lookup(words)[codes]

    def take(self, index: npt.NDArray[Any]) -> Categorical:
        return Categorical(self.codes[index], self.categories)

    def value(self, i: int) -> str | None:
        c = int(self.codes[i])
        return self.categories[c] if c >= 0 else None


Column: TypeAlias = "npt.NDArray[Any] | Categorical"
"""A fact column: ``bool`` or ``int64`` values, or a :class:`Categorical` of strings."""


@dataclass(frozen=True, eq=False)
class CaseTable:
    """One row per case: fact columns (as the program reads them), the group, the clocks."""

    n: int
    facts: Mapping[str, Any]
    group: Categorical
    clocks: Mapping[str, Days]
    ids: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def take(self, index: npt.NDArray[Any]) -> CaseTable:
        """The cases at ``index`` (a sub-table; events must be taken alongside)."""
        facts = {k: v.take(index) if isinstance(v, Categorical) else v[index] for k, v in self.facts.items()}
        clocks = {k: v[index] for k, v in self.clocks.items()}
        extra = {k: v.take(index) if isinstance(v, Categorical) else v[index] for k, v in self.extra.items()}
        ids = None if self.ids is None else _take_ids(self.ids, index)
        return CaseTable(len(index), facts, self.group.take(index), clocks, ids, extra)


def _take_ids(ids: Any, index: npt.NDArray[Any]) -> Any:
    if isinstance(ids, np.ndarray):
        return ids[index]
    return ids.take(index)  # a pyarrow array


@dataclass(frozen=True, eq=False)
class EventTable:
    """One row per event, sorted by ``case`` then ``day`` (the history date).

    ``start``/``end`` are an offer's or an exemption ground's period, ``given`` an offer's
    ``given_on`` (:data:`NO_DATE` if not recorded), ``offer_type`` and ``ground`` their words,
    ``keeps`` a ground's ``jobcenter_keeps_duties``. ``day`` is the date the event entered the
    history (an offer's ``given_on`` or start, a ground's start).
    """

    case: npt.NDArray[np.int64]
    day: Days
    kind: Categorical
    actor: Categorical
    start: Days
    end: Days
    given: Days
    offer_type: Categorical
    ground: Categorical
    keeps: Mask

    def __len__(self) -> int:
        return len(self.case)

    def select(self, mask: npt.NDArray[Any]) -> EventTable:
        """The rows where ``mask`` holds (or at an index array), order kept."""
        return EventTable(
            case=self.case[mask],
            day=self.day[mask],
            kind=self.kind.take(mask),
            actor=self.actor.take(mask),
            start=self.start[mask],
            end=self.end[mask],
            given=self.given[mask],
            offer_type=self.offer_type.take(mask),
            ground=self.ground.take(mask),
            keeps=self.keeps[mask],
        )


@dataclass(frozen=True, eq=False)
class IntervalTable:
    """Interruptions (periods of work), one row each: ``case``, ``start``, ``end`` (inclusive)."""

    case: npt.NDArray[np.int64]
    start: Days
    end: Days

    def __len__(self) -> int:
        return len(self.case)

    def select(self, mask: npt.NDArray[Any]) -> IntervalTable:
        return IntervalTable(self.case[mask], self.start[mask], self.end[mask])


def empty_events(kinds: tuple[str, ...] = (), actors: tuple[str, ...] = ()) -> EventTable:
    """An events table with no rows."""
    z = np.zeros(0, dtype=np.int64)
    c = np.zeros(0, dtype=np.int16)
    return EventTable(
        z,
        z,
        Categorical(c, kinds),
        Categorical(c, actors),
        z,
        z,
        z,
        Categorical(c, ()),
        Categorical(c, ()),
        np.zeros(0, dtype=np.bool_),
    )
