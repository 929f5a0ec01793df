"""Deterministic output: the same input gives the same bytes (issue 10, "beyond the fixes").

JSON, Markdown and HTML (charts included) of a diff with a population, and the JSON of
evaluations, are hashed in two fresh processes with different ``PYTHONHASHSEED``s (set and dict
order, timing, matplotlib metadata would show here); evaluations under every back end give the
same bytes except the receipt's ``backend``, which names the back end by design.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = r"""
import hashlib, json, sys
from datetime import date
import regimes
from regimes.inputs import read_cases
from regimes.diff.population import population_impact
from regimes.diff.report import markdown
from regimes.diff.html import render_html

cases = read_cases("examples/inputs/cases.csv")
d = regimes.diff("dk-lab-2024", "dk-reform-2026", backend="vector")
pop = population_impact(cases, d.a, d.b, on=d.on, source="cases.csv", backend="vector")
d = d.model_copy(update={"population": pop})
out = {
    "diff.json": d.model_dump_json(indent=2),
    "diff.md": markdown(d),
    "diff.html": render_html(d, receipt=d.receipt.model_dump(mode="json")),
}
for backend in ("durable", "vector", "reference"):
    evs = regimes.evaluate_many(cases, None, date(2024, 10, 1), backend=backend, explain=True)
    text = "[" + ",".join(ev.model_dump_json() for ev in evs) + "]"
    out[f"evaluate.{backend}"] = text.replace(f'"backend":"{backend}"', '"backend":"*"')
print(json.dumps({k: hashlib.sha256(v.encode()).hexdigest() for k, v in out.items()}))
"""


def _hashes(seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "REGIMES_CACHE_DIR": "off"}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    hashes: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return hashes


def test_same_input_same_bytes_across_runs_hash_seeds_and_back_ends() -> None:
    first, second = _hashes("0"), _hashes("4242")
    assert first == second
    assert first["evaluate.durable"] == first["evaluate.vector"] == first["evaluate.reference"]
