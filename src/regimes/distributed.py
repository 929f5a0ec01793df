"""Population runs over Dask: partitions of a Parquet file or of the synthetic population.

Why partitions and not a Dask dataframe: a case is one row (its events and interruptions travel
inside it), so a partition of rows never splits a case, and each partition runs the columnar
back end on its own (:func:`regimes.diff.population.chunk_partial`). A worker returns per-case
figure rows and counts; the client concatenates the rows in partition order and adds the
counts, so the result is *exactly* the single-process one (same rows, same order, same sums).

- Parquet: partitions are runs of consecutive row groups (:func:`parquet_partitions`).
- Synthetic: partitions are runs of whole generator blocks; a worker moves the seeded
  generator forward to its first case (``PCG64.advance``), so case ``i`` is the same case as in
  one process.

Workers load the regimes by id or path themselves (and keep them cached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from regimes.columnar import CaseColumns

__all__ = [
    "Partition",
    "connect",
    "load_partition",
    "parquet_partitions",
    "synthetic_partitions",
]


@dataclass(frozen=True)
class Partition:
    """A slice of a population a worker can load on its own."""

    kind: Literal["parquet", "synthetic"]
    n: int
    path: str | None = None
    row_groups: tuple[int, ...] = ()
    seed: int = 0
    on: date | None = None
    first: int = 0
    prefix: str = "syn"


def parquet_partitions(path: str | Path, rows: int = 250_000) -> list[Partition]:
    """Runs of consecutive row groups of about ``rows`` cases each (a row group is never split)."""
    from regimes.columnar_inputs import parquet_row_groups

    sizes = parquet_row_groups(path)
    out: list[Partition] = []
    current: list[int] = []
    count = 0
    for group, size in enumerate(sizes):
        current.append(group)
        count += size
        if count >= rows:
            out.append(Partition("parquet", count, str(path), tuple(current)))
            current, count = [], 0
    if current:
        out.append(Partition("parquet", count, str(path), tuple(current)))
    return out


def synthetic_partitions(n: int, seed: int, on: date, rows: int = 262_144) -> list[Partition]:
    """Runs of whole generator blocks (8,192 cases) of about ``rows`` cases each."""
    from regimes import synthetic

    block = synthetic._BLOCK
    per = max(block, -(-rows // block) * block)
    return [
        Partition("synthetic", min(per, n - first), seed=seed, on=on, first=first)
        for first in range(0, n, per)
    ]


def load_partition(p: Partition, chunk: int = 65_536) -> list[CaseColumns]:
    """The partition's cases as columns, in chunks of about ``chunk`` cases."""
    if p.kind == "parquet":
        from regimes.columnar_inputs import read_case_columns

        assert p.path is not None
        columns = read_case_columns(p.path, row_groups=p.row_groups)
        return [columns.slice(first, first + chunk) for first in range(0, columns.n, chunk)] or [columns]
    from regimes import synthetic
    from regimes.synthetic_columns import _block, _with_ids

    assert p.on is not None
    bits = np.random.PCG64(p.seed)
    bits.advance(p.first * synthetic._COLUMNS)  # one 64-bit draw per uniform number
    rng = np.random.Generator(bits)
    out = []
    per = max(synthetic._BLOCK, -(-chunk // synthetic._BLOCK) * synthetic._BLOCK)
    for first in range(p.first, p.first + p.n, per):
        count = min(per, p.first + p.n - first)
        rows = rng.random((count, synthetic._COLUMNS))
        out.append(_with_ids(_block(rows, first, p.on), p.prefix, p.seed))
    return out


def _regime_ref(regime: Any) -> Any:
    """What a worker loads a regime from: its id (bundled) or its file's path, else the object."""
    if isinstance(regime, str):
        return regime
    from regimes.library import list_regimes

    if regime.id in {info.id for info in list_regimes()}:
        return regime.id
    return str(regime.file.path)


def run_partition(p: Partition, a: Any, b: Any, on: date, minutes: Any, quota_ids: Sequence[str]) -> Any:
    """One partition's :class:`~regimes.diff.population.Partial` (runs on a worker)."""
    from regimes.diff.population import chunk_partial, merge_partials
    from regimes.library import load_regime

    regime_a, regime_b = load_regime(a), load_regime(b)
    quota = [r for r in _unique([regime_a, regime_b]) if r.id in quota_ids]
    caches: tuple[dict[Any, Any], dict[Any, Any]] = ({}, {})
    partials = [
        chunk_partial(c, regime_a, regime_b, on, minutes, quota, None, caches) for c in load_partition(p)
    ]
    figures, groups, municipalities, deadlines, _ = merge_partials(partials, [])
    from regimes.diff.population import Partial

    coverage: dict[tuple[str, str, str], list[Any]] = {}
    for part in partials:
        for key, row in part.coverage.items():
            into = coverage.setdefault(key, [row[0], row[1], 0, 0, 0, 0])
            for k in range(2, 6):
                into[k] += row[k]
    return Partial(figures, groups, municipalities, deadlines, coverage)


def run_caseload_partition(p: Partition, regime: Any, on: date) -> dict[tuple[str, str], list[Any]]:
    """One partition's quota counts per (rule, group) (runs on a worker)."""
    from regimes.diff.population_columns import caseload_counts
    from regimes.library import load_regime

    chosen = load_regime(regime)
    out: dict[tuple[str, str], list[Any]] = {}
    for chunk in load_partition(p):
        for key, row in caseload_counts(chunk, chosen, on).items():
            into = out.setdefault(key, [row[0], row[1], 0, 0, 0, 0])
            for k in range(2, 6):
                into[k] += row[k]
    return out


def _unique(regimes: Sequence[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for r in regimes:
        seen.setdefault(r.id, r)
    return list(seen.values())


def gather_in_order(
    client: Any, func: Any, partitions: Sequence[Partition], *args: Any, advance: Any = None
) -> list[Any]:
    """``func(p, *args)`` for every partition on the cluster, results in partition order."""
    from distributed import as_completed

    futures = [client.submit(func, p, *args, pure=False) for p in partitions]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        i = index[future.key]
        results[i] = future.result()
        if advance is not None:
            advance(partitions[i].n)
    return results


def connect(scheduler: str) -> tuple[Any, Any]:
    """A Dask client for ``scheduler``: an address (``tcp://host:8786``), or ``local`` /
    ``local:N`` for a cluster of N worker processes on this machine (loopback only).

    Returns the client and the cluster it started (``None`` for an address); close both.
    """
    from distributed import Client, LocalCluster

    if scheduler == "local" or scheduler.startswith("local:"):
        workers = int(scheduler.partition(":")[2] or 2)
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        )
        return Client(cluster), cluster  # type: ignore[no-untyped-call]
    return Client(scheduler), None  # type: ignore[no-untyped-call]
