"""The evaluation back ends against the reference semantics, :func:`engine.compiled.holds`.

The property test draws random predicates over a small fact schema (and rows that sometimes
carry a value of the "wrong" type, so that ``True`` vs ``1`` and ``"1"`` vs ``1`` are
exercised) and checks that every back end answers exactly what ``holds`` answers. The unit
tests pin the corner cases one by one, and the durable-rules limits that shaped the durable
back end (see its module docstring): DNF expansion, the 64-entry alpha stack, leaked timer
threads, state left between calls.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import available_backends, get_backend
from engine.backends.base import Matcher
from engine.backends.durable import (
    MAX_TERMS,
    DurableBackend,
    DurableMatcher,
    encode_row,
    encode_value,
    raw_ruleset_definition,
)
from engine.backends.vector import VectorBackend
from engine.compiled import (
    All,
    AnyOf,
    Cmp,
    Condition,
    FactRow,
    FactValue,
    MatchProgram,
    Not,
    Op,
    Predicate,
    holds,
)
from regimes.errors import EngineError

BACKENDS = ("durable", "vector")
GROUPS = ("dagpenge", "kontanthjaelp", "uddannelse", "sygedagpenge")
TRICKY_STRINGS = ("", "1", "true", 'a"', "aA", "a\\b", "é", "\x00", "\u2028", "dagpengeX")
BIG = 2**70


def reference(program: MatchProgram, rows: Sequence[FactRow]) -> list[frozenset[int]]:
    return [frozenset(i for i, c in enumerate(program.conditions) if holds(c.predicate, row)) for row in rows]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def run(backend: str, program: MatchProgram, rows: Sequence[FactRow]) -> list[frozenset[int]]:
    matcher = get_backend(backend).compile(program)
    try:
        return matcher.match(rows)
    finally:
        matcher.close()


def program_of(*predicates: Predicate, name: str = "p") -> MatchProgram:
    return MatchProgram(name, tuple(Condition(f"k{i}", p) for i, p in enumerate(predicates)))


# --------------------------------------------------------------------------- strategies

SCHEMA: dict[str, st.SearchStrategy[FactValue]] = {
    "group": st.sampled_from(GROUPS),
    "age": st.integers(15, 80),
    "flag_a": st.booleans(),
    "flag_b": st.booleans(),
    "day": st.integers(20240101, 20241231),
    "cat": st.integers(0, 3),
}
FACTS = tuple(SCHEMA)

#: Values of any type, including the ones durable-rules would conflate with the schema's.
ODD_VALUES: st.SearchStrategy[FactValue] = st.one_of(
    st.booleans(),
    st.integers(-2, 4),
    st.sampled_from((20240101, 20241231, BIG, -BIG, 2**63 - 1, -(2**63))),
    st.sampled_from(TRICKY_STRINGS),
)


def values_for(fact: str) -> st.SearchStrategy[FactValue]:
    """Mostly the fact's own domain, sometimes a value of another type or out of range."""
    return st.one_of(SCHEMA[fact], SCHEMA[fact], SCHEMA[fact], ODD_VALUES)


@st.composite
def comparisons(draw: st.DrawFn) -> Cmp:
    fact = draw(st.sampled_from(FACTS))
    op: Op = draw(st.sampled_from(("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in")))
    value: Any
    if op in ("in", "not_in"):
        value = tuple(draw(st.lists(values_for(fact), max_size=4)))
        if draw(st.integers(0, 19)) == 0:
            value = draw(values_for(fact))  # a scalar where a tuple belongs: never a member
    else:
        value = draw(values_for(fact))
        if draw(st.integers(0, 19)) == 0:
            value = (value,)  # a tuple where a scalar belongs: never equal, never ordered
    return Cmp(fact, op, value)


predicates: st.SearchStrategy[Predicate] = st.recursive(
    comparisons() | st.just(All(())) | st.just(AnyOf(())),
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda items: All(tuple(items))),
        st.lists(children, max_size=3).map(lambda items: AnyOf(tuple(items))),
        children.map(Not),
    ),
    max_leaves=8,
)


@st.composite
def rows_strategy(draw: st.DrawFn) -> dict[str, FactValue]:
    return {fact: draw(values_for(fact)) for fact in FACTS}


programs = st.lists(predicates, min_size=1, max_size=5).map(lambda ps: program_of(*ps))


