"""The durable-rules (Rete) back end.

Each condition of a :class:`~engine.compiled.MatchProgram` becomes one durable-rules rule
(``"c0"``, ``"c1"``, …; a condition too big for one rule becomes ``"c3.0"``, ``"c3.1"``, …)
whose action records ``(row, condition)``. ``match`` asserts one fact per row, lets the
actions run, and deletes the state again, so nothing survives an evaluation.

Design choices, each forced by something durable-rules (2.0.28) does:

* **Every value is a type-tagged string.** durable-rules coerces across types: ``true == 1``,
  ``"1" == 1``, ``3 != "3"`` is false, ``3 < "zz"`` is true. :func:`engine.compiled.compare`
  is strict about types, so the matcher encodes both the facts and the rule constants:
  ``b:0``/``b:1`` for bools, ``s:<hex of UTF-8>`` for strings and an order-preserving
  ``i:…`` form for ints (sign, four-digit length, digits; negatives complemented). Only
  string-vs-string comparisons (``strcmp``) remain, and tag ranges
  (``"i:" <= x < "i;"``) keep an order comparison to its own type. Strings are hex-encoded
  because durable-rules compares the *raw JSON text* of a string: ``'a"'`` arrives as
  ``a\\"`` and sorts after ``aA``. Hex of UTF-8 sorts exactly like Python's code-point order.
* **Fact names become ``f0``, ``f1``, …** (their position in ``program.facts``): names
  like ``sid``/``id`` are durable's own, and a dot would be read as a path.
* **One ``sid`` per ``match`` call, rows told apart by an ``__row`` field.** The whole call
  is then one durable *state*: a single ``assert_facts`` (batch) returns that state, and
  ``do_actions`` runs all of its actions synchronously; one ``delete_state`` clears it. A
  ``sid`` per row would leave the actions of every state but one to durable's timer-driven
  dispatcher (which we switch off) and cost a ``delete_state`` per row. Rules read one fact
  each, so rows in one state never interact. The ``sid`` is fresh per call (a counter), so
  a call that failed half-way cannot leak facts into the next one.
* **An observer rule per ruleset** matches every row (``$ex __row``): without it a batch in
  which one fact matches no rule raises ``MessageNotHandledException`` and runs *no*
  action at all. No rule may match the state document (``{sid, id, $s}``) that durable
  re-asserts after every action — such a rule re-fires forever — so every rule tests fact
  fields or ``__row``, which the state document lacks (missing fields compare false).
  True is ``$ex __row``; false is ``__row == -1``.
* **Rulesets of at most 32 disjunctive terms.** durable expands ``$or`` into disjunctive
  normal form and evaluates the alpha network with a fixed 64-entry stack: a fact for which
  more than ~63 terms hold fails with error 303, and a rule whose expansion is too large
  fails to compile with error 113. So conditions are split (distributing the largest
  disjunction) into parts of at most 32 terms, and parts are packed into rulesets of at
  most 32 terms and 240 fact fields (durable allows 253 properties per fact) — all in the
  matcher's own :class:`durable.engine.Host`. Typical programs fit one ruleset.
* **A Host of our own, without its timers.** ``Host.__init__`` starts two
  ``threading.Timer`` loops that never end; :class:`_QuietHost` turns them off. Host never
  frees the native ruleset (~250 KB each), so :meth:`DurableMatcher.close` (and a
  finalizer, for matchers dropped unclosed) calls ``delete_ruleset``.

Speed (measured on the 20-condition, 10,000-row benchmark of ``tests/test_backends.py``,
one ruleset, CPython 3.11): one ``assert_facts`` batch per call ~19,000 rows/s; one
``assert_fact`` per row ~17,000 rows/s. The batch is kept. Most of the time goes into
durable's per-action round trip (JSON state, ``update_state``, ``complete_and_start_action``),
i.e. it scales with the number of (row, term) matches, not rows.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from engine.compiled import (
    All,
    AnyOf,
    Cmp,
    FactRow,
    FactValue,
    MatchProgram,
    Predicate,
    push_not,
)
from regimes.errors import EngineError

Json: TypeAlias = dict[str, Any]

#: Largest number of DNF terms in one ruleset (durable's alpha stack holds 64 entries).
MAX_TERMS = 48
#: Largest number of fact fields in one ruleset (durable allows 253 properties per fact,
#: three of which are ``sid``, ``id`` and ``__row``).
MAX_FIELDS = 240
#: A program whose conditions expand to more terms than this is refused.
MAX_TOTAL_TERMS = 20_000
#: durable stores string lengths in 16 bits.
MAX_ENCODED_LENGTH = 60_000

ROW = "__row"
TRUE_EXPR: Json = {"$ex": {ROW: 1}}
FALSE_EXPR: Json = {ROW: -1}

_DURABLE_ERRORS = {
    101: "out of memory",
    111: "invalid ruleset handle (matcher closed?)",
    112: "too many rulesets alive in this process",
    113: "a rule expands to too many terms",
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

# Internal markers for the constants; ``All(())``/``AnyOf(())`` are the compiled form's own.
_TRUE: Predicate = All(())
_FALSE: Predicate = AnyOf(())


def _is_true(p: Predicate) -> bool:
    return isinstance(p, All) and not p.items


def _is_false(p: Predicate) -> bool:
    return isinstance(p, AnyOf) and not p.items


def _normalize_cmp(cmp: Cmp) -> Predicate:
    """A comparison with ``compare``'s corner cases resolved to constants.

    ``eq``/``ne`` against a tuple, ``in``/``not_in`` against a scalar, order comparisons
    against a bool, a tuple or a non-fact type, and equality with a value of a type no fact
    can have, all have a fixed answer in :func:`engine.compiled.compare`.
    """
    op, value = cmp.op, cmp.value
    if op in ("eq", "ne"):
        if isinstance(value, tuple) or not _is_fact_value(value):
            return _FALSE if op == "eq" else _TRUE
        return cmp
    if op in ("in", "not_in"):
        if not isinstance(value, tuple):
            return _FALSE if op == "in" else _TRUE
        seen: dict[tuple[str, object], FactValue] = {}
        for v in value:
            if _is_fact_value(v):
                seen.setdefault(_typed_key(v), v)
        if not seen:
            return _FALSE if op == "in" else _TRUE
        return Cmp(cmp.fact, op, tuple(seen.values()))
    if isinstance(value, tuple) or type(value) not in (int, str):
        return _FALSE
    return cmp


def simplify(predicate: Predicate) -> Predicate:
    """Negation normal form, corner cases resolved, constants folded, nesting flattened."""
    return _simplify(push_not(predicate))


def _simplify(p: Predicate) -> Predicate:
    if isinstance(p, Cmp):
        return _normalize_cmp(p)
    if isinstance(p, All):
        items: list[Predicate] = []
        for item in (_simplify(i) for i in p.items):
            if _is_false(item):
                return _FALSE
            if _is_true(item):
                continue
            items.extend(item.items if isinstance(item, All) else (item,))
        return items[0] if len(items) == 1 else All(tuple(items))
    if isinstance(p, AnyOf):
        items = []
        for item in (_simplify(i) for i in p.items):
            if _is_true(item):
                return _TRUE
            if _is_false(item):
                continue
            items.extend(item.items if isinstance(item, AnyOf) else (item,))
        return items[0] if len(items) == 1 else AnyOf(tuple(items))
    msg = "negation left after push_not"  # pragma: no cover - push_not removes every Not
    raise AssertionError(msg)


def dnf_size(p: Predicate) -> int:
    """How many conjunctions durable-rules expands a simplified predicate into."""
    if isinstance(p, Cmp):
        return len(p.value) if p.op == "in" and isinstance(p.value, tuple) else 1
    if isinstance(p, All):
        return functools.reduce(lambda a, b: a * b, (dnf_size(i) for i in p.items), 1)
    if isinstance(p, AnyOf):
        return max(1, sum(dnf_size(i) for i in p.items))
    return 1  # pragma: no cover


def _halves(p: Predicate) -> tuple[Predicate, Predicate]:
    """Split a disjunction (an ``AnyOf`` or an ``in``) into two smaller ones."""
    if isinstance(p, AnyOf):
        mid = len(p.items) // 2
        a, b = p.items[:mid], p.items[mid:]
        return (a[0] if len(a) == 1 else AnyOf(a)), (b[0] if len(b) == 1 else AnyOf(b))
    assert isinstance(p, Cmp) and isinstance(p.value, tuple)
    mid = len(p.value) // 2
    return Cmp(p.fact, "in", p.value[:mid]), Cmp(p.fact, "in", p.value[mid:])


def split_terms(p: Predicate, limit: int = MAX_TERMS) -> list[Predicate]:
    """Parts whose disjunction is ``p``, each expanding to at most ``limit`` terms."""
    if dnf_size(p) <= limit:
        return [p]
    if isinstance(p, AnyOf | Cmp):
        first, second = _halves(p)
        return split_terms(first, limit) + split_terms(second, limit)
    assert isinstance(p, All)
    index = max(range(len(p.items)), key=lambda i: dnf_size(p.items[i]))
    rest = p.items[:index] + p.items[index + 1 :]
    first, second = _halves(p.items[index])
    return split_terms(_simplify(All((*rest, first))), limit) + split_terms(
        _simplify(All((*rest, second))), limit
    )


def _fields_of(p: Predicate, out: dict[str, None]) -> None:
    if isinstance(p, Cmp):
        out.setdefault(p.fact, None)
    elif isinstance(p, All | AnyOf):
        for item in p.items:
            _fields_of(item, out)


def _expr(p: Predicate, field: dict[str, str]) -> Json:
    """The durable-rules expression (the value under ``"m"``) for a simplified predicate."""
    if _is_true(p):
        return dict(TRUE_EXPR)
    if _is_false(p):
        return dict(FALSE_EXPR)
    if isinstance(p, All):
        return {"$and": [_expr(i, field) for i in p.items]}
    if isinstance(p, AnyOf):
        return {"$or": [_expr(i, field) for i in p.items]}
    assert isinstance(p, Cmp)
    name = field[p.fact]
    if p.op in ("in", "not_in"):
        assert isinstance(p.value, tuple)
        if p.op == "in":
            alts: list[Json] = [{name: encode_value(v)} for v in p.value]
            return alts[0] if len(alts) == 1 else {"$or": alts}
        alls: list[Json] = [{"$neq": {name: encode_value(v)}} for v in p.value]
        return alls[0] if len(alls) == 1 else {"$and": alls}
    assert not isinstance(p.value, tuple)
    encoded = encode_value(p.value)
    if p.op == "eq":
        return {name: encoded}
    if p.op == "ne":
        return {"$neq": {name: encoded}}
    tag = encoded[:2]  # "i:" or "s:"
    low: Json = {"$gte": {name: tag}}
    high: Json = {"$lt": {name: tag[0] + ";"}}  # ";" follows ":" in ASCII
    op = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}[p.op]
    return {"$and": [low, {op: {name: encoded}}, high]}


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
            pieces = split_terms(simplify(condition.predicate))
            for k, piece in enumerate(pieces):
                terms = dnf_size(piece)
                total += terms
                if total > MAX_TOTAL_TERMS:
                    msg = (
                        f"program {program.name!r} is too complex for the durable back end "
                        f"(more than {MAX_TOTAL_TERMS} terms in disjunctive normal form)"
                    )
                    raise EngineError(msg)
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
            out[name] = rules
        return out


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
    """Delete a state after a failure; it may not exist (durable error 309)."""
    with contextlib.suppress(Exception):  # the original error is the one to report
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
                    try:
                        for i, values in enumerate(encoded):
                            fact: Json = {"sid": sid, "id": i, ROW: i}
                            for field, j in fields:
                                fact[field] = values[j]
                            try:  # noqa: SIM105 - cheaper than contextlib.suppress in this loop
                                host.assert_fact(name, fact)
                            except not_handled:
                                pass  # no rule holds for this row
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
