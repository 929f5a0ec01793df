"""The durable-rules (Rete) back end.

Each condition of a :class:`~engine.compiled.MatchProgram` becomes a durable-rules rule
(``"c0"``, ``"c1"``, …; a condition too big for one rule becomes ``"c3.0"``, ``"c3.1"``, …)
of the form ``{"all": [{"m": <expr>}], "run": <action>}``, whose action records
``(row, condition)``. ``match`` asserts one fact per row, lets the actions run, and deletes
the state again, so nothing survives an evaluation.

Design choices, each forced by something durable-rules 2.0.28 does (limits quoted from its
C source, ``src/rules/*.h``):

* **Every value is a type-tagged string.** durable-rules coerces across types: ``true == 1``,
  ``"1" == 1``, ``3 != "3"`` is false, ``3 < "zz"`` is true. :func:`engine.compiled.compare`
  is strict about types, so the matcher encodes both the facts and the rule constants:
  ``b:0``/``b:1`` for bools, ``s:<hex of UTF-8>`` for strings and an order-preserving
  ``i:…`` form for ints (sign, four-digit length, digits; negatives complemented; any size).
  Only string-vs-string comparisons (``strcmp``) remain, and a tag range
  (``"i:" <= x < "i;"``) keeps an order comparison to its own type. Strings are hex-encoded
  because durable-rules compares the *raw JSON text* of a string (``'a"'`` arrives as
  ``a\\"`` and sorts after ``'aA'``); hex of UTF-8 sorts like Python's code points. durable
  mis-compares strings of 65,535 bytes or more, so longer encodings are refused.
* **Negation is pushed down here, not with** :func:`engine.compiled.push_not`, whose table
  turns ``not (x < 5)`` into ``x >= 5``: wrong when ``x`` is not an int (``compare`` is false
  for both). Here it becomes "``x`` outside the int tag range, or ``x >= 5``".
* **Fact names become ``f0``, ``f1``, …** (their position in ``program.facts``): ``sid`` and
  ``id`` are durable's own, and a dot would be read as a path.
* **One ``sid`` per ``match`` call, rows told apart by ``__row``.** All rows of a call live in
  one durable *state*, cleared by one ``delete_state``. Rules read one fact each, so rows in
  a state never interact. The ``sid`` is fresh per call (a counter), so a call that failed
  half-way cannot leak facts into the next. A ``sid`` per row would cost a state (~320 KB
  while alive) and a ``delete_state`` per row, and with a batch only one state's actions
  run synchronously; the rest wait for durable's timer-driven dispatcher, switched off here.
* **One ``assert_fact`` per row, no observer rule.** A fact that no rule matches raises
  ``MessageNotHandledException``; in an ``assert_facts`` batch that aborts the whole batch
  (no action runs at all), so a batch needs an observer rule matching every row, and its
  action costs one durable round trip per row. Measured on the 20-condition benchmark below
  (durable alone, rows pre-encoded): batch + observer 27,700 rows/s, row by row + observer
  23,500, row by row without observer (the exception just means "no condition holds")
  40,200; on a dense program (12.8 matches a row) 5,200 / 5,300 / 5,500. Row by row
  without observer is kept. :func:`raw_ruleset_definition` still carries an observer, for
  batch benchmarks.
* **Two durable segfaults are avoided.** ``delete_state`` crashes on a state that saw only
  unhandled facts: if no row of a call matched, a sentinel fact (matched by rule
  ``"sentinel"``) is asserted first. It also crashes on a state holding a half-joined
  multi-pattern rule, so every rule has exactly one pattern.
* **No rule may match the state document** (``{sid, id, $s}``) that durable re-asserts
  after every action; such a rule re-fires forever. Every rule tests fact fields or
  ``__row``, which the state document lacks (a missing field compares false): *true* is
  ``$ex __row``, *false* is ``__row == -1``.
* **Conditions are split and packed to fit three limits.** A rule's expression sequence
  holds 32 entries and each ``$and``/``$or`` takes two (error 113 beyond 15 of them);
  ``$or`` is evaluated as disjunctive normal form — a fact fires a rule once per true term —
  and alpha nodes are walked with a 64-entry stack (error 303 when more paths are pending);
  a fact has at most 255 properties (error 302). So a condition is split (distributing its
  widest disjunction) into rules of at most 15 ``$and``/``$or`` and 48 terms, and rules are
  packed into rulesets of at most 48 terms and 240 fact fields, all in the matcher's own
  Host. Typical programs fit one ruleset; the benchmark's does.
* **A Host of our own, without its timers, freed on close.** ``Host.__init__`` starts two
  ``threading.Timer`` loops that never end; :func:`_quiet_host_class` turns them off. Host
  never frees a native ruleset (about 1 MB for the benchmark's), so
  :meth:`DurableMatcher.close` — or a finalizer, for matchers dropped unclosed — calls
  ``delete_ruleset``.

Speed, end to end (encoding included), on the benchmark of ``tests/test_backends.py`` (20
conditions, 10,000 rows, CPython 3.11): about 30,000 rows/s; the vector back end does about
750,000 and plain :func:`engine.compiled.holds` about 52,000. Most of the time is durable's
per-action round trip (JSON state, ``update_state``, ``complete_and_start_action``), so it
scales with the number of true (row, term) pairs rather than with rows.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from engine.compiled import (
    All,
    Cmp,
    FactRow,
    FactValue,
    MatchProgram,
    Not,
    Predicate,
)
from regimes.errors import EngineError

Json: TypeAlias = dict[str, Any]

#: Largest number of DNF terms in one ruleset (durable's alpha stack holds 64 entries).
MAX_TERMS = 48
#: Largest number of fact fields in one ruleset (durable allows 253 properties per fact,
#: three of which are ``sid``, ``id`` and ``__row``).
MAX_FIELDS = 240
#: Largest number of ``$and``/``$or`` in one rule: durable's expression sequence holds 32
#: entries (``MAX_SEQUENCE_EXPRESSIONS``) and each of them takes two.
MAX_COMPOUNDS = 15
#: A program whose conditions expand to more terms than this is refused.
MAX_TOTAL_TERMS = 20_000
#: durable mis-compares strings of 65,535 bytes or more.
MAX_ENCODED_LENGTH = 60_000

ROW = "__row"
SENTINEL = "__end"
TRUE_EXPR: Json = {"$ex": {ROW: 1}}
FALSE_EXPR: Json = {ROW: -1}

_DURABLE_ERRORS = {
    101: "out of memory",
    111: "invalid ruleset handle (matcher closed?)",
    112: "too many rulesets alive in this process",
    113: "too many $and/$or in one rule",
    302: "a fact has too many properties",
    303: "too many rules hold at once for one fact (alpha stack full)",
}

_COMPLEMENT = str.maketrans("0123456789", "9876543210")


# --------------------------------------------------------------------------- encoding


@functools.lru_cache(maxsize=8192)
def _encode_typed(kind: str, value: FactValue) -> str:
    if kind == "bool":
        return "b:1" if value else "b:0"
    if kind == "int":
        assert isinstance(value, int)
        digits = str(abs(value))
        if len(digits) > 9999:
            msg = f"integer with {len(digits)} digits is too large for the durable back end"
            raise EngineError(msg)
        if value >= 0:
            return f"i:1{len(digits):04d}{digits}"
        return f"i:0{9999 - len(digits):04d}{digits.translate(_COMPLEMENT)}"
    assert isinstance(value, str)
    encoded = "s:" + value.encode("utf-8", "surrogatepass").hex()
    if len(encoded) > MAX_ENCODED_LENGTH:
        msg = f"string of {len(value)} characters is too long for the durable back end"
        raise EngineError(msg)
    return encoded


def encode_value(value: FactValue) -> str:
    """The tagged, order-preserving string durable-rules sees for a fact value.

    >>> encode_value(True), encode_value(1), encode_value(-1), encode_value("a")
    ('b:1', 'i:100011', 'i:099988', 's:61')
    >>> encode_value(-10) < encode_value(-9) < encode_value(0) < encode_value(10)
    True
    """
    kind = type(value)
    if kind not in (bool, int, str):
        msg = f"fact value {value!r} has type {kind.__name__}; expected str, int or bool"
        raise EngineError(msg)
    return _encode_typed(kind.__name__, value)


def _is_fact_value(value: object) -> bool:
    return type(value) in (bool, int, str)


def _typed_key(value: object) -> tuple[str, object]:
    """A dictionary key that keeps ``True`` and ``1`` apart."""
    return (type(value).__name__, value)


# --------------------------------------------------------------------------- predicates
#
# A predicate is lowered to a small tree of its own: comparisons of an encoded field with
# an encoded constant (``Leaf``), conjunctions and disjunctions (``And``/``Or``; ``And(())``
# is true, ``Or(())`` false). Negation is pushed down here rather than with
# :func:`engine.compiled.push_not`, whose ``NEGATED`` table turns ``not (x < 5)`` into
# ``x >= 5``: that is wrong when ``x`` is not an int (``compare`` is false for both), so
# ``not (x < 5)`` lowers to "``x`` is not an int, or ``x >= 5``" instead.


@dataclass(frozen=True, slots=True)
class Leaf:
    """``field <op> constant`` on encoded strings (``op`` in eq, ne, lt, le, gt, ge)."""

    fact: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...] = ()


Node: TypeAlias = Leaf | And | Or
TRUE_NODE = And(())
FALSE_NODE = Or(())

# not (x <op> v), for x of v's type or not: (tag-range op, constant op) pairs, see _order.
_ORDER_NEGATED = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


def _constant(value: bool) -> Node:
    return TRUE_NODE if value else FALSE_NODE


def _order(cmp: Cmp, value: FactValue, negate: bool) -> Node:
    """``x <op> v`` holds iff ``x`` has ``v``'s type (tag) and compares; or its negation."""
    encoded = encode_value(value)
    low, high = encoded[:2], encoded[0] + ";"  # every encoded value of this type is in [low, high)
    f = cmp.fact
    if not negate:
        if cmp.op in ("lt", "le"):
            return And((Leaf(f, "ge", low), Leaf(f, cmp.op, encoded)))
        return And((Leaf(f, cmp.op, encoded), Leaf(f, "lt", high)))
    flipped = _ORDER_NEGATED[cmp.op]
    if cmp.op in ("lt", "le"):
        return Or((Leaf(f, "lt", low), Leaf(f, flipped, encoded)))
    return Or((Leaf(f, flipped, encoded), Leaf(f, "ge", high)))


