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
import re
import threading
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

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


_lock = threading.RLock()
_HEADER = re.compile(r"^(regime|module):\s*(?:#.*)?$")
_ID = re.compile(r"""^\s+id:\s*["']?([A-Za-z0-9_.-]+)["']?\s*(?:#.*)?$""")


def _header(path: Path) -> tuple[str, str] | None:
    """``("regime"|"module", id)`` read from a file's text without parsing it (None: unclear)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    kind: str | None = None
    for line in text.splitlines():
        if kind is None:
            found = _HEADER.match(line)
            if found:
                kind = found.group(1)
            continue
        if line and not line[0].isspace() and not line.startswith("#"):
            return None  # the header block ended without an id
        ident = _ID.match(line)
        if ident:
            return kind, ident.group(1)
    return None


def _load_bundled(path: Path) -> LoadedFile:
    """:func:`load_ruleset_file`, through the parse cache (:mod:`regimes.parse_cache`)."""
    from regimes.parse_cache import cached

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return load_ruleset_file(path)  # its named error
    return cached(path, text, lambda _text, where: load_ruleset_file(where))


class _LazyFiles(dict[str, LoadedFile]):
    """The bundled files by id, each parsed and validated the first time it is asked for.

    Why: parsing YAML is most of a cold start, and evaluating under ``dk-lab-2024`` needs only
    that file, the one it extends and the module it includes (3 of 7). The index (id → path)
    comes from each file's header line; :func:`bundled` falls back to loading everything when a
    header cannot be read that way, so the index is never wrong, only sometimes not used.
    """

    def __init__(self, index: dict[str, tuple[str, Path]]) -> None:
        super().__init__()
        self.index = index

    def _load(self, ident: str) -> LoadedFile:
        with _lock:
            if dict.__contains__(self, ident):
                return dict.__getitem__(self, ident)
            _kind, path = self.index[ident]
            loaded = _load_bundled(path)
            if loaded.ruleset.id != ident:  # pragma: no cover - _header and the parser disagree
                msg = f"the header says id {ident!r}, the parsed file says {loaded.ruleset.id!r}"
                raise RulesetErrors([RulesetError(msg, file=path, line=1)])
            dict.__setitem__(self, ident, loaded)
            return loaded

    def _load_all(self) -> None:
        errors: list[RulesetError] = []
        for ident in self.index:
            try:
                self._load(ident)
            except RulesetErrors as exc:
                errors.extend(exc.errors)
        if errors:
            raise RulesetErrors(errors)

    def __getitem__(self, ident: str) -> LoadedFile:
        if ident not in self.index:
            raise KeyError(ident)
        return self._load(ident)

    def get(self, ident: str, default: Any = None) -> Any:
        return self._load(ident) if ident in self.index else default

    def __contains__(self, ident: object) -> bool:
        return ident in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def keys(self) -> Any:
        return self.index.keys()

    def values(self) -> Any:
        self._load_all()
        return [dict.__getitem__(self, i) for i in self.index]

    def items(self) -> Any:
        self._load_all()
        return [(i, dict.__getitem__(self, i)) for i in self.index]


class _LazyLayering(Layering):
    """A :class:`Layering` over :class:`_LazyFiles`: builds a regime from only the files it needs."""

    def __init__(self, files: _LazyFiles) -> None:
        super().__init__([])
        self.files = files

    def regime_ids(self) -> list[str]:
        assert isinstance(self.files, _LazyFiles)
        return [i for i, (kind, _) in self.files.index.items() if kind == "regime"]


@cache
def bundled() -> Layering:
    """The bundled rulesets; each file is loaded and validated once per process, when first needed.

    Raises:
        RulesetError: no ruleset file is found (an empty library is an error, never "0 regimes").
        RulesetErrors: files are invalid (lazily: when a regime that needs them is built).
    """
    with _lock:
        folder = rulesets_dir()
        paths = ruleset_paths(folder)
        if not paths:
            raise RulesetError("no ruleset files (*.yaml) here: the library of regimes is empty", file=folder)
        index: dict[str, tuple[str, Path]] = {}
        for path in paths:
            header = _header(path)
            if header is None or header[1] in index:
                # Unclear or duplicate header: load everything, so errors are reported as always.
                return Layering(load_files(paths))
            index[header[1]] = (header[0], path)
        return _LazyLayering(_LazyFiles(index))


def load_all() -> Layering:
    """The bundled library with every file parsed and every regime built: fail now, not later.

    For a long-running process (``regimes serve``) that must refuse to start on a broken ruleset;
    a command that needs one regime uses :func:`bundled`, which loads files on demand.

    Raises:
        RulesetErrors: any bundled file or regime is invalid.
    """
    layering = bundled()
    _ = layering.files.values()
    for ident in layering.regime_ids():
        layering.build(ident)
    return layering


def _header_text(path: Path) -> str:
    """The file's text up to its first top-level key after the header: the header block only."""
    text = path.read_text(encoding="utf-8")
    kept: list[str] = []
    started = False
    for line in text.splitlines(keepends=True):
        if line[:1].isalpha() or line[:1] == "_":
            if started:
                break
            started = True
        kept.append(line)
    return "".join(kept)


@cache
def headers() -> Layering:
    """The bundled regimes with their headers only (no rules): what resolution and listing read.

    Why: deciding which regime is in force (and so whether an evaluation is a what-if) reads only
    status, dates, scope and ``extends``; parsing every file's rules for that was most of a cold
    start. The headers are validated by the same model as always. Where anything is unusual (a
    header that does not parse alone), the full library is used instead, so errors are reported
    exactly as before.
    """
    from regimes.parse_cache import cached
    from regimes.ruleset.load import parse_ruleset

    layering = bundled()
    if not isinstance(layering, _LazyLayering) or not isinstance(layering.files, _LazyFiles):
        return layering
    try:
        files = [cached(path, _header_text(path), parse_ruleset) for _, path in layering.files.index.values()]
        return Layering(files)
    except (RulesetErrors, OSError, UnicodeDecodeError):
        return layering


def library_with(paths: Iterable[Path]) -> Layering:
    """The bundled files with ``paths`` laid over them (a file replaces a bundled id)."""
    extra = load_files(paths)
    ids = {f.ruleset.id for f in extra}
    base = [f for f in bundled().files.values() if f.ruleset.id not in ids]
    return Layering([*base, *extra])


@cache
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
    library = headers()
    for ident in library.regime_ids():
        regime = library.build(ident)
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