# --------------------------------------------------------------------------- property


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(program=programs, rows=st.lists(rows_strategy(), min_size=1, max_size=12))
def test_backends_agree_with_holds(program: MatchProgram, rows: list[dict[str, FactValue]]) -> None:
    expected = reference(program, rows)
    for name in BACKENDS:
        assert run(name, program, rows) == expected, name


# --------------------------------------------------------------------------- registry


def test_registry_names() -> None:
    assert set(BACKENDS) <= set(available_backends())
    assert get_backend("durable").name == "durable"
    assert get_backend("vector").name == "vector"
    assert isinstance(get_backend("durable"), DurableBackend)
    assert isinstance(get_backend("vector"), VectorBackend)


# --------------------------------------------------------------------------- corner cases

ROWS: list[dict[str, FactValue]] = [
    {"group": "dagpenge", "age": 30, "flag_a": True, "flag_b": False, "day": 20240301, "cat": 1},
    {"group": "uddannelse", "age": 17, "flag_a": False, "flag_b": True, "day": 20241231, "cat": 0},
    {"group": "kontanthjaelp", "age": 80, "flag_a": True, "flag_b": True, "day": 20240101, "cat": 3},
]


def test_empty_all_is_true_and_empty_anyof_is_false(backend_name: str) -> None:
    program = program_of(All(()), AnyOf(()), Not(All(())), Not(AnyOf(())), All((AnyOf(()),)))
    assert run(backend_name, program, ROWS) == [frozenset({0, 3})] * 3


def test_in_and_not_in(backend_name: str) -> None:
    program = program_of(
        Cmp("group", "in", ("dagpenge", "uddannelse")),
        Cmp("group", "not_in", ("dagpenge", "uddannelse")),
        Cmp("cat", "in", (0, 3)),
        Cmp("cat", "in", ()),
        Cmp("cat", "not_in", ()),
        Cmp("cat", "in", (True, "1")),  # neither is the int 1
        Cmp("flag_a", "in", (1,)),  # the int 1 is not True
        Cmp("flag_a", "in", (True, True, 1)),
        Cmp("cat", "not_in", (False, 0)),
    )
    expected = [
        frozenset({0, 4, 7, 8}),
        frozenset({0, 2, 4}),
        frozenset({1, 2, 4, 7, 8}),
    ]
    assert run(backend_name, program, ROWS) == expected == reference(program, ROWS)


def test_negation(backend_name: str) -> None:
    program = program_of(
        Not(Cmp("flag_a", "eq", True)),
        Not(All((Cmp("age", "ge", 18), Cmp("flag_b", "eq", False)))),
        Not(AnyOf((Cmp("group", "eq", "dagpenge"), Cmp("cat", "eq", 3)))),
        Not(Not(Cmp("day", "lt", 20240401))),
        Not(Cmp("cat", "not_in", (0, 1))),
    )
    expected = reference(program, ROWS)
    assert expected == [frozenset({3, 4}), frozenset({0, 1, 2, 4}), frozenset({1, 3})]
    assert run(backend_name, program, ROWS) == expected


def test_types_are_strict(backend_name: str) -> None:
    rows: list[dict[str, FactValue]] = [
        {"x": True},
        {"x": 1},
        {"x": "1"},
        {"x": 0},
        {"x": False},
        {"x": "true"},
    ]
    program = program_of(
        Cmp("x", "eq", True),
        Cmp("x", "eq", 1),
        Cmp("x", "eq", "1"),
        Cmp("x", "ne", 1),
        Cmp("x", "lt", 2),  # ints only: not True, not "1"
        Cmp("x", "ge", False),  # bools never order
        Cmp("x", "lt", "2"),  # strings only
        Cmp("x", "eq", 1.0),  # type: ignore[arg-type]  # no fact is a float
    )
    expected = reference(program, rows)
    assert expected[0] == frozenset({0, 3})
    assert expected[1] == frozenset({1, 4})
    assert run(backend_name, program, rows) == expected


def test_strings_compare_like_python(backend_name: str) -> None:
    # durable-rules compares raw JSON text: 'a"' arrives as a\" and would sort after 'aA'.
    rows: list[dict[str, FactValue]] = [{"s": s} for s in TRICKY_STRINGS]
    program = program_of(
        *(Cmp("s", op, v) for v in TRICKY_STRINGS for op in ("eq", "lt", "ge")),
        Cmp("s", "in", TRICKY_STRINGS[:5]),
    )
    assert run(backend_name, program, rows) == reference(program, rows)


