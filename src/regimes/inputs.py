"""One input layer: cases from JSON, JSON Lines, CSV or Parquet, and the public arguments.

Every command that reads cases (``evaluate``, ``diff --cases``, ``caseload``, ``verify``) and the
Python API go through this module, so a file that one of them reads, all of them read, with the
same errors. The layout of each format is documented in ``docs/inputs.md`` (with a JSON Schema and
one example file per format in ``examples/inputs/``):

- **JSON**: one case (an object) or a list of cases;
- **JSON Lines** (``.jsonl``/``.ndjson``): one case per line, blank lines skipped;
- **CSV** (``.csv``): a header row of case field names, one case per row; an empty cell is a field
  left out; ``interruptions`` and ``events`` hold JSON lists; booleans are ``true``/``false``
  (also ``1``/``0``, ``yes``/``no``); ``visitation_category`` a digit;
- **Parquet** (``.parquet``/``.pq``, needs the ``analyst`` extra): the same columns, with dates as
  ``date32`` (or ISO strings), booleans as ``bool``, and the two lists as JSON strings or as
  lists of structs;
- ``-``: standard input, in any of the four (detected: Parquet by its magic bytes, JSON by its
  first character, CSV otherwise).

A file's format follows its suffix; a file without a known suffix is detected like standard input.
Every mistake is a :class:`~regimes.errors.CaseError` naming the file, the line or row, and the field.

The public functions take what the contract says and name everything else
(:func:`as_cases`, :func:`as_day`, :func:`as_backend`)::

    >>> as_day("2024-03-10")
    datetime.date(2024, 3, 10)
    >>> as_day("10/03/2024")
    Traceback (most recent call last):
    ...
    regimes.errors.ArgumentError: on: must be a date YYYY-MM-DD (got '10/03/2024')
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from regimes import json_input
from regimes.errors import ArgumentError, CaseError

if TYPE_CHECKING:
    from regimes.case import Case
    from regimes.receipt import InputDigest

__all__ = [
    "FORMATS",
    "Format",
    "as_backend",
    "as_case",
    "as_cases",
    "as_day",
    "cases_from_bytes",
    "format_of",
    "input_digest",
    "read_case_data",
    "read_cases",
    "read_cases_file",
    "read_cases_shaped",
    "read_text",
]

Format = Literal["json", "jsonl", "csv", "parquet"]
#: The formats every command and the service read.
FORMATS: Final[tuple[Format, ...]] = ("json", "jsonl", "csv", "parquet")
_SUFFIXES: Final[Mapping[str, Format]] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_PARQUET_MAGIC: Final = b"PAR1"
#: Columns whose cells hold JSON lists (CSV) or lists of structs / JSON strings (Parquet).
LIST_FIELDS: Final = ("interruptions", "paid_hours", "events")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})
STDIN: Final = "<stdin>"


# --------------------------------------------------------------------------------------------
# Reading text and bytes
# --------------------------------------------------------------------------------------------


def read_text(path: Path, *, encoding: str = "utf-8") -> str:
    """A case file's text; a missing or unreadable file is a :class:`CaseError` naming it."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise CaseError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CaseError(f"{path}: is a folder, not a case file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read ({exc})") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CaseError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CaseError(f"{path}: is a folder, not a case file") from None
    except OSError as exc:
        raise CaseError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{source}: not UTF-8 text (byte {exc.start})") from None


def format_of(source: str | Path, head: bytes = b"") -> Format:
    """The format of ``source``: by its suffix, else detected from its first bytes ``head``.

    >>> format_of("cases.csv"), format_of("x.PARQUET"), format_of("-", b' [{"id": 1}]')
    ('csv', 'parquet', 'json')
    >>> format_of("-", b"id,birth_date\\n")
    'csv'
    """
    if str(source) != "-":
        suffix = Path(source).suffix.lower()
        if suffix in _SUFFIXES:
            return _SUFFIXES[suffix]
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"[", b"{"):
        return "json"  # JSON Lines is told apart when parsing (several top-level objects)
    return "csv" if head.strip() else "json"


# --------------------------------------------------------------------------------------------
# JSON and JSON Lines
# --------------------------------------------------------------------------------------------


def _loads(text: str, source: str) -> Any:
    # Bounded depth (regimes.json_input): too deep a nesting is a CaseError, never a RecursionError.
    return json_input.loads(text, source)


def _parse_json(text: str, source: str) -> Any:
    try:
        return _loads(text, source)
    except json.JSONDecodeError as exc:
        msg = f"{source}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"
        raise CaseError(msg) from None


