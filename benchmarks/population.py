"""Benchmark: the population engine, pinned and side by side, in one run.

Not part of the test run (it prints, it asserts nothing). Run:
``.venv/bin/python benchmarks/population.py`` (add ``--quick`` for 100,000 cases instead of
1,000,000 in the diff; ``--dask N`` times the N-case diff on local Dask clusters of 1 and 2
workers instead). Pinned: regimes ``dk-lab-2024`` (per-case rates) and the diff
``dk-lab-2024`` → ``dk-reform-2026``, synthetic population seed 1, evaluation date 2026-08-10
(the diff's default date: the later regime's start + 40 days), 10,000 cases for the per-case
back ends and for the columnar one.

What it prints:

- cases/s of the whole evaluation (facts, conditions, windows, counting, statuses; no traces)
  for raw durable-rules (the conditions only, as ``benchmarks/evaluate.py`` drives it: a lower
  bound of any durable path), the durable back end, the reference back end, the vector back end
  and the columnar one (results as its long table; one ``Evaluation`` is made only on request),
  with each ratio to the durable back end;
- the wall and CPU time of ``regimes diff dk-lab-2024 dk-reform-2026 --synthetic N`` (a fresh
  process: generation, structural and behavioural diff, population part) and its peak resident
  memory, total and per case above the idle process.

Why CPU time next to wall time: the machine it was written on has 2 cores shared with other
work, so wall time measures the neighbours as much as the program; CPU time (user + system of
the child process) does not.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import regimes
from engine.backends.durable import _host_class, encode_row, raw_ruleset_definition
from regimes.columnar import columns_from_cases, evaluate_columns
from regimes.evaluate import engine_for, evaluate_many
from regimes.facts import fact_row
from regimes.synthetic import synthetic_population
from regimes.synthetic_columns import synthetic_columns

ON = date(2026, 8, 10)
SEED = 1
A, B = "dk-lab-2024", "dk-reform-2026"
PER_CASE = 10_000
DIFF_CASES = 1_000_000
REGIMES_BIN = Path(sys.executable).with_name("regimes")


def best_of(repeats: int, func: Any) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


def raw_durable_seconds(cases: list[regimes.Case]) -> float:
    regime = regimes.load_regime(A)
    program = engine_for(regime, "durable").compiled.program
    rows = [fact_row(c, ON) for c in cases]
    definition = raw_ruleset_definition(program)
    fired: list[object] = []

    def record(c: Any) -> None:
        fired.append(c.m)

    for ruleset in definition.values():
        for rule in ruleset.values():
            rule["run"] = record
    host = _host_class()(definition)
    raw_facts = [encode_row(program.facts, row, i, "raw") for i, row in enumerate(rows)]

    def raw_batch() -> None:
        for name in definition:
            host.assert_facts(name, raw_facts)
            host.delete_state(name, "raw")

    return best_of(3, raw_batch)


def per_case_rates(n: int) -> dict[str, float]:
    cases = synthetic_population(n, SEED, on=ON)
    regime = regimes.load_regime(A)
    seconds: dict[str, float] = {"raw durable-rules (conditions only)": raw_durable_seconds(cases)}
    for backend in ("durable", "reference", "vector"):
        evaluate_many(cases[:200], regime, ON, backend=backend, traces=False)  # warm caches
        seconds[f"{backend} back end"] = best_of(
            1, lambda b=backend: evaluate_many(cases, regime, ON, backend=b, traces=False)
        )
    columns = synthetic_columns(n, SEED, on=ON)
    evaluate_columns(columns, regime, ON)
    seconds["columnar back end"] = best_of(3, lambda: evaluate_columns(columns, regime, ON))
    seconds["columnar, tables built from Case objects"] = best_of(
        1, lambda: evaluate_columns(columns_from_cases(cases), regime, ON)
    )
    return {label: n / s for label, s in seconds.items()}


def run_diff(n: int) -> dict[str, float]:
    """Wall time, CPU time and peak RSS of the CLI diff in a fresh process (and of an idle one)."""
    idle = _child([sys.executable, "-c", "import regimes.cli, regimes.diff.population"])
    command = [str(REGIMES_BIN), "diff", A, B, "--synthetic", str(n), "--format", "json"]
    busy = _child(command)
    return {
        "wall": busy["wall"],
        "cpu": busy["cpu"],
        "rss": busy["rss"],
        "idle_rss": idle["rss"],
        "per_case": (busy["rss"] - idle["rss"]) / n,
    }


def _child(command: list[str]) -> dict[str, float]:
    """Run one child to completion; its wall time, CPU time and peak RSS (bytes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest of any child so far: run the small one first.
    return {"wall": wall, "cpu": cpu, "rss": after.ru_maxrss * 1024.0}


def run_dask(n: int, workers: int) -> dict[str, float]:
    """The same diff on a local Dask cluster of ``workers`` worker processes (loopback)."""
    command = [str(REGIMES_BIN), "diff", A, B, "--synthetic", str(n), "--format", "json"]
    return _child([*command, "--dask", f"local:{workers}"])


def main(argv: list[str]) -> None:
    if "--dask" in argv:
        n = int(argv[argv.index("--dask") + 1])
        print(f"machine: {machine()}")
        for workers in (1, 2):
            d = run_dask(n, workers)
            print(f"regimes diff {A} {B} --synthetic {n:,} --dask local:{workers}: wall {d['wall']:.1f} s")
        return
    diff_cases = 100_000 if "--quick" in argv else DIFF_CASES
    print(f"machine: {machine()}")
    print(f"pinned: regimes {A} (rates) and {A} -> {B} (diff), seed {SEED}, on {ON}, {PER_CASE:,} cases")
    rates = per_case_rates(PER_CASE)
    durable = rates["durable back end"]
    print(f"{'path (whole evaluation, no traces)':<44}{'cases/s':>12}{'x durable':>11}")
    for label, value in rates.items():
        print(f"{label:<44}{value:>12,.0f}{value / durable:>11.1f}")
    d = run_diff(diff_cases)
    print(
        f"regimes diff {A} {B} --synthetic {diff_cases:,}: wall {d['wall']:.1f} s, "
        f"CPU {d['cpu']:.1f} s (user + system)"
    )
    print(
        f"peak RSS {d['rss'] / 2**20:,.0f} MiB (idle process {d['idle_rss'] / 2**20:,.0f} MiB): "
        f"{d['per_case']:,.0f} bytes per case"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