def _lower_cmp(cmp: Cmp, negate: bool) -> Node:
    """One comparison, with every corner case of :func:`engine.compiled.compare`."""
    op, value = cmp.op, cmp.value
    if op in ("eq", "ne"):
        if isinstance(value, tuple) or not _is_fact_value(value):
            return _constant((op == "ne") != negate)  # never equal
        positive = (op == "eq") != negate
        return Leaf(cmp.fact, "eq" if positive else "ne", encode_value(value))
    if op in ("in", "not_in"):
        if not isinstance(value, tuple):
            return _constant((op == "not_in") != negate)  # never a member
        seen: dict[tuple[str, object], FactValue] = {}
        for v in value:
            if _is_fact_value(v):
                seen.setdefault(_typed_key(v), v)
        member = (op == "in") != negate
        if not seen:
            return _constant(not member)
        if member:
            return Or(tuple(Leaf(cmp.fact, "eq", encode_value(v)) for v in seen.values()))
        return And(tuple(Leaf(cmp.fact, "ne", encode_value(v)) for v in seen.values()))
    if isinstance(value, tuple) or type(value) not in (int, str):
        return _constant(negate)  # bools, tuples and other types never order
    return _order(cmp, value, negate)


def lower(predicate: Predicate, negate: bool = False) -> Node:
    """The predicate (negated if ``negate``) as a simplified :data:`Node` tree."""
    return _simplify(_lower(predicate, negate))


