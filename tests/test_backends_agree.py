"""The back ends give identical evaluations (concepts.md, "Backends").

The engine-level property (``test_backends.py``) holds each back end to the reference
semantics on random predicates; this one holds whole evaluations of generated cases under
every bundled regime to each other, so a difference anywhere in the pipeline shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

import regimes
from strategies import case_dicts

REGIME_IDS = sorted(info.id for info in regimes.list_regimes())


@given(data=case_dicts(max_events=5), days=st.integers(-200, 900), regime_id=st.sampled_from(REGIME_IDS))
def test_durable_vector_and_reference_agree(data: dict[str, object], days: int, regime_id: str) -> None:
    case = regimes.parse_case(data)
    on = date(2024, 6, 1) + timedelta(days=days)
    results = {
        backend: regimes.evaluate(case, regime_id, on, backend=backend, explain=True).model_dump_json(
            exclude={"receipt"}  # names the back end, by design; the result must not differ
        )
        for backend in ("durable", "vector", "reference")
    }
    assert results["durable"] == results["reference"]
    assert results["vector"] == results["reference"]


@given(data=st.lists(case_dicts(max_events=3), min_size=1, max_size=12))
def test_batches_agree_with_single_calls(data: list[dict[str, object]]) -> None:
    sample = [regimes.parse_case(d) for d in data]
    on = date(2025, 3, 1)
    for backend in ("durable", "vector"):
        batch = regimes.evaluate_many(sample, "dk-lab-2024", on, backend=backend)
        single = [regimes.evaluate(c, "dk-lab-2024", on, backend=backend) for c in sample]
        assert batch == single
