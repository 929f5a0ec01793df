"""Dask runs give exactly the single-process population report and caseload.

A ``LocalCluster`` of two in-process workers (``processes=False``: in-process transport, no
network at all, quick to start; the same partition logic and the same reduction as separate
processes) runs a synthetic population and a Parquet file partition-wise; the reports must equal
the one-process ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from regimes.caseload import caseload
from regimes.diff.population import population_impact, write_cases_file
from regimes.diff.population_columns import CaseSource
from regimes.distributed import load_partition, synthetic_partitions
from regimes.synthetic import synthetic_population
from regimes.synthetic_columns import synthetic_columns
from test_columnar_population import _comparable, _same_columns

distributed = pytest.importorskip("distributed")

ON = date(2026, 10, 1)
A, B = "dk-lab-2024", "dk-reform-2026"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_a_synthetic_partition_is_the_same_cases() -> None:
    parts = synthetic_partitions(20_000, seed=3, on=ON, rows=8192)
    assert [p.first for p in parts] == [0, 8192, 16384]
    whole = synthetic_columns(20_000, seed=3, on=ON)
    second = load_partition(parts[1])[0]
    _same_columns(second, whole.slice(8192, 16384))


def test_synthetic_population_on_dask_is_exact(client: Any) -> None:
    source = CaseSource.synthetic(20_000, 3, ON)
    source = CaseSource(
        source.n, source.chunks, source.label, tuple(synthetic_partitions(20_000, 3, ON, rows=8192))
    )
    alone = population_impact(source, A, B, on=ON, source="s")
    spread = population_impact(source, A, B, on=ON, source="s", client=client)
    assert _comparable(spread) == _comparable(alone)
    assert caseload(source, B, ON, client=client) == caseload(source, B, ON)


def test_parquet_on_dask_is_exact(client: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    cases = synthetic_population(3000, seed=9, on=ON)
    path = write_cases_file(cases, tmp_path / "cases.parquet")
    table = pq.read_table(path)
    pq.write_table(table, path, row_group_size=700)  # five row groups: three partitions below
    source = CaseSource.parquet(path, partition_rows=1000)
    assert source.partitions is not None and len(source.partitions) == 3
    assert sum(p.n for p in source.partitions) == 3000
    alone = population_impact(cases, A, B, on=ON, source="p", backend="vector")
    spread = population_impact(source, A, B, on=ON, source="p", client=client)
    assert _comparable(spread) == _comparable(alone)
    assert caseload(source, B, ON, client=client) == caseload(cases, B, ON, backend="vector")
    assert np.array_equal(  # partitions keep each row (a case) whole and in file order
        np.concatenate([load_partition(p)[0].birth for p in source.partitions]),
        CaseSource.of_cases(cases).chunks().__next__().birth,
    )
