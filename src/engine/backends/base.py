"""The one small interface every evaluation back end implements.

A back end turns a :class:`~engine.compiled.MatchProgram` into a :class:`Matcher`; the
matcher answers, for each fact row, the set of condition indexes that hold. Everything
else about an evaluation (windows, counting events, statuses) is engine-neutral and lives
upstream in :mod:`regimes.evaluate`, so back ends cannot disagree about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from engine.compiled import FactRow, MatchProgram


class Matcher(Protocol):
    """A compiled program, ready to match rows. Holds no state between calls."""

    def match(self, rows: Sequence[FactRow]) -> list[frozenset[int]]:
        """For each row, the indexes (into ``program.conditions``) of the conditions that hold."""
        ...

    def close(self) -> None:
        """Release native resources; the matcher is unusable afterwards."""
        ...


class Backend(Protocol):
    """A named way to compile and run match programs."""

    name: str

    def compile(self, program: MatchProgram) -> Matcher:
        """Compile a program; raises :class:`regimes.errors.EngineError`-compatible errors."""
        ...
