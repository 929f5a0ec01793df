"""Receipts: what produced a result, so anyone can check later that the same law gives it.

Every evaluation and diff carries one (the Python result, the CLI's JSON, the HTTP service's
models, the HTML report): the package version, the regimes, the SHA-256 of every ruleset file that
went into them (its own file, the ones it extends, the modules it includes), the back end, the
evaluation date, the known-law horizon of each regime (``known_until`` in its header) and, where
the CLI read a file, the input's digest. ``regimes verify RECEIPT`` re-runs it and says whether
the installed law is the same (:mod:`regimes.verify`).

Why digests of files rather than of the regime: a file is what a reviewer reads and signs off,
and "which file changed" is the answer a user needs when a verification fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from regimes.layer import Regime

__all__ = ["InputDigest", "Receipt", "RulesetDigest", "digest_bytes", "receipt_for", "ruleset_digests"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RulesetDigest(_Frozen):
    """One ruleset file that went into a result."""

    file: str = Field(description="The file: rulesets/NAME.yaml for a bundled one, else its path.")
    sha256: str = Field(description="SHA-256 of the file's bytes as they were loaded, hex.")


class InputDigest(_Frozen):
    """The cases a result was computed from, as the command line read them."""

    source: str = Field(description="The file (as given), '-' for standard input, or 'synthetic n=N seed=S'.")
    sha256: str | None = Field(default=None, description="SHA-256 of the input's bytes (None for synthetic).")
    cases: int = Field(description="How many cases were read.")


class Receipt(_Frozen):
    """What produced a result; ``regimes verify`` checks it against the installed law."""

    package: str = Field(default="regimes", description="The package that computed the result.")
    version: str = Field(description="Its version.")
    regimes: list[str] = Field(description="The regime (evaluation) or the regimes A and B (diff).")
    resolved: bool = Field(default=False, description="The regime was picked by resolution, not named.")
    rulesets: list[RulesetDigest] = Field(description="Every ruleset file that went into the result.")
    backend: str = Field(description="The evaluation back end.")
    on: date = Field(description="The evaluation date.")
    known_until: dict[str, date | None] = Field(
        default_factory=dict, description="Per regime, the date up to which its law is known (None: open)."
    )
    options: dict[str, bool] = Field(default_factory=dict, description="Options that change the result.")
    input: InputDigest | None = Field(default=None, description="The cases, when read from a file or stdin.")


def digest_bytes(data: bytes) -> str:
    """SHA-256 of ``data``, hex."""
    return hashlib.sha256(data).hexdigest()


def _name(path: Path) -> str:
    from regimes.library import rulesets_dir

    try:
        return f"rulesets/{path.resolve().relative_to(rulesets_dir().resolve())}"
    except Exception:  # not a bundled file, or no bundled folder at all
        return str(path)


def ruleset_digests(regimes: Iterable[Regime]) -> list[RulesetDigest]:
    """The files of ``regimes`` (own, bases, modules), each once, sorted by name."""
    from regimes.library import file_digest

    seen: dict[str, RulesetDigest] = {}
    for regime in regimes:
        for loaded in regime.files:
            name = _name(Path(loaded.path))
            seen.setdefault(name, RulesetDigest(file=name, sha256=file_digest(Path(loaded.path))))
    return [seen[k] for k in sorted(seen)]


#: Receipts by regimes (kept alive with them, so an id is never reused), back end, date and options.
_cache: dict[tuple[Any, ...], tuple[tuple[Regime, ...], Receipt]] = {}


def receipt_for(
    regimes: Sequence[Regime],
    backend: str,
    on: date,
    *,
    resolved: bool = False,
    options: dict[str, bool] | None = None,
) -> Receipt:
    """The receipt of a result computed from ``regimes`` with ``backend`` on ``on`` (cached)."""
    key = (tuple(id(r) for r in regimes), backend, on, resolved, tuple(sorted((options or {}).items())))
    hit = _cache.get(key)
    if hit is not None:
        return hit[1]
    from regimes import __version__

    found = Receipt(
        version=str(__version__),
        regimes=[r.id for r in regimes],
        resolved=resolved,
        rulesets=ruleset_digests(regimes),
        backend=backend,
        on=on,
        known_until={r.id: getattr(r.header, "known_until", None) for r in regimes},
        options=dict(sorted((options or {}).items())),
    )
    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = (tuple(regimes), found)
    return found
