"""Read cases from the places the CLI and the service accept them.

A JSON file with one case or a list of cases, a JSON Lines file (``.jsonl``, one case per
line), or ``-`` for standard input (JSON or JSON Lines, detected). Every mistake becomes a
:class:`~regimes.errors.CaseError` that names the file, the line where there is one, and
the field.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from regimes import json_input
from regimes.case import Case, parse_case
from regimes.errors import CaseError


def _parse_json(text: str, source: str) -> Any:
    try:
        return json_input.loads(text, source)  # bounded depth: a named error, never RecursionError
    except json.JSONDecodeError as exc:
        msg = f"{source}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"
        raise CaseError(msg) from None


def _parse_jsonl(text: str, source: str) -> list[tuple[int, Any]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((number, json_input.loads(line, f"{source}:{number}")))
        except json.JSONDecodeError as exc:
            msg = f"{source}:{number}: not valid JSON ({exc.msg}, column {exc.colno})"
            raise CaseError(msg) from None
    return out


def read_text(path: Path, *, encoding: str = "utf-8") -> str:
    """A case file's text; a missing or unreadable file is a :class:`CaseError` naming it."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise CaseError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read ({exc})") from None


def read_case_data(source: str) -> list[tuple[str, Any]]:
    """Raw case mappings with where each came from (``file``, ``file:line`` or ``file[3]``)."""
    return _read(source)[0]


def _read(source: str) -> tuple[list[tuple[str, Any]], bool]:
    """Raw case mappings, and whether the input was a collection (a list or JSON Lines)."""
    if source == "-":
        text = sys.stdin.read()
        name = "<stdin>"
        jsonl = not text.lstrip().startswith(("[", "{")) or (
            "\n{" in text.strip() and not text.lstrip().startswith("[")
        )
        if jsonl and text.strip().count("\n") and not _looks_like_one_json(text):
            return [(f"{name}:{n}", d) for n, d in _parse_jsonl(text, name)], True
    else:
        path = Path(source)
        name = str(path)
        text = read_text(path)
        if path.suffix == ".jsonl":
            return [(f"{name}:{n}", d) for n, d in _parse_jsonl(text, name)], True
    data = _parse_json(text, name)
    if isinstance(data, list):
        return [(f"{name}[{i}]", d) for i, d in enumerate(data)], True
    return [(name, data)], False


def _looks_like_one_json(text: str) -> bool:
    try:
        json_input.loads(text, "<stdin>")
    except json.JSONDecodeError:
        return False
    return True


def read_cases(source: str) -> list[Case]:
    """Validated cases from ``source``; the first invalid one raises, naming where."""
    return read_cases_shaped(source)[0]


def read_cases_shaped(source: str) -> tuple[list[Case], bool]:
    """:func:`read_cases`, and whether the input was a collection (so output should be one too)."""
    raw, many = _read(source)
    cases = []
    for where, data in raw:
        cases.append(parse_case(data, source=where))
    if not cases:
        raise CaseError(f"{source}: no cases found")
    return cases, many
