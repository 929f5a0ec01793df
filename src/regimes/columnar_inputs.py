"""Case files straight to columns: Parquet, CSV, JSON Lines and JSON read into the three tables
(:class:`~regimes.columnar.CaseColumns`) without one pydantic object per case.

The files are the ones :func:`regimes.diff.population.read_cases_file` reads (the layout of
``docs/inputs.md``: one case per row, flat columns named as the case's fields, an empty cell a
field left out, ``interruptions`` and ``events`` as JSON text or, in Parquet, lists of structs).

Validation is columnar and conservative: every rule of the case model is checked over whole
columns (dates that exist, kommunekoder, target groups, booleans, the group's § 9 clock, birth
before every clock, visitation category only for sygedagpenge, no unknown column), and each
event and interruption by a plain check of its fields. A row that fails any check is handed to
the per-case reader, which raises *the same* :class:`~regimes.errors.CaseError` as today (the
file, the row or line, the case id, the field): the columnar checks decide *whether* a file is
valid, the per-case model says *what* is wrong. Should a flagged row pass the case model after
all, the file is read the per-case way (never silently differently).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from pydantic_core import PydanticCustomError

from engine.columnar.tables import NO_DATE, Categorical, EventTable, IntervalTable, day_number
from regimes.case import Case, _kommunekode, _to_date
from regimes.columnar import (
    ACTORS,
    CLOCKS,
    EVENT_KINDS,
    FLAGS,
    GIVEN,
    GROUNDS,
    GROUPS,
    MUNICIPALITY_CODES,
    OFFER_TYPES,
    OPTIONAL_FLAGS,
    CaseColumns,
    columns_from_cases,
)
from regimes.errors import CaseError
from regimes.vocabulary import InterviewForm

__all__ = ["read_case_columns"]

_I64 = np.int64
_FIELDS: Final = frozenset(Case.model_fields)
_ISO: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})
_PERIOD_DEFAULT: Final[dict[str, str]] = {
    "dagpenge": "registered_on",
    "kontanthjaelp_jobparat": "first_inquiry_on",
    "kontanthjaelp_aktivitetsparat": "first_inquiry_on",
    "uddannelseshjaelp_uddannelsesparat": "first_inquiry_on",
    "uddannelseshjaelp_aktivitetsparat": "first_inquiry_on",
    "sygedagpenge": "sickness_first_day",
}
_STEP_KINDS: Final = frozenset(EVENT_KINDS[:15])
_NULLABLE: Final = frozenset({*CLOCKS, "visitation_category"})
"""Fields a JSON case may give as null (the optional ones)."""
_FORMS: Final = frozenset(f.value for f in InterviewForm)


class _InvalidError(Exception):
    """A row the columnar checks cannot vouch for (the per-case reader says why)."""


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".jsonl"):
        return suffix[1:]
    return "json"


# --- reading the raw columns ------------------------------------------------------------------


def _raw_columns(path: Path, kind: str, row_groups: Sequence[int] | None = None) -> dict[str, list[Any]]:
    """Column name → Python values (``None`` for an empty cell), without validating anything."""
    if kind == "parquet":
        import pyarrow.parquet as pq

        if not path.exists():
            raise CaseError(f"{path}: no such file")
        try:
            if row_groups is None:
                table = pq.read_table(path)
            else:
                table = pq.ParquetFile(path).read_row_groups(list(row_groups))
        except Exception as exc:  # pyarrow raises its own tree (ArrowInvalid, OSError, ...)
            raise CaseError(f"{path}: cannot read as Parquet ({exc})") from None
        return {name: table.column(name).to_pylist() for name in table.column_names}
    if kind == "csv":
        import csv as csv_module

        import pyarrow as pa
        import pyarrow.csv as pcsv

        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv_module.reader(handle), [])
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(encoding="utf-8"),
                parse_options=pcsv.ParseOptions(newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(
                        list(header) + ["\ufeff" + h for h in header[:1]], pa.string()
                    ),
                    strings_can_be_null=True,
                    null_values=[""],
                    quoted_strings_can_be_null=True,
                ),
            )
        except Exception as exc:  # the per-case reader names what is wrong (or reads it)
            raise _InvalidError(str(exc)) from None
        out: dict[str, list[Any]] = {}
        for name in table.column_names:
            column = table.column(name)
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = column.cast(pa.string())
            out[name.lstrip("\ufeff")] = column.to_pylist()
        return out
    from regimes.inputs import read_case_data

    rows = [data for _, data in read_case_data(str(path))]
    if not all(isinstance(r, Mapping) for r in rows):
        raise _InvalidError("not a list of objects")
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    # JSON says null where a file of rows leaves a cell empty: null is a value the case model
    # judges (an optional field takes it, a flag does not), so a null is kept apart from "absent".
    for r in rows:
        for name, value in r.items():
            if value is None and name not in _NULLABLE:
                raise _InvalidError(name)
    return {name: [r.get(name) for r in rows] for name in names}


# --- columnar checks -----------------------------------------------------------------------------


_BAD: Final = object()


def _by_value(values: Sequence[Any], judge: Callable[[Any], Any]) -> tuple[list[Any], npt.NDArray[np.bool_]]:
    """``judge`` applied once per distinct value (a column repeats few): the results, and where
    the value was rejected (``judge`` raised). ``None`` stays ``None`` (an empty cell)."""
    seen: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:
        key = (type(v), v)
        try:
            hit = seen[key]
        except KeyError:
            try:
                hit = None if v is None else judge(v)
            except (PydanticCustomError, ValueError, TypeError):
                hit = _BAD
            seen[key] = hit
        except TypeError:  # unhashable (a list where a date belongs)
            hit = _BAD
        out.append(hit)
    return out, np.array([x is _BAD for x in out], dtype=np.bool_)


def _dates(values: Sequence[Any], csv: bool) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Day numbers (NO_DATE for none) and where a value is not a date the case model takes
    (judged by the case model's own date parser, once per distinct value)."""
    judged, bad = _by_value(values, lambda v: day_number(_to_date(v)))
    days = np.array([NO_DATE if x is None or x is _BAD else x for x in judged], dtype=_I64)
    return days, bad


