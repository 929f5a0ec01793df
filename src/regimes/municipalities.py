"""Denmark's 98 municipalities by kommunekode, the key every case and regime scope uses.

Why a data file and not a literal dict: the list is public reference data
(``shared/domain/kommunekoder.csv``) that reviewers compare against the official table; keeping it
as the same CSV, shipped as package data, makes that comparison a ``diff`` and keeps this module
free of 98 lines of constants. Codes are the three-digit strings of that file (``"101"``
København, ``"851"`` Aalborg); Christiansø (411) is not a municipality and is not listed.

    >>> municipality_name("219")
    'Hillerød'
    >>> is_municipality("851"), is_municipality("411"), is_municipality("0101")
    (True, False, False)
    >>> len(MUNICIPALITIES)
    98
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

from regimes.errors import ResolutionError

__all__ = ["MUNICIPALITIES", "is_municipality", "municipality_name"]

_DATA_FILE = "kommunekoder.csv"


def _load() -> Mapping[str, str]:
    """Read and check the bundled CSV once, at import.

    Checked rather than trusted because a damaged data file (a lost leading digit, a duplicate
    row) would otherwise surface much later as a case rejected for a valid kommunekode.
    """
    text = (resources.files("regimes") / "data" / _DATA_FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["code", "municipality"]:
        msg = f"{_DATA_FILE}: header must be 'code,municipality' (got {reader.fieldnames!r})"
        raise RuntimeError(msg)
    table: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        code, name = row["code"].strip(), row["municipality"].strip()
        if len(code) != 3 or not code.isascii() or not code.isdigit() or not name:
            msg = f"{_DATA_FILE}:{line}: expected a three-digit code and a name (got {code!r}, {name!r})"
            raise RuntimeError(msg)
        if code in table:
            msg = f"{_DATA_FILE}:{line}: duplicate code {code!r}"
            raise RuntimeError(msg)
        table[code] = name
    return MappingProxyType(table)


MUNICIPALITIES: Mapping[str, str] = _load()
"""Kommunekode → municipality name, read-only, in the file's order."""


def is_municipality(code: str) -> bool:
    """Whether ``code`` is one of the 98 kommunekoder, written exactly as in the list.

    Exact match only: ``"0101"`` or ``" 101"`` is not ``"101"``, so a case file that drifts from the
    official spelling is caught at validation rather than silently matched.
    """
    return code in MUNICIPALITIES


def municipality_name(code: str) -> str:
    """The name of the municipality with kommunekode ``code``.

    Raises:
        ResolutionError: ``code`` is not a kommunekode (a ``LookupError``, so callers that catch
            lookups keep working).
    """
    try:
        return MUNICIPALITIES[code]
    except KeyError:
        msg = f"unknown kommunekode {code!r}: expected one of the 98 three-digit codes, e.g. '101'"
        raise ResolutionError(msg) from None
