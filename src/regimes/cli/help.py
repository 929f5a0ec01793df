"""How ``--help`` writes placeholders: as names a user types (``DATE``, ``FILE``), never as types.

Why: Typer's help shows every parameter's Python type (``--explain <bool>``, ``--on <str>``) and
wraps a required argument in braces (``{CASES}``); both read as values to type. The command line
convention is ``regimes evaluate [OPTIONS] CASES`` and ``--on DATE``, with flags bare. This
module adjusts the two hooks Typer's help calls (the placeholder and the usage name); a command
gives each option a ``metavar`` that names what to type, and anything without one falls back to
click's classic names (``TEXT``, ``INTEGER``, ``PATH``) or the choices (``[table|json]``).
"""

from __future__ import annotations

from typing import Any

import typer.core

__all__ = ["install"]


def _placeholder(self: Any, ctx: Any) -> str | None:
    if isinstance(self, typer.core.TyperArgument):
        return None  # the name column already says CASES; a type after it reads as a value
    if getattr(self, "is_flag", False) or getattr(self, "is_bool_flag", False):
        return None
    if self.metavar is not None:
        return str(self.metavar)
    descriptor = getattr(self, "type_descriptor", None)
    if descriptor is not None and descriptor.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ()) + "]"
    if descriptor is not None and descriptor.is_path:
        return "PATH"
    name = getattr(getattr(self, "type", None), "name", "") or "text"
    return {"integer": "INTEGER", "float": "NUMBER"}.get(name, "TEXT")


def _usage_name(self: Any) -> str:
    name = str(self.display_name_raw)
    if not self.required:
        name = f"[{name}]"
    if self.nargs != 1:
        name += "..."
    return name


def install() -> None:
    """Apply the conventions to Typer's help (idempotent; a Typer without these hooks is left alone)."""
    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        if hasattr(cls, "display_type_rich"):
            cls.display_type_rich = _placeholder  # type: ignore[method-assign]
    if hasattr(typer.core.TyperArgument, "_usage_display_name"):
        typer.core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
