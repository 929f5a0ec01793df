"""Population impact an analyst can cite: parameters with sources, yearly flows, national totals, panels.

- :mod:`regimes.population.params`: the parameter file (``data/population.yaml``), validated.
- :mod:`regimes.population.describe`: what the parameters assume (``regimes population describe``).
- :mod:`regimes.population.flows`: the spells that run in a calendar year, and what each requires.
- :mod:`regimes.population.national`: yearly national and municipal totals with a band.
- :mod:`regimes.population.panel`: weekly register panels (DREAM format) into spells and cases.
- :mod:`regimes.population.model`, :mod:`regimes.population.report`: the output model and renderers.

Names are loaded on first use: :mod:`regimes.diff.model` imports the output model, and importing
this package must stay cheap (and free of numpy, which the ``analyst`` extra brings).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["NationalImpact", "ParamsError", "PopulationParams", "load_params", "national_impact"]

_WHERE = {
    "NationalImpact": "regimes.population.model",
    "ParamsError": "regimes.population.params",
    "PopulationParams": "regimes.population.params",
    "load_params": "regimes.population.params",
    "national_impact": "regimes.population.national",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    msg = f"module 'regimes.population' has no attribute {name!r}"
    raise AttributeError(msg)