def _codes(
    values: Sequence[Any], categories: tuple[str, ...], judge: Callable[[Any], Any] | None = None
) -> tuple[Categorical, npt.NDArray[np.bool_]]:
    """Codes into ``categories`` (``judge`` first normalises a value, as the case model does)."""
    index = {c: i for i, c in enumerate(categories)}

    def code(v: Any) -> int:
        word = judge(v) if judge is not None else v
        if not isinstance(word, str) or word not in index:
            raise ValueError(word)
        return index[word]

    judged, bad = _by_value(values, code)
    codes = np.array([-1 if x is None or x is _BAD else x for x in judged], dtype=np.int16)
    return Categorical(codes, categories), bad


def _flags(values: Sequence[Any], csv: bool) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    n = len(values)
    out = np.zeros(n, dtype=np.bool_)
    bad = np.zeros(n, dtype=np.bool_)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool):
            out[i] = v
        elif csv and isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
            out[i] = v.strip().lower() in _TRUE
        else:
            bad[i] = True
    return out, bad


def _category(
    values: Sequence[Any], csv: bool, parquet: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    n = len(values)
    out = np.zeros(n, dtype=_I64)
    bad = np.zeros(n, dtype=np.bool_)
    for i, v in enumerate(values):
        if v is None or (parquet and isinstance(v, float) and v != v):
            continue
        if csv and isinstance(v, str) and v.strip() in ("1", "2", "3") and v == v.strip():
            out[i] = int(v)
        elif type(v) is int and v in (1, 2, 3):
            out[i] = v
        elif parquet and isinstance(v, float) and v in (1.0, 2.0, 3.0):
            out[i] = int(v)
        else:
            bad[i] = True
    return out, bad


# --- events and interruptions (plain checks of each item) ---------------------------------------


def _date(value: Any, csv: bool) -> int:
    if isinstance(value, str) and _ISO.fullmatch(value):
        try:
            return day_number(dt.date(int(value[:4]), int(value[5:7]), int(value[8:])))
        except ValueError:
            raise _InvalidError from None
    if not csv and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return day_number(value)
    raise _InvalidError


def _items(value: Any, csv: bool) -> list[Any]:
    if value is None:
        return []
    structs = not isinstance(value, str)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _InvalidError from None
    if not isinstance(value, list | tuple):
        raise _InvalidError
    if not structs:
        return list(value)
    # A struct read from Parquet has every field of the column; an event has only its own.
    return [
        ({k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item)
        for item in value
    ]


def _event(item: Any, csv: bool) -> tuple[Any, ...]:
    """``(kind, day, actor, start, end, given, type, ground, keeps)`` of a valid event."""
    if not isinstance(item, dict):
        raise _InvalidError
    kind = item.get("kind")

    def only(*names: str) -> None:
        if not set(item) <= {"kind", *names}:
            raise _InvalidError

    def enum(
        name: str, values: Sequence[str] | frozenset[str], default: str | None = None, nullable: bool = True
    ) -> str | None:
        if name in item and item[name] is None and not nullable:
            raise _InvalidError
        v = item.get(name, default)
        if v is None or (isinstance(v, str) and v in values):
            return v
        raise _InvalidError

    if kind in _STEP_KINDS:
        only("on", "actor", "form", "note")
        on = _date(item.get("on"), csv)
        enum("form", _FORMS)
        if item.get("note") is not None and not isinstance(item["note"], str):
            raise _InvalidError
        return (kind, on, enum("actor", ACTORS), NO_DATE, NO_DATE, NO_DATE, None, None, False)
    if kind == "offer":
        only("type", "start", "end", "given_on", "actor")
        start, end = _date(item.get("start"), csv), _date(item.get("end"), csv)
        given = _date(item["given_on"], csv) if item.get("given_on") is not None else NO_DATE
        if end < start or (given != NO_DATE and given > start) or item.get("type") not in OFFER_TYPES:
            raise _InvalidError
        actor = enum("actor", ACTORS, "jobcenter", nullable=False)
        return (
            "offer",
            given if given != NO_DATE else start,
            actor,
            start,
            end,
            given,
            item["type"],
            None,
            False,
        )
    if kind in ("interview_requested", "early_followup_requested"):
        if kind == "interview_requested":
            only("on", "actor")
            actor = enum("actor", ACTORS)
        else:
            only("on", "by")
            enum("by", ("employer", "citizen"), "citizen", nullable=False)
            actor = None
        return (kind, _date(item.get("on"), csv), actor, NO_DATE, NO_DATE, NO_DATE, None, None, False)
    if kind == "exemption_ground":
        only("ground", "start", "end", "jobcenter_keeps_duties", "documented_start_on")
        start, end = _date(item.get("start"), csv), _date(item.get("end"), csv)
        if item.get("documented_start_on") is not None:
            _date(item["documented_start_on"], csv)
        keeps = item.get("jobcenter_keeps_duties", False)  # null is not a bool: invalid below
        if end < start or item.get("ground") not in GROUNDS or not isinstance(keeps, bool):
            raise _InvalidError
        return ("exemption_ground", start, None, start, end, NO_DATE, None, item["ground"], keeps)
    raise _InvalidError


# --- the reader ----------------------------------------------------------------------------------


def read_case_columns(path: str | Path, *, row_groups: Sequence[int] | None = None) -> CaseColumns:
    """The cases of a JSON, JSON Lines, CSV or Parquet file as columns (chosen by the suffix).

    ``row_groups`` reads only those row groups of a Parquet file (a Dask partition): its rows,
    in order; an error still names the row in the whole file.

    Raises:
        CaseError: the file cannot be read, or a case is invalid: the same error, naming the file,
            the row (or line), the case id and the field, as
            :func:`regimes.diff.population.read_cases_file` raises.
    """
    target = Path(path)
    kind = _format_of(target)
    try:
        columns = _columns(target, kind, row_groups)
    except _InvalidError:
        columns = None
    if columns is None:
        # The per-case reader names the first invalid row; if it finds none, its cases are used.
        from regimes.diff.population import read_cases_file

        every = columns_from_cases(read_cases_file(target))
        if row_groups is None:
            return every
        return every.take(_row_positions(target, row_groups))
    if columns.n == 0:
        raise CaseError(f"{target}: no cases found")
    if row_groups is None:
        from regimes.inputs import remember_digest

        remember_digest(path)  # the receipt names the file read
    return columns


def parquet_row_groups(path: str | Path) -> list[int]:
    """Rows per row group of a Parquet file (for partitioning it)."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]


def _row_positions(path: Path, row_groups: Sequence[int]) -> npt.NDArray[np.int64]:
    sizes = parquet_row_groups(path)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    return np.concatenate(
        [np.arange(starts[g], starts[g + 1], dtype=_I64) for g in row_groups] or [np.zeros(0, dtype=_I64)]
    )


def _columns(path: Path, kind: str, row_groups: Sequence[int] | None = None) -> CaseColumns | None:
    """The tables, or ``None`` when some row fails a check."""
    raw = _raw_columns(path, kind, row_groups)
    if any(v not in (None, "", "[]") and v != [] for v in raw.get("paid_hours", [])):
        from regimes.plan import UnsupportedPlanError

        msg = f"{path}: cases give paid_hours, which the columnar tables do not carry yet"
        raise UnsupportedPlanError(msg)
    csv = kind == "csv"
    n = len(next(iter(raw.values()))) if raw else 0
    if n == 0:
        return None
    bad = np.zeros(n, dtype=np.bool_)
    for name, values in raw.items():
        if name not in _FIELDS:
            bad |= np.array([v is not None for v in values], dtype=np.bool_)
    empty: list[Any] = [None] * n
    ids = raw.get("id", empty)
    bad |= np.array([not (isinstance(v, str) and v.strip()) for v in ids], dtype=np.bool_)
    birth, b = _dates(raw.get("birth_date", empty), csv)
    bad |= b | (birth == NO_DATE)
    municipality, b = _codes(raw.get("municipality", empty), MUNICIPALITY_CODES, _kommunekode)
    bad |= b | (municipality.codes < 0)
    group, b = _codes(raw.get("group", empty), GROUPS)
    bad |= b | (group.codes < 0)
    clocks: dict[str, npt.NDArray[np.int64]] = {}
    for name in CLOCKS:
        clocks[name], b = _dates(raw.get(name, empty), csv)
        bad |= b | ((clocks[name] != NO_DATE) & (clocks[name] <= birth))
    flags: dict[str, npt.NDArray[np.bool_]] = {}
    for name in FLAGS:
        flags[name], b = _flags(raw.get(name, empty), csv)
        bad |= b
    for name in OPTIONAL_FLAGS:  # left out: derived (``jobcenter_course_from_day_one``)
        values = raw.get(name, empty)
        flags[name], b = _flags(values, csv)
        flags[f"{name}{GIVEN}"] = np.array(
            [v is not None and not (csv and v == "") for v in values], dtype=np.bool_
        ) & ~b
        bad |= b
    category, b = _category(raw.get("visitation_category", empty), csv, kind == "parquet")
    sick = group.codes == GROUPS.index("sygedagpenge")
    bad |= b | ((category > 0) & ~sick)
    # The group's § 9 clock (or period_start); the effective period start.
    effective = clocks["period_start"].copy()
    for g, clock in _PERIOD_DEFAULT.items():
        members = group.codes == GROUPS.index(g)
        has_default = clocks[clock] != NO_DATE
        if g == "sygedagpenge":
            bad |= members & ~has_default
            effective = np.where(members & (effective == NO_DATE), clocks[clock], effective)
        else:
            bad |= members & ~has_default & (clocks["period_start"] == NO_DATE)
            effective = np.where(members & (effective == NO_DATE), clocks[clock], effective)
    others = ~np.isin(group.codes, [GROUPS.index(g) for g in _PERIOD_DEFAULT])
    bad |= others & (clocks["period_start"] == NO_DATE)
    if bad.any():
        return None
    clocks["period_start"] = effective
    events: list[tuple[Any, ...]] = []
    for i, value in enumerate(raw.get("events", empty)):
        for seq, item in enumerate(_items(value, csv)):
            events.append((i, seq, *_event(item, csv)))
    intervals: list[tuple[int, int, int]] = []
    for i, value in enumerate(raw.get("interruptions", empty)):
        for item in _items(value, csv):
            if not isinstance(item, dict) or set(item) != {"start", "end"}:
                raise _InvalidError
            start, end = _date(item["start"], csv), _date(item["end"], csv)
            if end < start:
                raise _InvalidError
            intervals.append((i, start, end))
    events.sort(key=lambda e: (e[0], e[3], e[1]))
    return CaseColumns(
        ids=np.array(ids, dtype=object),
        birth=birth,
        municipality=municipality,
        group=group,
        clocks=clocks,
        flags=flags,
        visitation_category=category,
        events=_event_table(events),
        intervals=IntervalTable(
            np.array([r[0] for r in intervals], dtype=_I64),
            np.array([r[1] for r in intervals], dtype=_I64),
            np.array([r[2] for r in intervals], dtype=_I64),
        ),
    )


def _event_table(rows: list[tuple[Any, ...]]) -> EventTable:
    m = len(rows)

    def ints(k: int) -> npt.NDArray[np.int64]:
        return np.fromiter((r[k] for r in rows), dtype=_I64, count=m)

    def words(k: int, categories: tuple[str, ...]) -> Categorical:
        index = {c: i for i, c in enumerate(categories)}
        return Categorical(
            np.fromiter((index[r[k]] if r[k] is not None else -1 for r in rows), dtype=np.int16, count=m),
            categories,
        )

    return EventTable(
        case=ints(0),
        day=ints(3),
        kind=words(2, EVENT_KINDS),
        actor=words(4, ACTORS),
        start=ints(5),
        end=ints(6),
        given=ints(7),
        offer_type=words(8, OFFER_TYPES),
        ground=words(9, GROUNDS),
        keeps=np.fromiter((r[10] for r in rows), dtype=np.bool_, count=m),
    )
