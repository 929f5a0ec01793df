"""Load a ruleset file: safe YAML with line numbers → validated :class:`RulesetFile`.

Why ruamel.yaml: it reports the line of every key and item, so an error can say
``rulesets/dk-lab-2024.yaml:41: rule 'lab-2024.x': window.deadline: ...``. Reading is
:mod:`regimes.ruleset.yaml_input`: bounded in size, depth and alias expansion, plain data
only (an unknown tag is an error), so loading a file never runs code nor exhausts memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regimes.errors import RulesetError, RulesetErrors
from regimes.ruleset.model import RulesetFile
from regimes.ruleset.yaml_input import Path_, load_yaml, read_yaml_text

__all__ = ["LoadedFile", "Path_", "load_ruleset_file", "parse_ruleset"]


@dataclass(frozen=True)
class LoadedFile:
    """A validated file plus what errors found later need: its path and line numbers."""

    path: Path
    ruleset: RulesetFile
    lines: Mapping[Path_, int] = field(repr=False)

    def line_of(self, *path: str | int) -> int | None:
        """The line (1-based) of the deepest known node on ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def rule_line(self, section: str, rule_id: str) -> int | None:
        """The line of the entry in ``section`` whose id (or rule) is ``rule_id``."""
        items: list[Any] = getattr(self.ruleset, section)
        for index, item in enumerate(items):
            ident = getattr(item, "id", None) or getattr(item, "rule", None)
            if ident == rule_id:
                return self.line_of(section, index)
        return None


_SECTIONS_WITH_IDS = {"rules": "id", "replace": "rule", "safeguards": "id"}


def _rule_of(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and isinstance(data, dict) and isinstance(loc[1], int):
        section = data.get(loc[0])
        if isinstance(section, list) and loc[1] < len(section) and isinstance(section[loc[1]], dict):
            entry = section[loc[1]]
            for key in ("id", "rule"):
                if isinstance(entry.get(key), str):
                    return str(entry[key])
            rules = entry.get("rules")
            if isinstance(rules, list) and rules and isinstance(rules[0], str):
                return str(rules[0])
    return None


_UNION_TAGS = {
    "fact",
    "all",
    "any",
    "not",
    "str",
    "list[str]",
    "function-after[_known_municipalities(), union[literal['all'],list[str]]]",
}


def _data_path(data: Any, loc: tuple[Any, ...]) -> list[str | int]:
    """The part of a pydantic error location that exists in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        following = loc[index + 1] if index + 1 < len(loc) else None
        if (
            isinstance(node, dict)
            and part in _UNION_TAGS
            and following is not None
            and following != part
            and following in node
        ):
            continue  # a union tag that is also a key ("fact"): the key is the next part
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and part not in _UNION_TAGS
            and not path_is_tag(part)
        ):
            path.append(part)  # a missing required key: name it
            node = None
    return path


def path_is_tag(part: str) -> bool:
    """Pydantic puts union member names (``literal[...]``, ``function-after[...]``) in locations."""
    return "[" in part or part in _UNION_TAGS


def _message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "invalid"))
    msg = msg.removeprefix("Value error, ")
    if error.get("type") in {"extra_forbidden"}:
        return "unknown field (not part of the ruleset language; see `regimes schema`)"
    if error.get("type") == "missing":
        return "required field is missing"
    value = error.get("input")
    if error.get("type") not in {"value_error", "assertion_error"} and not isinstance(value, dict | list):
        msg += f" (got {value!r})"
    return msg


def parse_ruleset(text: str, path: Path | str = "<string>") -> LoadedFile:
    """Validate ruleset text; raises :class:`RulesetErrors` naming file, line, rule and field."""
    path = Path(path)
    data, lines = load_yaml(text, path)
    if not isinstance(data, dict):
        msg = "a ruleset file is a mapping with a 'regime:' or 'module:' header"
        raise RulesetErrors([RulesetError(msg, file=path, line=1)])
    try:
        ruleset = RulesetFile.model_validate(data)
    except ValidationError as exc:
        errors: list[RulesetError] = []
        seen: set[tuple[int | None, str]] = set()
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = _data_path(data, loc)
            line = None
            for end in range(len(where), -1, -1):
                line = lines.get(tuple(where[:end]))
                if line is not None:
                    break
            # Inside a list entry (rules[3]…) the rule id names the entry, so the field is the rest;
            # elsewhere (the header) the whole path is the field.
            in_entry = len(where) >= 2 and isinstance(where[1], int)
            field_path = ".".join(str(p) for p in (where[2:] if in_entry else where)) or None
            message = _message(error)
            key = (line, f"{field_path}{message}")
            if key in seen:
                continue
            seen.add(key)
            errors.append(
                RulesetError(message, file=path, line=line, rule=_rule_of(data, loc), field=field_path)
            )
        raise RulesetErrors(errors) from None
    return LoadedFile(path=path, ruleset=ruleset, lines=lines)


def load_ruleset_file(path: Path | str) -> LoadedFile:
    """Read and validate one file (see :func:`parse_ruleset`)."""
    path = Path(path)
    text = read_yaml_text(path)
    return parse_ruleset(text, path)
