"""Commands that build on the core, registered on import (kept out of the core CLI module)."""

from regimes.cli import caseload_cmd, diff_cmd, population_cmd, serve_cmd  # noqa: F401