def _lower(p: Predicate, negate: bool) -> Node:
    if isinstance(p, Cmp):
        return _lower_cmp(p, negate)
    if isinstance(p, Not):
        return _lower(p.item, not negate)
    items = tuple(_lower(i, negate) for i in p.items)
    conjunction = isinstance(p, All) != negate
    return And(items) if conjunction else Or(items)


def _simplify(node: Node) -> Node:
    """Constants folded, nesting flattened, singletons unwrapped."""
    if isinstance(node, Leaf):
        return node
    kind = type(node)
    absorbing = FALSE_NODE if kind is And else TRUE_NODE
    items: list[Node] = []
    for item in (_simplify(i) for i in node.items):
        if item == absorbing:
            return absorbing
        if isinstance(item, kind):
            items.extend(item.items)  # also drops the neutral constant, which has no items
        else:
            items.append(item)
    return items[0] if len(items) == 1 else kind(tuple(items))


def dnf_size(node: Node) -> int:
    """How many conjunctions durable-rules expands a node into."""
    if isinstance(node, Leaf):
        return 1
    if isinstance(node, And):
        return functools.reduce(lambda a, b: a * b, (dnf_size(i) for i in node.items), 1)
    return max(1, sum(dnf_size(i) for i in node.items))


def _halves(node: Or) -> tuple[Node, Node]:
    mid = len(node.items) // 2
    return _simplify(Or(node.items[:mid])), _simplify(Or(node.items[mid:]))


