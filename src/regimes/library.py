"""The bundled rulesets, and loading a regime by id or by path.

Why a library object: a regime is built from several files (its own, what it extends, the
modules it includes), and the same resolved regime must be shared by every evaluation so
that its compiled matcher is built once.

Where the law is found (:func:`shipped_dir`): inside the installed package
(``regimes/_bundled/rulesets``, copied there by the build, see ``setup.py``), else in the
repository's ``rulesets/`` folder (a checkout or an editable install). The environment variable
``REGIMES_RULESETS`` may point elsewhere, for authors trying a folder of their own. A library
that finds no ruleset is an error, never an empty list: a user must not read "0 regimes" as "ok".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from regimes.errors import RulesetError, RulesetErrors
from regimes.layer import Layering, Regime
from regimes.ruleset.load import LoadedFile, load_ruleset_file
from regimes.vocabulary import RegimeStatus

TESTS_SUFFIX = ".tests.yaml"


_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """A folder the package ships (``rulesets`` or ``examples``): packaged copy, else checkout.

    Raises:
        RulesetError: neither the installed package nor a repository checkout has it.
    """
    packaged = _PACKAGE / "_bundled" / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parents[1] / name
    if checkout.is_dir() and (_PACKAGE.parents[1] / "pyproject.toml").is_file():
        return checkout
    msg = (
        f"the installed package carries no {name}/ folder (looked in {packaged} and {checkout}); "
        "reinstall regimes from a wheel or a checkout"
    )
    raise RulesetError(msg)


def rulesets_dir() -> Path:
    """Where the bundled rulesets live (``REGIMES_RULESETS`` overrides, for ruleset authors)."""
    configured = os.environ.get("REGIMES_RULESETS")
    if configured:
        return Path(configured)
    return shipped_dir("rulesets")


def ruleset_paths(folder: Path) -> list[Path]:
    """The ruleset files of a folder (test files, ``*.tests.yaml``, are not rulesets)."""
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(TESTS_SUFFIX))


def load_files(paths: Iterable[Path]) -> list[LoadedFile]:
    """Load several files, collecting every error before raising."""
    loaded: list[LoadedFile] = []
    errors: list[RulesetError] = []
    for path in paths:
        try:
            loaded.append(load_ruleset_file(path))
        except RulesetErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise RulesetErrors(errors)
    return loaded


_lock = threading.Lock()


@cache
def bundled() -> Layering:
    """The bundled rulesets, loaded and validated once per process."""
    with _lock:
        folder = rulesets_dir()
        paths = ruleset_paths(folder)
        if not paths:
            raise RulesetError("no ruleset files (*.yaml) here: the library of regimes is empty", file=folder)
        return Layering(load_files(paths))


def library_with(paths: Iterable[Path]) -> Layering:
    """The bundled files with ``paths`` laid over them (a file replaces a bundled id)."""
    extra = load_files(paths)
    ids = {f.ruleset.id for f in extra}
    base = [f for f in bundled().files.values() if f.ruleset.id not in ids]
    return Layering([*base, *extra])


@lru_cache(maxsize=16)  # bounded: a file that keeps changing makes a new key per edit
def _regime_from_path(path: str, mtime: float) -> Regime:
    layering = library_with([Path(path)])
    loaded = next(f for f in layering.files.values() if str(f.path) == path)
    return layering.build(loaded.ruleset.id)


def load_regime(ref: str | Path | Regime) -> Regime:
    """A bundled regime by id (``"dk-lab-2024"``), or the regime in a YAML file at a path.

    Raises:
        ResolutionError: the id is unknown.
        RulesetErrors: the regime's files are invalid.
    """
    if isinstance(ref, Regime):
        return ref
    text = str(ref)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        path = Path(text).resolve()
        if not path.exists():
            raise RulesetErrors([RulesetError("no such file", file=path)])
        return _regime_from_path(str(path), path.stat().st_mtime)
    return bundled().build(text)


class RegimeInfo(BaseModel):
    """One line of :func:`list_regimes`."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    status: RegimeStatus
    valid_from: date | None
    valid_to: date | None
    scope: str | list[str]
    extends: str | None


def list_regimes() -> list[RegimeInfo]:
    """Every bundled regime: id, title, status, dates, scope."""
    out = []
    for ident in bundled().regime_ids():
        regime = bundled().build(ident)
        header = regime.header
        out.append(
            RegimeInfo(
                id=header.id,
                title=header.title,
                status=header.status,
                valid_from=header.valid_from,
                valid_to=header.valid_to,
                scope=header.scope,
                extends=header.extends,
            )
        )
    return sorted(out, key=lambda r: (r.valid_from or date.min, r.id))