def test_integers_beyond_int64(backend_name: str) -> None:
    rows: list[dict[str, FactValue]] = [{"n": v} for v in (BIG, -BIG, 2**63 - 1, -(2**63), 0, 5)]
    program = program_of(
        *(Cmp("n", op, v) for v in (BIG, -BIG, 2**63, 0) for op in ("eq", "lt", "le", "gt", "ge")),
        Cmp("n", "in", (BIG, 5)),
    )
    assert run(backend_name, program, rows) == reference(program, rows)


def test_integer_encoding_keeps_order() -> None:
    numbers = sorted({0, 1, -1, 9, 10, -9, -10, 99, 100, -100, 2**63, -(2**63), BIG, -BIG, 12345678})
    encoded = [encode_value(n) for n in numbers]
    assert encoded == sorted(encoded)
    assert len(set(encoded)) == len(encoded)
    assert encode_value(True) != encode_value(1) != encode_value("1")


def test_many_rows_in_one_call(backend_name: str) -> None:
    program = benchmark_program()
    rows = benchmark_rows(3000)
    assert run(backend_name, program, rows) == reference(program, rows)


def test_match_twice_gives_identical_results(backend_name: str) -> None:
    program = benchmark_program()
    rows = benchmark_rows(200)
    matcher = get_backend(backend_name).compile(program)
    try:
        first = matcher.match(rows)
        assert matcher.match(rows[:50]) == first[:50]
        assert matcher.match(rows) == first == reference(program, rows)
        assert matcher.match([]) == []
    finally:
        matcher.close()


def test_durable_leaves_no_state() -> None:
    program = benchmark_program()
    matcher = DurableBackend().compile(program)
    try:
        matcher.match(benchmark_rows(20))
        host = matcher._host
        for name in host._ruleset_directory:
            with pytest.raises(Exception, match="309"):  # durable: sid not found
                host.get_state(name, "0")
    finally:
        matcher.close()


def test_same_program_name_is_isolated(backend_name: str) -> None:
    adults = program_of(Cmp("age", "ge", 18), name="same")
    young = program_of(Cmp("age", "lt", 18), Cmp("flag_a", "eq", True), name="same")
    backend = get_backend(backend_name)
    a, b = backend.compile(adults), backend.compile(young)
    try:
        for _ in range(2):
            assert a.match(ROWS) == [frozenset({0}), frozenset(), frozenset({0})]
            assert b.match(ROWS) == [frozenset({1}), frozenset({0}), frozenset({1})]
    finally:
        a.close()
        b.close()


def test_empty_program_and_no_rows(backend_name: str) -> None:
    assert run(backend_name, MatchProgram("empty", ()), ROWS) == [frozenset()] * 3
    assert run(backend_name, program_of(Cmp("age", "ge", 18)), []) == []


# --------------------------------------------------------------------------- errors


def test_missing_fact_is_an_engine_error(backend_name: str) -> None:
    with pytest.raises(EngineError, match="row 1 has no fact 'age'"):
        run(backend_name, program_of(Cmp("age", "ge", 18)), [{"age": 20}, {"group": "x"}])


def test_bad_value_type_is_an_engine_error(backend_name: str) -> None:
    with pytest.raises(EngineError, match="fact 'age'"):
        run(backend_name, program_of(Cmp("age", "ge", 18)), [{"age": 2.5}])  # type: ignore[dict-item]


def test_closed_matcher_refuses(backend_name: str) -> None:
    matcher = get_backend(backend_name).compile(program_of(Cmp("age", "ge", 18)))
    matcher.close()
    with pytest.raises(EngineError, match="closed"):
        matcher.match(ROWS)


def test_durable_errors_are_wrapped_with_their_cause() -> None:
    matcher = DurableBackend().compile(program_of(Cmp("age", "ge", 18)))
    matcher._finalizer()  # frees the native ruleset under the Host's feet
    with pytest.raises(EngineError, match="durable-rules failed") as caught:
        matcher.match(ROWS)
    assert caught.value.__cause__ is not None
    matcher.close()


