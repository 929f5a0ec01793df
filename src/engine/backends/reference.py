"""The reference back end: :func:`engine.compiled.holds`, row by row, in plain Python.

Why keep it: it *is* the semantics the other back ends implement, so property tests hold
durable-rules and the vectorised back end to it; it also needs nothing native.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.compiled import FactRow, MatchProgram, holds


class ReferenceMatcher:
    """Matches by walking each predicate."""

    def __init__(self, program: MatchProgram) -> None:
        self.program = program

    def match(self, rows: Sequence[FactRow]) -> list[frozenset[int]]:
        conditions = self.program.conditions
        return [frozenset(i for i, c in enumerate(conditions) if holds(c.predicate, row)) for row in rows]

    def close(self) -> None:
        """Nothing to release."""


class ReferenceBackend:
    """Back end ``reference``."""

    name = "reference"

    def compile(self, program: MatchProgram) -> ReferenceMatcher:
        return ReferenceMatcher(program)
