"""Hypothesis profiles for the property tests, chosen by ``HYPOTHESIS_PROFILE`` (default ``dev``).

Why profiles rather than per-test settings: CI wants a quick run, a developer a fuller one, and a
nightly ``long`` run the most examples; the tests stay the same. ``deadline=None`` because the
first call of a test (imports, compiling a ruleset) is slow for reasons that are not the property.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
