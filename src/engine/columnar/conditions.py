"""Conditions over typed columns: one boolean mask per condition of a match program.

Unlike :mod:`engine.backends.vector` (which receives rows of mixed Python values), the columns
here are typed by their fact (``bool``, ``int64``, or a :class:`Categorical` of strings), so a
comparison is one NumPy expression. The typing rules of :func:`engine.compiled.compare` still
hold: a value of another type never equals a column's values, and never orders against them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from engine.columnar.tables import Categorical, Mask
from engine.compiled import All, AnyOf, Cmp, FactValue, MatchProgram, Not, Predicate, compare


def _kind(column: Any) -> type:
    if isinstance(column, Categorical):
        return str
    if column.dtype == np.bool_:
        return bool
    return int


def _same_type(column_type: type, value: object) -> bool:
    return type(value) is column_type


class ColumnMasks:
    """Masks of comparisons over ``n`` rows of typed columns, cached per comparison."""

    def __init__(self, columns: dict[str, Any], n: int) -> None:
        self.columns = columns
        self.n = n
        self.cache: dict[tuple[object, ...], Mask] = {}

    def constant(self, value: bool) -> Mask:
        return np.full(self.n, value, dtype=np.bool_)

    def mask(self, p: Predicate) -> Mask:
        if isinstance(p, Cmp):
            value = p.value
            typed = tuple((type(v), v) for v in value) if isinstance(value, tuple) else (type(value), value)
            key = (p.fact, p.op, typed)
            found = self.cache.get(key)
            if found is None:
                found = self.cache[key] = self._compare(p)
            return found
        if isinstance(p, All):
            result = self.constant(True)
            for item in p.items:
                result = result & self.mask(item)
            return result
        if isinstance(p, AnyOf):
            result = self.constant(False)
            for item in p.items:
                result = result | self.mask(item)
            return result
        assert isinstance(p, Not)
        return ~self.mask(p.item)

    def _equal(self, column: Any, kind: type, value: FactValue) -> Mask:
        if not _same_type(kind, value):
            return self.constant(False)
        if isinstance(column, Categorical):
            return np.asarray(column.codes == column.code(str(value)), dtype=np.bool_)
        return np.asarray(column == value, dtype=np.bool_)

    def _compare(self, cmp: Cmp) -> Mask:
        column = self.columns[cmp.fact]
        kind = _kind(column)
        op, value = cmp.op, cmp.value
        if op in ("eq", "ne"):
            if isinstance(value, tuple):
                return self.constant(op == "ne")
            equal = self._equal(column, kind, value)
            return equal if op == "eq" else ~equal
        if op in ("in", "not_in"):
            member = self.constant(False)
            if isinstance(value, tuple):
                for v in value:
                    member = member | self._equal(column, kind, v)
            return member if op == "in" else ~member
        if isinstance(value, tuple) or kind is bool or not _same_type(kind, value):
            return self.constant(False)
        if isinstance(column, Categorical):
            per_category = np.array(
                [compare(c, op, value) for c in column.categories] + [False], dtype=np.bool_
            )
            codes = np.where(column.codes >= 0, column.codes, len(column.categories))
            return per_category[codes]
        ints: npt.NDArray[Any] = column
        if op == "lt":
            return np.asarray(ints < value, dtype=np.bool_)
        if op == "le":
            return np.asarray(ints <= value, dtype=np.bool_)
        if op == "gt":
            return np.asarray(ints > value, dtype=np.bool_)
        return np.asarray(ints >= value, dtype=np.bool_)


def match_matrix(program: MatchProgram, columns: dict[str, Any], n: int) -> npt.NDArray[np.bool_]:
    """``(n, conditions)``: whether each condition holds for each row."""
    masks = ColumnMasks(columns, n)
    matrix = np.empty((n, len(program.conditions)), dtype=np.bool_)
    for j, condition in enumerate(program.conditions):
        matrix[:, j] = masks.mask(condition.predicate)
    return matrix