def compounds(node: Node) -> int:
    """How many ``$and``/``$or`` the node renders to (durable allows 15 per rule)."""
    if isinstance(node, Leaf) or not node.items:
        return 0
    return 1 + sum(compounds(i) for i in node.items)


def fits(node: Node, limit: int = MAX_TERMS) -> bool:
    """Whether one durable-rules rule can hold the node."""
    return dnf_size(node) <= limit and compounds(node) <= MAX_COMPOUNDS


def split_terms(node: Node, limit: int = MAX_TERMS) -> list[Node]:
    """Nodes whose disjunction is ``node``, each small enough for one rule (see :func:`fits`).

    Splits a disjunction in halves; in a conjunction, distributes the widest disjunction's
    halves over the rest. Every part expands to fewer terms than ``node``, so this ends.
    """
    if fits(node, limit):
        return [node]
    if isinstance(node, Or):
        first, second = _halves(node)
    else:
        assert isinstance(node, And)  # a Leaf always fits
        index = max(range(len(node.items)), key=lambda i: dnf_size(node.items[i]))
        widest = node.items[index]
        assert isinstance(widest, Or)  # a conjunction of leaves always fits
        rest = node.items[:index] + node.items[index + 1 :]
        a, b = _halves(widest)
        first, second = _simplify(And((*rest, a))), _simplify(And((*rest, b)))
    return split_terms(first, limit) + split_terms(second, limit)


def _fields_of(node: Node, out: dict[str, None]) -> None:
    if isinstance(node, Leaf):
        out.setdefault(node.fact, None)
    else:
        for item in node.items:
            _fields_of(item, out)


_OPERATOR = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def _expr(node: Node, field: dict[str, str]) -> Json:
    """The durable-rules expression (the value under ``"m"``) for a simplified node."""
    if node == TRUE_NODE:
        return dict(TRUE_EXPR)
    if node == FALSE_NODE:
        return dict(FALSE_EXPR)
    if isinstance(node, And):
        return {"$and": [_expr(i, field) for i in node.items]}
    if isinstance(node, Or):
        return {"$or": [_expr(i, field) for i in node.items]}
    name = field[node.fact]
    if node.op == "eq":
        return {name: node.value}
    return {_OPERATOR[node.op]: {name: node.value}}


# --------------------------------------------------------------------------- layout


class _Part:
    __slots__ = ("condition", "expr", "fields", "name", "terms")

    def __init__(self, condition: int, name: str, expr: Json, terms: int, fields: tuple[str, ...]) -> None:
        self.condition = condition
        self.name = name
        self.expr = expr
        self.terms = terms
        self.fields = fields


