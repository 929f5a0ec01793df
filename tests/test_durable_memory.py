"""The durable back end does not leak: not per ``match`` call, not per matcher.

Resident memory (``VmRSS`` in ``/proc/self/status``) is read before and after many cycles,
after a warm-up that fills allocator pools and caches. The numbers behind the bounds,
measured on CPython 3.11 / durable-rules 2.0.28 with the 20-condition benchmark program:

* 20,000 ``match`` calls of 5 rows each grow RSS by about 1 MB (it levels off after
  ~15,000 calls). Skipping ``delete_state`` costs ~320 KB per call (one durable state), so
  the leak would show as hundreds of MB (durable gives up with ``MemoryError`` at 1,024
  live states). A leak of one fact or one Python dict per row (0.5 KB or more per call)
  would add 10 MB or more. Bound: 10 MB.
* 300 matchers compiled, used and closed grow RSS by under 1 MB. ``Host`` never frees a
  native ruleset; without ``close`` calling ``delete_ruleset`` each matcher keeps ~1 MB, i.e.
  ~300 MB here. Bound: 10 MB, for closed matchers and for matchers merely dropped (their
  finalizer frees the rulesets).

The whole module runs in about 10 seconds.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from engine.backends.durable import DurableBackend
from test_backends import benchmark_program, benchmark_rows  # tests/ is on sys.path, as for strategies

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")

BOUND_MB = 10.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")  # pragma: no cover


def test_match_calls_do_not_grow_memory() -> None:
    matcher = DurableBackend().compile(benchmark_program())
    rows = benchmark_rows(5, seed=3)
    expected = matcher.match(rows)
    try:
        for _ in range(1_000):  # warm-up
            matcher.match(rows)
        gc.collect()
        before = rss_mb()
        for _ in range(20_000):
            result = matcher.match(rows)
        gc.collect()
        grown = rss_mb() - before
    finally:
        matcher.close()
    assert result == expected
    assert grown < BOUND_MB, f"RSS grew {grown:.1f} MB over 20,000 match calls"


@pytest.mark.parametrize("close", [True, False], ids=["closed", "dropped"])
def test_matchers_release_their_rulesets(close: bool) -> None:
    program = benchmark_program()
    rows = benchmark_rows(5, seed=3)

    def cycle() -> None:
        matcher = DurableBackend().compile(program)
        matcher.match(rows)
        if close:
            matcher.close()

    for _ in range(30):  # warm-up
        cycle()
    gc.collect()
    before = rss_mb()
    for _ in range(300):
        cycle()
    gc.collect()
    grown = rss_mb() - before
    assert grown < BOUND_MB, f"RSS grew {grown:.1f} MB over 300 matchers"
