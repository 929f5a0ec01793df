"""Benchmark: cases/second of ``regimes.evaluate`` on the durable-rules back end, next to raw
durable-rules running the same compiled rules, as a ratio measured in the same run.

Not part of the test run: it prints figures, it asserts nothing. Run: ``make bench`` or
``.venv/bin/python benchmarks/evaluate.py [N]``.

What is compared:
- ``raw``: the compiled program's durable-rules rulesets in a bare ``Host`` (actions append
  to a list), every case's encoded fact asserted (as one batch, or one by one: the faster
  counts) and the state deleted — the Rete work alone;
- ``match``: our matcher (``engine.backends.durable``) on the same fact rows;
- ``evaluate_many``: the whole product path: facts from the case, matching, windows, event
  counting, statuses, pydantic results;
- ``evaluate``: the same, one call per case.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from typing import Any

import regimes
from engine.backends.durable import _host_class, encode_row, raw_ruleset_definition
from regimes.evaluate import engine_for, evaluate_many
from regimes.facts import fact_row

ON = date(2024, 10, 1)
GROUPS = [
    "dagpenge",
    "kontanthjaelp_jobparat",
    "kontanthjaelp_aktivitetsparat",
    "uddannelseshjaelp_uddannelsesparat",
    "sygedagpenge",
    "ledighedsydelse",
]


def generated_cases(n: int, seed: int = 1) -> list[regimes.Case]:
    """``n`` valid cases with a few events each, deterministic per seed."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        group = rng.choice(GROUPS)
        start = ON - timedelta(days=rng.randint(1, 360))
        data: dict[str, Any] = {
            "id": f"b-{i}",
            "birth_date": (start - timedelta(days=rng.randint(19 * 365, 60 * 365))).isoformat(),
            "municipality": rng.choice(["101", "219", "461", "751", "851"]),
            "group": group,
            "period_start": start.isoformat(),
            "has_vocational_education": rng.random() < 0.5,
        }
        if group == "dagpenge":
            data["registered_on"] = start.isoformat()
            data["jobcenter_course_from_day_one"] = rng.random() < 0.1
        elif group == "sygedagpenge":
            data["sickness_first_day"] = start.isoformat()
            data["visitation_category"] = rng.choice([1, 2, 3])
            data["employed"] = rng.random() < 0.7
        elif group != "ledighedsydelse":
            data["first_inquiry_on"] = start.isoformat()
        if group.startswith("uddannelseshjaelp"):
            data["has_vocational_education"] = False
            data["birth_date"] = (start - timedelta(days=rng.randint(18 * 365, 28 * 365))).isoformat()
        events = []
        for _ in range(rng.randint(0, 4)):
            day = start + timedelta(days=rng.randint(0, (ON - start).days))
            actor = rng.choice(["a_kasse", "jobcenter", "municipality"])
            kind = "sickness_followup_interview" if group == "sygedagpenge" else "job_interview"
            events.append({"kind": kind, "on": day.isoformat(), "actor": actor})
        data["events"] = events
        cases.append(regimes.parse_case(data))
    return cases


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def best_of(repeats: int, func: Any) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 10_000) -> None:
    regime = regimes.load_regime("dk-lab-2024")
    cases = generated_cases(n)
    engine = engine_for(regime, "durable")
    program = engine.compiled.program
    rows = [fact_row(c, ON) for c in cases]

    definition = raw_ruleset_definition(program)
    fired: list[object] = []

    def record(c: Any) -> None:
        fired.append(c.m)

    for ruleset in definition.values():
        for rule in ruleset.values():
            rule["run"] = record
    host = _host_class()(definition)
    names = list(definition)
    facts = program.facts
    raw_facts = [encode_row(facts, row, i, "raw") for i, row in enumerate(rows)]

    def raw_batch() -> None:
        for name in names:
            host.assert_facts(name, raw_facts)
            host.delete_state(name, "raw")

    def raw_each() -> None:
        for name in names:
            for fact in raw_facts:
                host.assert_fact(name, fact)
            host.delete_state(name, "raw")

    def match() -> None:
        engine.matcher.match(rows)

    def many() -> None:
        evaluate_many(cases, regime, ON)

    def one_by_one() -> None:
        for case in cases:
            regimes.evaluate(case, regime, ON)

    many()  # warm up caches (regime, compiled program, matcher)
    # The baseline is the faster of the two ways to drive durable-rules directly.
    t_raw = min(best_of(3, raw_batch), best_of(3, raw_each))
    t_match = best_of(3, match)
    t_many = best_of(3, many)
    t_one = best_of(1, one_by_one)
    print(f"regime dk-lab-2024, {n} generated cases, {len(program.conditions)} conditions, on {ON}")
    print(f"{'path':<34}{'cases/s':>12}{'vs raw':>10}")
    for label, seconds in [
        ("raw durable-rules (same rules)", t_raw),
        ("engine matcher (durable)", t_match),
        ("regimes.evaluate_many", t_many),
        ("regimes.evaluate, one per call", t_one),
    ]:
        print(f"{label:<34}{rate(n, seconds):>12,.0f}{t_raw / seconds:>10.2f}")
    print(f"wrapper cost of the matcher over raw durable-rules: {t_match / t_raw - 1:+.0%}")
    print(f"cost of the full evaluation over raw durable-rules:  {t_many / t_raw - 1:+.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