class _Layout:
    """The durable-rules rulesets a program compiles to (without actions)."""

    def __init__(self, program: MatchProgram) -> None:
        self.facts = program.facts
        self.field = {fact: f"f{i}" for i, fact in enumerate(self.facts)}
        parts: list[_Part] = []
        total = 0
        for index, condition in enumerate(program.conditions):
            node = lower(condition.predicate)
            total += dnf_size(node)  # splitting keeps the number of terms
            if total > MAX_TOTAL_TERMS:
                msg = (
                    f"program {program.name!r} is too complex for the durable back end "
                    f"(more than {MAX_TOTAL_TERMS} terms in disjunctive normal form)"
                )
                raise EngineError(msg)
            pieces = split_terms(node)
            for k, piece in enumerate(pieces):
                terms = dnf_size(piece)
                seen: dict[str, None] = {}
                _fields_of(piece, seen)
                if len(seen) > MAX_FIELDS:
                    msg = (
                        f"condition {index} ({condition.key!r}) reads {len(seen)} facts; the durable "
                        f"back end allows at most {MAX_FIELDS} per condition"
                    )
                    raise EngineError(msg)
                name = f"c{index}" if len(pieces) == 1 else f"c{index}.{k}"
                parts.append(_Part(index, name, _expr(piece, self.field), terms, tuple(seen)))
        # Pack parts, in order, into rulesets within the term and field budgets.
        self.groups: list[list[_Part]] = []
        terms_in = 0
        fields_in: dict[str, None] = {}
        for part in parts:
            new_fields = {f: None for f in part.fields if f not in fields_in}
            fits = terms_in + part.terms <= MAX_TERMS and len(fields_in) + len(new_fields) <= MAX_FIELDS
            if self.groups and fits:
                self.groups[-1].append(part)
                terms_in += part.terms
                fields_in.update(new_fields)
            else:
                self.groups.append([part])
                terms_in, fields_in = part.terms, dict.fromkeys(part.fields)
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", program.name)[:80] or "program"
        self.names = [f"{base}.{k}" for k in range(len(self.groups))] or [f"{base}.0"]
        # Facts each ruleset's rows need (all rulesets share the row encoding).
        self.group_facts: list[tuple[str, ...]] = []
        for group in self.groups:
            needed: dict[str, None] = {}
            for part in group:
                needed.update(dict.fromkeys(part.fields))
            self.group_facts.append(tuple(needed))

    def definitions(self, action: Callable[[_Part], object] | None, *, observer: bool) -> dict[str, Json]:
        out: dict[str, Json] = {}
        groups = self.groups or [[]]
        for name, group in zip(self.names, groups, strict=True):
            rules: Json = {}
            for part in group:
                rule: Json = {"all": [{"m": part.expr}]}
                if action is not None:
                    rule["run"] = action(part)
                rules[part.name] = rule
            if observer:
                rules["observer"] = {"all": [{"m": dict(TRUE_EXPR)}]}
            else:
                rules["sentinel"] = {"all": [{"m": {"$ex": {SENTINEL: 1}}}], "run": _ignore}
            out[name] = rules
        return out


def _ignore(_c: object) -> None:
    """The sentinel rule's action: nothing."""


def raw_ruleset_definition(program: MatchProgram) -> dict[str, Json]:
    """The durable-rules ruleset definitions for ``program``, without actions.

    ``{ruleset name: {rule name: {"all": [{"m": expr}]}}}``; rule ``"cN"`` (or ``"cN.k"``)
    is condition ``N``. Each ruleset also has a rule ``"observer"`` that matches every row,
    which a benchmark needs if it asserts rows in batches (``assert_facts`` runs no action
    at all when one fact of the batch matches no rule); the matcher itself asserts row by
    row and has no observer. Facts must be shaped like :func:`encode_row`'s.
    """
    return _Layout(program).definitions(None, observer=True)


def encode_row(program_facts: Sequence[str], row: FactRow, index: int, sid: str) -> Json:
    """One row as the fact the rulesets of :func:`raw_ruleset_definition` expect.

    ``program_facts`` is ``program.facts``; fact ``program_facts[j]`` becomes field ``f<j>``.
    (With several rulesets the matcher sends each only the fields it reads; sending all of
    them is equivalent as long as there are at most 250.)
    """
    fact: Json = {"sid": sid, "id": index, ROW: index}
    for j, name in enumerate(program_facts):
        fact[f"f{j}"] = encode_value(row[name])
    return fact


# --------------------------------------------------------------------------- durable glue


