"""Parse JSON text bounded in depth: a case file nested 100,000 deep is a named error, not a crash.

Why: ``json.loads`` recurses once per level and raises ``RecursionError`` near 1,000 levels; a
file a little shallower parses, but every later step that walks it (validation, an error message
quoting the value) may recurse past the limit instead. A case is at most four levels deep (a
list of cases, a case, its events, an event), so anything deeper than :data:`MAX_DEPTH` is
rejected right after parsing, before the case model sees it.

    >>> loads('[{"a": [1, 2]}]', "cases.json")
    [{'a': [1, 2]}]
    >>> loads("[" * 100_000 + "]" * 100_000, "deep.json")
    Traceback (most recent call last):
    ...
    regimes.errors.CaseError: deep.json: JSON nested too deeply (more than 64 levels)
"""

from __future__ import annotations

import json
from typing import Any, Final

from regimes.errors import CaseError

__all__ = ["MAX_DEPTH", "deeper_than", "loads"]

MAX_DEPTH: Final = 64
"""Levels of arrays and objects a JSON input may nest (a case file needs four)."""


def deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays/objects in ``data`` nest more than ``limit`` levels (iterative: never recurses)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str, source: str) -> Any:
    """``json.loads(text)``, with too deep nesting and oversized numbers as :class:`CaseError`.

    ``json.JSONDecodeError`` passes through unchanged, so callers keep their own message with
    the line and column.

    Raises:
        CaseError: nested more than :data:`MAX_DEPTH` levels, or a number too long to convert;
            the message starts with ``source``.
        json.JSONDecodeError: not JSON.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise CaseError(f"{source}: JSON nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise CaseError(f"{source}: not valid JSON ({exc})") from None
    if deeper_than(data, MAX_DEPTH):
        raise CaseError(f"{source}: JSON nested too deeply (more than {MAX_DEPTH} levels)")
    return data
