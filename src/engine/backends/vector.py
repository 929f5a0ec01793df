"""The vectorised back end: every condition evaluated column-wise with NumPy.

``match`` turns the rows into one column per fact and evaluates each predicate over all
rows at once, giving a boolean mask per condition; the masks become one frozenset per row.

Type strictness (:func:`engine.compiled.compare` never equates ``True`` and ``1``) is kept
by giving every column a *kind* array (bool, int or str per row) next to typed value
arrays: a comparison with an ``int`` value only looks at rows whose kind is ``int``, and so
on. Strings are factorised (``np.unique``, which sorts with Python's own ``<``), so string
equality, membership and order become integer comparisons on codes. Ints are ``int64``;
a column holding an int outside that range falls back to an object array with Python
comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from engine.compiled import All, AnyOf, Cmp, FactRow, FactValue, MatchProgram, Not, Predicate
from regimes.errors import EngineError

Mask: TypeAlias = npt.NDArray[np.bool_]

_BOOL, _INT, _STR = 0, 1, 2
_KIND = {bool: _BOOL, int: _INT, str: _STR}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class _Column:
    """One fact over all rows: kinds plus typed values, built lazily."""

    def __init__(self, values: list[FactValue]) -> None:
        self.values = values
        self.n = len(values)
        self.kind: npt.NDArray[np.uint8] = np.fromiter(
            (_KIND[type(v)] for v in values), dtype=np.uint8, count=self.n
        )
        self._kind_masks: dict[int, Mask] = {}
        self._bools: Mask | None = None
        self._ints: npt.NDArray[Any] | None = None
        self._strings: tuple[npt.NDArray[Any], npt.NDArray[np.intp]] | None = None

    def is_kind(self, kind: int) -> Mask:
        mask = self._kind_masks.get(kind)
        if mask is None:
            mask = self._kind_masks[kind] = self.kind == kind
        return mask

    def bools(self) -> Mask:
        if self._bools is None:
            self._bools = np.fromiter((v is True for v in self.values), dtype=np.bool_, count=self.n)
        return self._bools

    def ints(self) -> npt.NDArray[Any]:
        """int64 (or object, if some int does not fit) values; 0 where the kind is not int."""
        if self._ints is None:
            raw = [v if type(v) is int else 0 for v in self.values]
            if all(_INT64_MIN <= v <= _INT64_MAX for v in raw):
                self._ints = np.array(raw, dtype=np.int64)
            else:
                self._ints = np.array(raw, dtype=object)
        return self._ints

    def strings(self) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
        """Sorted distinct strings and each row's code into them ("" where not a str)."""
        if self._strings is None:
            raw = np.array([v if type(v) is str else "" for v in self.values], dtype=object)
            uniques, codes = np.unique(raw, return_inverse=True)
            self._strings = (uniques, codes.reshape(-1))
        return self._strings


def _int_compare(column: _Column, op: str, value: int) -> Mask:
    ints = column.ints()
    if ints.dtype == np.int64 and not _INT64_MIN <= value <= _INT64_MAX:
        # No int64 equals it; it is above or below every one of them.
        above = value > _INT64_MAX
        if op in ("lt", "le"):
            result = np.full(column.n, above, dtype=np.bool_)
        elif op in ("gt", "ge"):
            result = np.full(column.n, not above, dtype=np.bool_)
        else:  # eq
            result = np.zeros(column.n, dtype=np.bool_)
    elif op == "eq":
        result = np.asarray(ints == value, dtype=np.bool_)
    elif op == "lt":
        result = np.asarray(ints < value, dtype=np.bool_)
    elif op == "le":
        result = np.asarray(ints <= value, dtype=np.bool_)
    elif op == "gt":
        result = np.asarray(ints > value, dtype=np.bool_)
    else:
        result = np.asarray(ints >= value, dtype=np.bool_)
    return result & column.is_kind(_INT)


def _str_compare(column: _Column, op: str, value: str) -> Mask:
    uniques, codes = column.strings()
    if op == "eq":
        at = int(np.searchsorted(uniques, value, side="left"))
        if at < len(uniques) and uniques[at] == value:
            result = codes == at
        else:
            result = np.zeros(column.n, dtype=np.bool_)
    elif op == "lt":  # code < first position whose string is >= value
        result = codes < int(np.searchsorted(uniques, value, side="left"))
    elif op == "le":
        result = codes < int(np.searchsorted(uniques, value, side="right"))
    elif op == "gt":
        result = codes >= int(np.searchsorted(uniques, value, side="right"))
    else:
        result = codes >= int(np.searchsorted(uniques, value, side="left"))
    return np.asarray(result, dtype=np.bool_) & column.is_kind(_STR)


def _equals(column: _Column, value: FactValue) -> Mask:
    kind = type(value)
    if kind is bool:
        same: Mask = np.asarray(column.bools() == value, dtype=np.bool_)
        return same & column.is_kind(_BOOL)
    if kind is int:
        assert isinstance(value, int)
        return _int_compare(column, "eq", value)
    assert isinstance(value, str)
    return _str_compare(column, "eq", value)


