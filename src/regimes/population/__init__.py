"""Population impact an analyst can cite: parameters with sources, yearly flows, national totals, panels.

- :mod:`regimes.population.params`: the parameter file (``data/population.yaml``), validated.
"""

from __future__ import annotations

from regimes.population.params import ParamsError, PopulationParams, load_params

__all__ = ["ParamsError", "PopulationParams", "load_params"]
