"""Back end ``columnar``: as a matcher, the columnar condition masks over rows turned into typed columns.

Why a matcher at all: sessions and single evaluations ask a back end only which conditions
hold (the per-case path). :func:`regimes.evaluate.evaluate_many` with ``backend="columnar"``
runs the *whole* plan column-wise instead (:mod:`engine.columnar.execute`); this matcher makes
the same name usable everywhere else. A column whose rows mix types (never the case for rows a
registry of typed facts produces) falls back to the vector back end's row semantics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.backends.vector import VectorMatcher
from engine.columnar.conditions import match_matrix
from engine.columnar.tables import Categorical
from engine.compiled import FactRow, MatchProgram
from regimes.errors import EngineError


def typed_column(values: list[Any]) -> Any | None:
    """One fact's values as a typed column, or ``None`` if they are not all of one type."""
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return np.array(values, dtype=np.bool_)
    if kinds == {int}:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            return None
    if kinds == {str}:
        categories = tuple(sorted(set(values)))
        index = {c: i for i, c in enumerate(categories)}
        return Categorical(np.array([index[v] for v in values], dtype=np.int16), categories)
    return None


class ColumnarMatcher:
    """A program matched with the columnar masks; holds no state between calls."""

    def __init__(self, program: MatchProgram) -> None:
        self.program = program
        self._facts = program.facts
        self._fallback = VectorMatcher(program)
        self._closed = False

    def match(self, rows: Sequence[FactRow]) -> list[frozenset[int]]:
        if self._closed:
            msg = f"matcher for {self.program.name!r} is closed"
            raise EngineError(msg)
        if not rows:
            return []
        columns: dict[str, Any] = {}
        for name in self._facts:
            try:
                column = typed_column([row[name] for row in rows])
            except KeyError:
                return self._fallback.match(rows)  # names the missing fact
            if column is None:
                return self._fallback.match(rows)
            columns[name] = column
        matrix = match_matrix(self.program, columns, len(rows))
        return [frozenset(np.flatnonzero(r).tolist()) for r in matrix]

    def close(self) -> None:
        self._closed = True


class ColumnarBackend:
    """Back end ``columnar``."""

    name = "columnar"

    def compile(self, program: MatchProgram) -> ColumnarMatcher:
        return ColumnarMatcher(program)