def test_failure_after_unhandled_rows_is_wrapped_and_leaves_no_state(monkeypatch: pytest.MonkeyPatch) -> None:
    # The clean-up must not hit durable's delete_state segfault either.
    matcher = DurableBackend().compile(program_of(Cmp("age", "gt", 1000)))
    host = matcher._host
    real = host.assert_fact
    calls = 0

    def flaky(name: str, fact: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("boom")
        return real(name, fact)

    monkeypatch.setattr(host, "assert_fact", flaky)
    with pytest.raises(EngineError, match="boom") as caught:
        matcher.match([{"age": 1}] * 5)
    assert isinstance(caught.value.__cause__, RuntimeError)
    monkeypatch.setattr(host, "assert_fact", real)
    assert matcher.match([{"age": 1}, {"age": 2000}]) == [frozenset(), frozenset({0})]
    matcher.close()


def test_too_complex_program_is_refused() -> None:
    # 2**16 conjunctions after DNF expansion.
    predicate = All(tuple(AnyOf((Cmp("cat", "eq", i), Cmp("age", "eq", i))) for i in range(16)))
    with pytest.raises(EngineError, match="too complex"):
        DurableBackend().compile(program_of(predicate))


# --------------------------------------------------------------------------- durable-rules limits


def test_many_conditions_holding_at_once(backend_name: str) -> None:
    # durable-rules fails (error 303) when more than ~63 alpha paths hold for one fact;
    # the back end packs at most MAX_TERMS terms per ruleset.
    program = program_of(
        *(Cmp("age", "ge", i) for i in range(150)),
        AnyOf(tuple(Cmp("day", "ne", i) for i in range(100))),  # 100 true disjuncts
        All(tuple(AnyOf((Cmp("cat", "ge", 0), Cmp("age", "ge", 0))) for _ in range(8))),  # 256 terms
        Cmp("cat", "in", tuple(range(-200, 4))),
        Cmp("group", "not_in", tuple(f"g{i}" for i in range(300))),
    )
    rows = [{**ROWS[0], "age": 200}, ROWS[1]]
    assert run(backend_name, program, rows) == reference(program, rows)


def test_many_and_or_in_one_condition(backend_name: str) -> None:
    # durable-rules allows 15 $and/$or per rule (error 113 beyond); a condition with more is
    # split into several rules. Each positive order comparison is itself an $and (tag range).
    ranges = AnyOf(tuple(All((Cmp("age", "ge", a), Cmp("age", "lt", a + 3))) for a in range(15, 80, 3)))
    negated = AnyOf(tuple(Not(Cmp("day", "lt", 20240101 + i)) for i in range(0, 400, 20)))
    program = program_of(ranges, negated, All((ranges, negated)))
    rows = benchmark_rows(300)
    assert run(backend_name, program, rows) == reference(program, rows)


def test_negated_order_comparison_across_types(backend_name: str) -> None:
    # compare("x", "lt", 5) is false and so is compare("x", "ge", 5): "not (x < 5)" must not
    # become "x >= 5" (push_not's NEGATED table) when x is not an int.
    rows: list[dict[str, FactValue]] = [{"x": "a"}, {"x": True}, {"x": 7}, {"x": 3}]
    program = program_of(
        Not(Cmp("x", "lt", 5)),
        Not(Cmp("x", "gt", "b")),
        Not(Cmp("x", "le", (5,))),
        Not(Cmp("x", "ge", False)),
        Not(All((Cmp("x", "ge", 5), Cmp("x", "lt", 9)))),
    )
    expected = reference(program, rows)
    assert expected[0] == frozenset({0, 1, 2, 3, 4})
    assert run(backend_name, program, rows) == expected


def test_rows_matching_nothing(backend_name: str) -> None:
    # durable-rules segfaults in delete_state on a state that saw only unhandled facts.
    matcher = get_backend(backend_name).compile(program_of(Cmp("age", "gt", 1000), AnyOf(())))
    try:
        for _ in range(3):
            assert matcher.match(ROWS) == [frozenset()] * 3
    finally:
        matcher.close()


def test_durable_splits_into_rulesets_within_budget() -> None:
    program = program_of(*(Cmp("age", "ge", i) for i in range(3 * MAX_TERMS)))
    definition = raw_ruleset_definition(program)
    assert len(definition) == 3
    for rules in definition.values():
        assert len(rules) <= MAX_TERMS + 1  # + the observer


def test_many_facts_in_one_program(backend_name: str) -> None:
    # durable-rules allows 253 properties per fact; programs are split by fields too.
    row: dict[str, FactValue] = {f"x{i}": i for i in range(400)}
    program = program_of(*(Cmp(f"x{i}", "eq", i) for i in range(400)), Cmp("x3", "eq", 4))
    assert run(backend_name, program, [row]) == [frozenset(range(400))]


def test_no_timer_threads_leak() -> None:
    before = threading.active_count()
    matchers = [DurableBackend().compile(program_of(Cmp("age", "ge", i))) for i in range(40)]
    for m in matchers:
        m.match(ROWS)
    assert threading.active_count() == before
    for m in matchers:
        m.close()
    assert threading.active_count() == before


def test_durable_match_is_thread_safe() -> None:
    program = benchmark_program()
    rows = benchmark_rows(300)
    expected = reference(program, rows)
    matcher = DurableBackend().compile(program)
    failures: list[str] = []

    def work(offset: int) -> None:
        for k in range(5):
            chunk = rows[(offset + k) * 10 : (offset + k) * 10 + 40]
            want = expected[(offset + k) * 10 : (offset + k) * 10 + 40]
            if matcher.match(chunk) != want:
                failures.append(f"thread {offset} call {k}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    matcher.close()
    assert failures == []


def test_raw_ruleset_definition_runs_on_plain_durable() -> None:
    from durable.engine import Host

    class QuietHost(Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    program = benchmark_program()
    rows = benchmark_rows(300)
    definition = raw_ruleset_definition(program)
    json.dumps(definition)  # plain JSON
    hits: list[tuple[int, str]] = []
    for rules in definition.values():
        for name, rule in rules.items():
            rule["run"] = (lambda n: lambda c: hits.append((c.m["__row"], n)))(name)
    host = QuietHost(definition)
    try:
        for ruleset in definition:
            facts = [encode_row(program.facts, row, i, "bench") for i, row in enumerate(rows)]
            host.assert_facts(ruleset, facts)  # a batch: the observer makes every fact handled
            host.delete_state(ruleset, "bench")
    finally:
        for ruleset in host._ruleset_list:
            __import__("durable.engine").engine.durable_rules_engine.delete_ruleset(ruleset._handle)
    found: list[set[int]] = [set() for _ in rows]
    for row, name in hits:
        if name != "observer":
            found[row].add(int(name[1:].split(".")[0]))
    assert [frozenset(s) for s in found] == reference(program, rows)


# --------------------------------------------------------------------------- benchmark


def benchmark_program(name: str = "bench") -> MatchProgram:
    """20 conditions of the shape regimes produce: a group, age and date window, flags."""
    conditions = []
    for i in range(20):
        predicate = All(
            (
                Cmp("group", "eq", GROUPS[i % 4]),
                Cmp("age", "ge", 18 + i),
                Cmp("day", "lt", 20240101 + (i * 500) % 1200),
                AnyOf((Cmp("flag_a", "eq", True), Not(Cmp("cat", "in", (0, 1))))),
                Not(Cmp("flag_b", "eq", True)) if i % 3 else Cmp("cat", "not_in", (3,)),
            )
        )
        conditions.append(Condition(f"k{i}", predicate))
    return MatchProgram(name, tuple(conditions))


def benchmark_rows(n: int, seed: int = 1) -> list[dict[str, FactValue]]:
    r = random.Random(seed)
    return [
        {
            "group": r.choice(GROUPS),
            "age": r.randint(15, 80),
            "flag_a": r.random() < 0.5,
            "flag_b": r.random() < 0.5,
            "day": r.randint(20240101, 20241231),
            "cat": r.randint(0, 3),
        }
        for _ in range(n)
    ]


def rows_per_second(matcher: Matcher, rows: Sequence[FactRow], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        matcher.match(rows)
        best = min(best, time.perf_counter() - start)
    return len(rows) / best


def throughput() -> Iterator[tuple[str, float]]:
    """Rows/second of each back end on the 20-condition program over 10,000 rows."""
    program, rows = benchmark_program(), benchmark_rows(10_000)
    for name in BACKENDS:
        matcher = get_backend(name).compile(program)
        try:
            yield name, rows_per_second(matcher, rows)
        finally:
            matcher.close()


def test_benchmark_agrees(backend_name: str) -> None:
    program, rows = benchmark_program(), benchmark_rows(10_000)
    matcher = get_backend(backend_name).compile(program)
    try:
        assert matcher.match(rows) == reference(program, rows)
        assert isinstance(matcher, DurableMatcher) == (backend_name == "durable")
    finally:
        matcher.close()


if __name__ == "__main__":  # pragma: no cover - `python tests/test_backends.py` prints throughput
    for backend, rate in throughput():
        print(f"{backend:8s} {rate:12,.0f} rows/s")
