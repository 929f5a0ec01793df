"""Read the YAML the product accepts: bounded, plain data only, with a line for every key and item.

Every YAML file the product reads comes through here: ruleset files (:mod:`regimes.ruleset.load`),
their ``*.tests.yaml`` (:mod:`regimes.testing`), caseworker minutes (``minutes.yaml`` and
``--minutes``, :mod:`regimes.diff.population`) and population parameters (``population.yaml``
and its overrides, :mod:`regimes.population.params`). Why one reader: a YAML file is small to
write and can be huge to read. Nine levels of nested aliases in 4 KB expand to 9^9 nodes; a file
nested 100,000 deep exhausts the parser's recursion; a custom tag may ask a loader to build
objects. So each limit below is checked *while* the file is composed, before anything is
expanded, and each breach is a :class:`~regimes.errors.RulesetError` naming the file and line:

==================  ============================================================================
limit               why this size
==================  ============================================================================
``MAX_BYTES``       512 KiB per file; the largest bundled file is 14 KB. Reading stops there.
``MAX_DEPTH``       64 nested nodes; bundled files nest at most 9 (a condition in a rule).
``MAX_ALIASES``     1,000 alias uses (``*name``) per file; bundled files use at most 8.
``MAX_NODES``       20,000 nodes with every alias expanded (the alias bomb); bundled: at most 1,021.
==================  ============================================================================

Text is UTF-8; a leading byte-order mark is accepted and dropped; any other encoding is an error
with the line of the first byte that is not UTF-8. Tags: only YAML's core types (strings,
numbers, booleans, null, mappings, lists, dates and the ``<<`` merge key); any other tag
(``!!python/object``, ``!!binary``, ``!!set``, ``!custom``) is an error, so reading a file builds
nothing but plain data. A string may not hold a lone surrogate (``"\\ud800"``): it could not be
written out again as UTF-8.

Dates stay text (``2024-02-30`` is then reported by the model that reads the field, with its
line and field) rather than failing the whole file in the YAML loader.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from regimes.errors import RulesetError, RulesetErrors

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Path_",
    "load_yaml",
    "load_yaml_tree",
    "plain",
    "read_yaml_text",
]

MAX_BYTES: Final = 512 * 1024
MAX_DEPTH: Final = 64
MAX_ALIASES: Final = 1_000
MAX_NODES: Final = 20_000

Path_ = tuple[str | int, ...]
"""A node's place in the document: keys and list indexes from the top."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS: Final = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Breach(Exception):  # noqa: N818 - internal signal, turned into a RulesetError below
    """A limit was exceeded while composing; ``line`` is 1-based where known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _line(mark: Any) -> int | None:
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


class _BoundedComposer(Composer):
    """ruamel's composer, counting depth, alias uses and the expanded size as it goes.

    Why in the composer: it sees each alias once and knows the (already composed) node it
    names, so the expanded size is a sum of sizes known so far; nothing is ever expanded here.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._level = 0
        self._expanded = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}

    def _grow(self, by: int, mark: Any) -> None:
        self._expanded += by
        if self._expanded > MAX_NODES:
            msg = (
                f"YAML too large: more than {MAX_NODES:,} nodes with its aliases expanded "
                "(an alias bomb?)"
            )
            raise _Breach(msg, _line(mark))

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:  # an undefined alias is ruamel's own error
                size = self._sizes.get(id(target))
                if size is None:
                    msg = f"a YAML alias refers to a node that contains it (*{event.anchor})"
                    raise _Breach(msg, _line(event.start_mark))
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    msg = f"YAML uses more than {MAX_ALIASES:,} aliases"
                    raise _Breach(msg, _line(event.start_mark))
                self._grow(size, event.start_mark)
            return super().compose_node(parent, index)
        event = self.parser.peek_event()
        self._level += 1
        if self._level > MAX_DEPTH:
            raise _Breach(f"YAML nested too deeply (more than {MAX_DEPTH} levels)", _line(event.start_mark))
        before = self._expanded
        self._grow(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._level -= 1
        self._sizes[id(node)] = self._expanded - before
        tag = str(node.tag)
        if tag not in _ALLOWED_TAGS:
            msg = (
                f"YAML tag {tag.removeprefix(_CORE)!r} is not allowed (only plain data: strings, "
                "numbers, booleans, null, mappings, lists, dates)"
            )
            raise _Breach(msg, _line(node.start_mark))
        if isinstance(node, ScalarNode) and _SURROGATE.search(node.value):
            msg = "a string holds a lone surrogate (e.g. \\ud800), which is not text"
            raise _Breach(msg, _line(node.start_mark))
        return node


def _timestamp_as_text(constructor: Any, node: Any) -> str:
    return str(constructor.construct_scalar(node))


class _Constructor(RoundTripConstructor):
    """The round-trip constructor with dates kept as text (a subclass: the change stays ours)."""


_Constructor.add_constructor(_CORE + "timestamp", _timestamp_as_text)


def _error(message: str, file: Path | str, line: int | None = None) -> RulesetErrors:
    return RulesetErrors([RulesetError(message, file=file, line=line)])


def read_yaml_text(path: Path | str) -> str:
    """A YAML file's text: at most :data:`MAX_BYTES`, UTF-8, a leading BOM dropped.

    Raises:
        RulesetErrors: the file cannot be read, is too large or is not UTF-8 (with the line).
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _error(f"cannot read: {exc.strerror or exc}", path) from None
    if len(raw) > MAX_BYTES:
        raise _error(f"file too large for YAML input (more than {MAX_BYTES // 1024} KiB)", path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} in line {line})"
        raise _error(msg, path, line) from None


def load_yaml(text: str, path: Path | str = "<string>") -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text into plain dicts, lists and scalars, and the line of every key and item.

    Raises:
        RulesetErrors: the text breaks a limit of this module, or is not valid YAML; the
            message names the file and, where known, the line.
    """
    lines: dict[Path_, int] = {}
    return plain(load_yaml_tree(text, path), (), lines), lines


def load_yaml_tree(text: str, path: Path | str = "<string>") -> Any:
    """Parse YAML text, within the limits of this module, into ruamel's round-trip tree.

    For readers that walk ``CommentedMap.lc`` themselves; :func:`load_yaml` gives plain data.
    Aliases are shared, not copied, in the tree; the composer has checked that expanding them
    stays within :data:`MAX_NODES`.

    Raises:
        RulesetErrors: as :func:`load_yaml`.
    """
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_BYTES:
        raise _error(f"too large for YAML input (more than {MAX_BYTES // 1024} KiB)", path)
    yaml = YAML(typ="rt")
    yaml.Composer = _BoundedComposer
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except _Breach as exc:
        raise _error(exc.message, path, exc.line) from None
    except MarkedYAMLError as exc:
        # An unclosed quote or bracket is noticed at the end; its context mark says where it began.
        mark = exc.context_mark or exc.problem_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise _error(f"YAML syntax: {problem}", path, _line(mark)) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise _error(f"YAML: character {character} is not allowed ({exc.reason})", path, line) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before this
        raise _error("YAML nested too deeply", path) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise _error(f"YAML: {exc}", path) from None
    return node


def plain(node: Any, path: Path_, lines: dict[Path_, int]) -> Any:
    """Plain dicts/lists from ruamel's nodes, recording the line (1-based) of every key and item.

    Bounded by the composer's limits: at most :data:`MAX_NODES` values, :data:`MAX_DEPTH` deep.
    """
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            child = (*path, str(key))
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                lines[child] = node.lc.key(key)[0] + 1
            name = str(key) if not isinstance(key, str | int | bool) else key
            out[name] = plain(node[key], child, lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):
                lines[child] = node.lc.item(index)[0] + 1
            items.append(plain(value, child, lines))
        return items
    return node
