"""The bundled examples: each regime's example case differs from the statute, as its note says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import regimes

EXAMPLES = json.loads((Path(__file__).parents[1] / "examples" / "regimes" / "examples.json").read_text())


def _signature(ev: regimes.Evaluation) -> set[tuple[Any, ...]]:
    return {(o.rule, o.status.value, o.count, o.deadline) for o in ev.obligations} | {
        (r.rule, r.status.value) for r in ev.rights
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["regime"] for e in EXAMPLES])
def test_each_regime_example_differs_from_its_statute(example: dict[str, Any]) -> None:
    case = regimes.parse_case(example["case"])
    on = date.fromisoformat(example["on"])
    a = regimes.evaluate(case, example["statute"], on)
    b = regimes.evaluate(case, example["regime"], on)
    assert _signature(a) != _signature(b)
    assert example["why"]


def test_every_deviating_regime_has_an_example() -> None:
    ids = {info.id for info in regimes.list_regimes()} - {"dk-lab-2020"}
    assert ids == {e["regime"] for e in EXAMPLES}


def test_demo_cases_are_valid() -> None:
    from regimes.inputs import read_cases

    assert len(read_cases(str(Path(__file__).parents[1] / "examples" / "cases" / "demo.json"))) == 4


@pytest.mark.parametrize("regime_id", sorted(info.id for info in regimes.list_regimes()))
def test_generated_law_explorer_pages_are_current(regime_id: str) -> None:
    """docs/regimes/ must say what the rulesets say: regenerate with `make docs`."""
    from regimes.explorer import regime_markdown

    page = Path(__file__).parents[1] / "docs" / "regimes" / f"{regime_id}.md"
    assert page.read_text(encoding="utf-8") == regime_markdown(regimes.load_regime(regime_id)) + "\n"
