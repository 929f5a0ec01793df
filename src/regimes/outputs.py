"""Outputs are checked before the work: a file or folder that cannot be written fails first.

Why: a population diff can compute for minutes; finding then that ``--out`` names a folder that
does not exist (or ``regimes docs`` a place it cannot write) wastes the run and, before, ended in
a traceback. Each command that writes calls :func:`writable_file` or :func:`writable_folder` on
its arguments before computing anything; a problem is an :class:`~regimes.errors.OutputError`
(exit 1, one message naming the path).

    >>> writable_file("/nonexistent/dir/r.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    regimes.errors.OutputError: /nonexistent/dir/r.html: cannot write: the folder ... does not exist
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from regimes.errors import OutputError

__all__ = ["writable_file", "writable_folder"]


def writable_file(path: str | Path) -> Path:
    """``path`` as a file that can be written now (created and removed again if it did not exist).

    Raises:
        OutputError: it is a folder, its folder does not exist, or it cannot be opened for writing.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: cannot write: it is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"{target}: cannot write: the folder {folder} {what}")
    existed = target.exists()
    try:
        with target.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    if not existed:
        target.unlink(missing_ok=True)
    return target


def writable_folder(path: str | Path) -> Path:
    """``path`` as a folder that exists (created if missing) and takes new files.

    Raises:
        OutputError: it is a file, or it cannot be created or written to.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: cannot write into it: it is a file, not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=target, prefix=".regimes-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write into this folder ({exc.strerror or exc})") from None
    return target