def _durable_message(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    code = re.search(r"error code: (\d+)", text)
    if code and int(code.group(1)) in _DURABLE_ERRORS:
        text += f" ({_DURABLE_ERRORS[int(code.group(1))]})"
    return text


def _quiet_host_class() -> type[Any]:
    from durable.engine import Host

    class _QuietHost(Host):  # type: ignore[misc]
        """A Host without the two endless ``threading.Timer`` dispatch loops."""

        def _run(self) -> None:
            return None

    return _QuietHost


@functools.cache
def _host_class() -> type[Any]:
    return _quiet_host_class()


@functools.cache
def _not_handled_class() -> type[Exception]:
    from durable.engine import MessageNotHandledException

    cls: type[Exception] = MessageNotHandledException
    return cls


def _release(handles: list[int]) -> None:
    """Free the native rulesets (Host itself never does)."""
    from durable import engine as durable_engine

    while handles:
        handle = handles.pop()
        with contextlib.suppress(Exception):  # nothing useful to do while releasing
            durable_engine.durable_rules_engine.delete_ruleset(handle)


def _forget(host: Any, ruleset: str, sid: str) -> None:
    """Delete a state after a failure, ignoring errors (the original one is reported).

    The sentinel goes in first: ``delete_state`` segfaults on a state that saw only
    unhandled facts.
    """
    with contextlib.suppress(Exception):
        host.assert_fact(ruleset, {"sid": sid, "id": -1, SENTINEL: 1})
    with contextlib.suppress(Exception):
        host.delete_state(ruleset, sid)


class DurableMatcher:
    """A program compiled to durable-rules rulesets in a Host of its own."""

    def __init__(self, program: MatchProgram) -> None:
        self.program = program
        self._lock = threading.Lock()
        self._hits: list[tuple[int, int]] = []
        self._sids = itertools.count()
        self._handles: list[int] = []
        layout = _Layout(program)
        self._facts = layout.facts
        self._names = layout.names
        field_index = {fact: j for j, fact in enumerate(self._facts)}
        self._group_fields = [
            tuple((f"f{field_index[fact]}", field_index[fact]) for fact in facts)
            for facts in layout.group_facts
        ] or [()]
        hits = self._hits

        def action(part: _Part) -> Callable[[Any], None]:
            condition = part.condition

            def run(c: Any) -> None:
                hits.append((c.m[ROW], condition))

            return run

        try:
            self._host: Any = _host_class()(layout.definitions(action, observer=False))
            self._handles.extend(r._handle for r in self._host._ruleset_list)
        except EngineError:
            raise
        except Exception as error:
            msg = f"durable-rules could not compile program {program.name!r}: {_durable_message(error)}"
            raise EngineError(msg) from error
        self._finalizer = weakref.finalize(self, _release, self._handles)

    def _encode_rows(self, rows: Sequence[FactRow]) -> list[list[str]]:
        facts = self._facts
        cache: dict[tuple[type, object], str] = {}  # keyed by type too: True and 1 stay apart
        encoded: list[list[str]] = []
        for i, row in enumerate(rows):
            values: list[str] = []
            for name in facts:
                try:
                    value = row[name]
                except KeyError:
                    msg = f"row {i} has no fact {name!r} (program {self.program.name!r})"
                    raise EngineError(msg) from None
                kind = type(value)
                if kind is not str and kind is not int and kind is not bool:
                    msg = f"row {i}, fact {name!r}: value {value!r} is not a str, int or bool"
                    raise EngineError(msg)
                key = (kind, value)
                text = cache.get(key)
                if text is None:
                    try:
                        text = cache[key] = encode_value(value)
                    except EngineError as error:
                        msg = f"row {i}, fact {name!r}: {error}"
                        raise EngineError(msg) from error
                values.append(text)
            encoded.append(values)
        return encoded

    def match(self, rows: Sequence[FactRow]) -> list[frozenset[int]]:
        """For each row, the indexes of the conditions that hold."""
        if not rows:
            return []
        encoded = self._encode_rows(rows)
        not_handled = _not_handled_class()
        with self._lock:
            host = self._host
            if host is None:
                msg = f"matcher for {self.program.name!r} is closed"
                raise EngineError(msg)
            sid = str(next(self._sids))
            hits = self._hits
            hits.clear()
            try:
                for name, fields in zip(self._names, self._group_fields, strict=True):
                    handled = False
                    try:
                        for i, values in enumerate(encoded):
                            fact: Json = {"sid": sid, "id": i, ROW: i}
                            for field, j in fields:
                                fact[field] = values[j]
                            try:
                                host.assert_fact(name, fact)
                                handled = True
                            except not_handled:
                                pass  # no rule holds for this row
                        if not handled:
                            # delete_state segfaults on a state that saw only unhandled facts.
                            host.assert_fact(name, {"sid": sid, "id": -1, SENTINEL: 1})
                    except BaseException:
                        _forget(host, name, sid)
                        raise
                    host.delete_state(name, sid)
            except Exception as error:
                hits.clear()
                msg = f"durable-rules failed on program {self.program.name!r}: {_durable_message(error)}"
                raise EngineError(msg) from error
            found: list[set[int]] = [set() for _ in rows]
            for row, condition in hits:
                found[row].add(condition)
            hits.clear()
        return [frozenset(s) for s in found]

    def close(self) -> None:
        """Free the native rulesets and drop the Host; ``match`` raises afterwards."""
        with self._lock:
            self._host = None
            self._finalizer()


class DurableBackend:
    """Compiles programs to durable-rules (Rete) rulesets."""

    name = "durable"

    def compile(self, program: MatchProgram) -> DurableMatcher:
        return DurableMatcher(program)