def _member(column: _Column, values: tuple[Any, ...]) -> Mask:
    result = np.zeros(column.n, dtype=np.bool_)
    ints = [v for v in values if type(v) is int]
    strs = [v for v in values if type(v) is str]
    for b in {v for v in values if type(v) is bool}:
        result |= _equals(column, b)
    if ints:
        col = column.ints()
        if col.dtype == np.int64:
            fits = [v for v in ints if _INT64_MIN <= v <= _INT64_MAX]
            if fits:
                result |= np.isin(col, np.array(fits, dtype=np.int64)) & column.is_kind(_INT)
        else:
            wanted = set(ints)
            result |= np.fromiter(
                (v in wanted for v in col), dtype=np.bool_, count=column.n
            ) & column.is_kind(_INT)
    if strs:
        uniques, codes = column.strings()
        at = np.searchsorted(uniques, np.array(strs, dtype=object), side="left")
        present = [int(a) for a, s in zip(at, strs, strict=True) if a < len(uniques) and uniques[a] == s]
        if present:
            result |= np.isin(codes, np.array(present, dtype=np.intp)) & column.is_kind(_STR)
    return result


class _Evaluation:
    """One ``match`` call: the columns and a cache of comparison masks."""

    def __init__(self, columns: dict[str, _Column], n: int) -> None:
        self.columns = columns
        self.n = n
        self.cache: dict[tuple[object, ...], Mask] = {}

    def constant(self, value: bool) -> Mask:
        return np.full(self.n, value, dtype=np.bool_)

    def mask(self, p: Predicate) -> Mask:
        if isinstance(p, Cmp):
            return self.compare(p)
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

    def compare(self, cmp: Cmp) -> Mask:
        # Key by value *type* too: Cmp("f", "eq", True) == Cmp("f", "eq", 1) as dataclasses.
        value = cmp.value
        typed = tuple((type(v), v) for v in value) if isinstance(value, tuple) else (type(value), value)
        key = (cmp.fact, cmp.op, typed)
        mask = self.cache.get(key)
        if mask is None:
            mask = self.cache[key] = self._compare(cmp)
        return mask

    def _compare(self, cmp: Cmp) -> Mask:
        op, value = cmp.op, cmp.value
        column = self.columns[cmp.fact]
        if op in ("eq", "ne"):
            if isinstance(value, tuple) or type(value) not in _KIND:
                return self.constant(op == "ne")
            equal = _equals(column, value)
            return equal if op == "eq" else ~equal
        if op in ("in", "not_in"):
            if not isinstance(value, tuple):
                return self.constant(op == "not_in")
            member = _member(column, value)
            return member if op == "in" else ~member
        if type(value) is int:
            assert isinstance(value, int)
            return _int_compare(column, op, value)
        if type(value) is str:
            assert isinstance(value, str)
            return _str_compare(column, op, value)
        return self.constant(False)  # bools, tuples and other types never order


class VectorMatcher:
    """A program evaluated with NumPy masks; holds no state between calls."""

    def __init__(self, program: MatchProgram) -> None:
        self.program = program
        self._facts = program.facts
        self._closed = False

    def _columns(self, rows: Sequence[FactRow]) -> dict[str, _Column]:
        columns: dict[str, _Column] = {}
        for name in self._facts:
            try:
                values = [row[name] for row in rows]
            except KeyError:
                at = next(i for i, row in enumerate(rows) if name not in row)
                msg = f"row {at} has no fact {name!r} (program {self.program.name!r})"
                raise EngineError(msg) from None
            try:
                columns[name] = _Column(values)
            except KeyError:
                at, bad = next((i, v) for i, v in enumerate(values) if type(v) not in _KIND)
                msg = f"row {at}, fact {name!r}: value {bad!r} is not a str, int or bool"
                raise EngineError(msg) from None
        return columns

    def match(self, rows: Sequence[FactRow]) -> list[frozenset[int]]:
        """For each row, the indexes of the conditions that hold."""
        if self._closed:
            msg = f"matcher for {self.program.name!r} is closed"
            raise EngineError(msg)
        n = len(rows)
        conditions = self.program.conditions
        if n == 0:
            return []
        if not conditions:
            return [frozenset()] * n
        evaluation = _Evaluation(self._columns(rows), n)
        matrix = np.empty((n, len(conditions)), dtype=np.bool_)
        for j, condition in enumerate(conditions):
            matrix[:, j] = evaluation.mask(condition.predicate)
        # Rows with the same pattern share one frozenset: key each row by its packed bits.
        packed = np.packbits(matrix, axis=1)
        width = packed.shape[1]
        keys = np.ascontiguousarray(packed).view(np.dtype((np.void, width))).reshape(n).tolist()
        sets: dict[object, frozenset[int]] = {}
        out: list[frozenset[int]] = []
        for r, key in enumerate(keys):
            found = sets.get(key)
            if found is None:
                found = sets[key] = frozenset(np.flatnonzero(matrix[r]).tolist())
            out.append(found)
        return out

    def close(self) -> None:
        """Nothing native to release; ``match`` raises afterwards."""
        self._closed = True


class VectorBackend:
    """Evaluates programs column-wise with NumPy."""

    name = "vector"

    def compile(self, program: MatchProgram) -> VectorMatcher:
        return VectorMatcher(program)
