"""A cache of parsed and validated ruleset files, so a cold start does not re-parse the YAML.

Why: parsing YAML with line numbers (ruamel's round-trip loader, pure Python) is most of the cost
of a command's first evaluation: about 50 ms per ruleset file, against half a millisecond to
restore the same validated :class:`~regimes.ruleset.load.LoadedFile` from this cache.

What makes an entry valid: its key is the SHA-256 of the file's text, the path, the Python and
pydantic versions, and the size and modification time of every module of the package (so a changed
model or loader never reads an entry written by the old one). Only files that parsed and
validated are stored, so every error is still found and reported by the loader itself. An entry
that cannot be read is ignored and rewritten; a cache folder that cannot be written is no error.

Where: ``REGIMES_CACHE_DIR``, else ``$XDG_CACHE_HOME/regimes``, else ``~/.cache/regimes``.
``REGIMES_CACHE_DIR=off`` turns the cache off. At most :data:`MAX_ENTRIES` files are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from regimes.ruleset.load import LoadedFile

__all__ = ["MAX_ENTRIES", "cache_dir", "cached"]

#: Entries kept; the oldest are removed beyond this (an author editing a file makes one per save).
MAX_ENTRIES: Final = 256
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when the cache is turned off."""
    configured = os.environ.get("REGIMES_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "no"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regimes"


@cache
def _code_fingerprint() -> str:
    """Size and mtime of every module of ``regimes`` and ``engine``, and the library versions."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    for root in (_PACKAGE, _PACKAGE.parent / "engine"):
        for path in sorted(root.rglob("*.py")):
            with contextlib.suppress(OSError):
                stat = path.stat()
                digest.update(f"{path.relative_to(root.parent)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _key(path: Path, text: str) -> str:
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(str(path).encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cached(path: Path, text: str, parse: Callable[[str, Path], LoadedFile]) -> LoadedFile:
    """``parse(text, path)``, or the result stored for exactly this text, path and code."""
    folder = cache_dir()
    if folder is None:
        return parse(text, path)
    entry = folder / f"{_key(path, text)}.pickle"
    try:
        with entry.open("rb") as handle:
            # Written by this package for this exact key; anything unreadable is re-parsed.
            return pickle.load(handle)  # type: ignore[no-any-return]
    except FileNotFoundError:
        pass
    except Exception:  # a damaged or foreign entry: parse again, overwrite it
        pass
    loaded = parse(text, path)
    _store(folder, entry, loaded)
    return loaded


def _store(folder: Path, entry: Path, loaded: LoadedFile) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
            pickle.dump(loaded, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, entry)
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