def _parse_jsonl(text: str, source: str) -> list[tuple[str, Any]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((f"{source}:{number}", _loads(line, f"{source}:{number}")))
        except json.JSONDecodeError as exc:
            msg = f"{source}:{number}: not valid JSON ({exc.msg}, column {exc.colno})"
            raise CaseError(msg) from None
    return out


def _looks_like_one_json(text: str, source: str) -> bool:
    try:
        _loads(text, source)
    except json.JSONDecodeError:
        return False
    return True


def _first_line_is_json(text: str, source: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _looks_like_one_json(first, source)


def _json_records(
    text: str, source: str, kind: Format, *, detected: bool = False
) -> tuple[list[tuple[str, Any]], bool]:
    """JSON or JSON Lines; a detected (not named) format is JSON Lines when it has one object per line."""
    if kind == "jsonl" or (
        detected
        and text.lstrip().startswith("{")
        and not _looks_like_one_json(text, source)
        and _first_line_is_json(text, source)
    ):
        return _parse_jsonl(text, source), True
    data = _parse_json(text, source)
    if isinstance(data, list):
        return [(f"{source}[{i}]", d) for i, d in enumerate(data)], True
    return [(source, data)], False


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _bool_fields() -> frozenset[str]:
    from regimes.case import Case

    # yes/no fields, and optional ones (``jobcenter_course_from_day_one``: left out, it is derived)
    return frozenset(
        name for name, info in Case.model_fields.items() if info.annotation in (bool, bool | None)
    )


def _json_list(name: str, cell: str, where: str, case: str | None) -> Any:
    try:
        return _loads(cell, where)
    except json.JSONDecodeError as exc:
        msg = f"'{name}' must be a JSON list ({exc.msg}, column {exc.colno})"
        raise CaseError(msg, field=name, case=case, source=where) from None


def _csv_value(name: str, cell: str, where: str, case: str | None, flags: frozenset[str]) -> Any:
    if name in LIST_FIELDS:
        return _json_list(name, cell, where, case)
    if name in flags:
        lowered = cell.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        return cell  # the case model says what it expected, naming the field
    if name == "visitation_category" and cell.strip().isdigit():
        return int(cell)
    return cell


def _csv_records(text: str, source: str) -> list[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    flags = _bool_fields()
    out: list[tuple[str, Any]] = []
    try:
        for number, raw in enumerate(reader, start=1):
            where = f"{source}:{reader.line_num} (row {number})"
            if None in raw:
                raise CaseError(f"{where}: more cells than header columns")
            data: dict[str, Any] = {}
            for name, cell in raw.items():
                if cell is None or cell == "":
                    continue
                data[name] = _csv_value(name, cell, where, raw.get("id"), flags)
            out.append((where, data))
    except csv.Error as exc:
        raise CaseError(f"{source}:{reader.line_num}: not valid CSV ({exc})") from None
    if reader.fieldnames is not None and "id" not in reader.fieldnames:
        names = ", ".join(reader.fieldnames[:6])
        msg = f"{source}:1: the header row names no 'id' column (got {names}); see docs/inputs.md"
        raise CaseError(msg)
    return out


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------


def _drop_nulls(item: Any) -> Any:
    """A struct read from Parquet has every field of the column; an event has only its own."""
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if v is not None}
    return item


def _parquet_records(data: bytes, source: str) -> list[tuple[str, Any]]:
    from regimes.extras import require

    pq = require("pyarrow.parquet", "analyst", "reading Parquet")
    try:
        rows: list[dict[str, Any]] = pq.read_table(io.BytesIO(data)).to_pylist()
    except Exception as exc:  # pyarrow raises its own tree (ArrowInvalid, OSError, ...)
        raise CaseError(f"{source}: cannot read as Parquet ({exc})") from None
    out: list[tuple[str, Any]] = []
    for number, raw in enumerate(rows, start=1):
        where = f"{source} row {number}"
        record: dict[str, Any] = {}
        for name, value in raw.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if name in LIST_FIELDS:
                if isinstance(value, str):
                    value = _json_list(name, value, where, raw.get("id"))
                elif isinstance(value, list):
                    value = [_drop_nulls(item) for item in value]
            elif isinstance(value, float) and value.is_integer() and name == "visitation_category":
                value = int(value)
            record[name] = value
        out.append((where, record))
    return out


# --------------------------------------------------------------------------------------------
# Any source
# --------------------------------------------------------------------------------------------


def _records(
    data: bytes, source: str, kind: Format, *, detected: bool = False
) -> tuple[list[tuple[str, Any]], bool]:
    if kind == "parquet":
        return _parquet_records(data, source), True
    text = _decode(data, source)
    if kind == "csv":
        return _csv_records(text, source), True
    return _json_records(text, source, kind, detected=detected)


#: SHA-256 of the last input read per source, for the receipt of what is computed from it.
_last_digest: dict[str, str] = {}


def remember_digest(path: str | Path) -> None:
    """Record the SHA-256 of a case file read another way than :func:`read_cases` (the columnar
    reader), so :func:`input_digest` can name it in a receipt."""
    import hashlib

    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    _last_digest[str(path)] = digest.hexdigest()


def input_digest(source: str | Path, cases: int) -> InputDigest:
    """The receipt's record of an input :func:`read_cases` read (its SHA-256 as read, not as now)."""
    from regimes.receipt import InputDigest

    return InputDigest(source=str(source), sha256=_last_digest.get(str(source)), cases=cases)


def _read(source: str | Path, fmt: Format | None) -> tuple[list[tuple[str, Any]], bool]:
    """Raw case mappings with where each came from, and whether the input was a collection."""
    data, name = _read_source(source)
    import hashlib

    _last_digest[str(source)] = hashlib.sha256(data).hexdigest()
    named = fmt is not None or (name != STDIN and Path(source).suffix.lower() in _SUFFIXES)
    kind = fmt or format_of(source, data[:64])
    if kind not in FORMATS:
        raise ArgumentError(f"format: must be one of {', '.join(FORMATS)} (got {kind!r})")
    return _records(data, name, kind, detected=not named)


def _read_source(source: str | Path) -> tuple[bytes, str]:
    if str(source) == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        name = STDIN
    else:
        path = Path(source)
        data = _read_bytes(path)
        name = str(path)
    return data, name


def read_case_data(source: str | Path, *, fmt: Format | None = None) -> list[tuple[str, Any]]:
    """Raw case mappings with where each came from (``file``, ``file:line``, ``file[3]``, ``row``)."""
    return _read(source, fmt)[0]


def cases_from_bytes(data: bytes, fmt: Format, *, source: str = "<body>") -> list[Case]:
    """Validated cases from the bytes of a file or a request body in format ``fmt``."""
    from regimes.case import parse_case

    records, _ = _records(data, source, fmt)
    cases = [parse_case(record, source=where) for where, record in records]
    if not cases:
        raise CaseError(f"{source}: no cases found")
    return cases


def read_cases(source: str | Path, *, fmt: Format | None = None) -> list[Case]:
    """Validated cases from a file or ``-``; the first invalid one raises, naming where."""
    return read_cases_shaped(source, fmt=fmt)[0]


def read_cases_file(path: str | Path) -> list[Case]:
    """:func:`read_cases` (the name the population part has always used)."""
    return read_cases(path)


def read_cases_shaped(source: str | Path, *, fmt: Format | None = None) -> tuple[list[Case], bool]:
    """:func:`read_cases`, and whether the input was a collection (so output should be one too)."""
    from regimes.case import parse_case

    raw, many = _read(source, fmt)
    cases = [parse_case(data, source=where) for where, data in raw]
    if not cases:
        raise CaseError(f"{source if str(source) != '-' else STDIN}: no cases found")
    return cases, many


# --------------------------------------------------------------------------------------------
# Arguments of the public functions
# --------------------------------------------------------------------------------------------


def as_case(value: object) -> Case:
    """A :class:`~regimes.Case`, from a case or a JSON-compatible mapping (validated strictly).

    Raises:
        CaseError: the mapping is not a valid case (names the field), or ``value`` is neither.
    """
    from regimes.case import Case, parse_case

    if isinstance(value, Case):
        return value
    if isinstance(value, Mapping):
        return parse_case(dict(value))
    if isinstance(value, str | bytes):
        msg = "expected a Case or a mapping (got a string; parse JSON first, or use regimes.read_cases)"
        raise CaseError(msg)
    msg = f"expected a Case or a mapping of its fields (got {type(value).__name__})"
    raise CaseError(msg)


def as_cases(values: Iterable[object] | object) -> list[Case]:
    """Cases from one case or mapping, or from a sequence of them (``[3].birth_date`` names a field)."""
    from regimes.case import Case

    if isinstance(values, Case | Mapping):
        return [as_case(values)]
    if not isinstance(values, Sequence | Iterator) or isinstance(values, str | bytes):
        msg = f"expected a case, a mapping or a sequence of them (got {type(values).__name__})"
        raise CaseError(msg)
    out: list[Case] = []
    for index, value in enumerate(values):
        try:
            out.append(as_case(value))
        except CaseError as exc:
            field = f"[{index}].{exc.field}" if exc.field else f"[{index}]"
            raise CaseError(exc.message, field=field, case=exc.case, source=exc.source) from None
    return out


def as_day(value: object, name: str = "on") -> date:
    """An evaluation date: a :class:`datetime.date`, an ISO ``YYYY-MM-DD`` string, or ``None`` (today).

    Raises:
        ArgumentError: anything else (a datetime, another string, a number), naming ``name``.
    """
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        raise ArgumentError(f"{name}: must be a date, not a date and time (got {value!r})")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError as exc:
                raise ArgumentError(f"{name}: must be a date YYYY-MM-DD ({exc}; got {value!r})") from None
    raise ArgumentError(f"{name}: must be a date YYYY-MM-DD (got {value!r})")


def as_backend(name: object) -> str:
    """A back end's name, checked against those installed.

    Raises:
        ArgumentError: not one of :func:`engine.backends.available_backends`, naming the choices.
    """
    from engine.backends import available_backends

    choices = available_backends()
    if isinstance(name, str) and name in choices:
        return name
    raise ArgumentError(f"backend: must be one of {', '.join(choices)} (got {name!r})")
