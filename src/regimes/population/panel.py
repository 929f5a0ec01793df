"""A weekly person-by-benefit register panel (DREAM format) turned into cases and spells.

Why: the figures an analyst actually holds are register extracts in the DREAM layout (the
ministry's weekly register of public transfer payments: one row per person, one benefit code per
week). This module reads such a panel and, through an editable mapping from benefit codes to the
product's target groups, cuts each person's weeks into **spells**: runs of consecutive weeks whose
codes map to the same group. Each spell becomes a validated :class:`~regimes.Case` (its group's
clock set to the spell's first day) and a :class:`~regimes.population.flows.Spell` (weight 1) that
:func:`regimes.population.national.impact_of_spells` counts in a calendar year.

Formats (``docs/population.md``, "Register panels"):

- **wide** CSV or Parquet: columns ``person_id, municipality, birth_date`` and one column per ISO
  week named ``y_YYYY_wWW`` (``y_2026_w01``), each cell a benefit code or empty (no benefit).
- **long** CSV or Parquet: columns ``person_id, municipality, birth_date, year, week, code``.

The mapping (YAML, ``data/dream-mapping.yaml`` is an example) lists per target group the codes
that count as that group (``"111"`` or a range ``"111-115"``); a code not listed, or an empty
week, is *not in a target group* and ends a spell. ``join_gap_weeks: k`` joins two spells of the
same group separated by at most ``k`` such weeks. A spell is a week-run: it starts on the Monday of
its first week and ends on the Sunday of its last. Spells touching the panel's first or last week
are flagged ``censored_start`` / ``censored_end``: their true start or end lies outside the panel.

    >>> mapping = load_mapping()
    >>> sorted(mapping.codes)[:2]
    ['111', '112']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from regimes.errors import CaseError, RegimesError
from regimes.population.flows import Spell, case_for
from regimes.vocabulary import TargetGroup

__all__ = [
    "CodeMapping",
    "PanelError",
    "PanelSpell",
    "load_mapping",
    "panel_spells",
    "read_panel",
    "to_spells",
]

WEEK_COLUMN: Final = re.compile(r"^y_(\d{4})_w(\d{2})$")
"""A wide panel's week column: ``y_YYYY_wWW`` (ISO year and week)."""
ID_COLUMNS: Final = ("person_id", "municipality", "birth_date")
LONG_COLUMNS: Final = (*ID_COLUMNS, "year", "week", "code")
_RANGE: Final = re.compile(r"^(\d+)-(\d+)$")


class PanelError(RegimesError, ValueError):
    """A panel or a mapping file is invalid: names the file, the line (row) where known, and the column."""

    def __init__(
        self, message: str, *, file: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        column = f"{self.column}: " if self.column else ""
        return f"{where}: {column}{self.message}"


# --------------------------------------------------------------------------------------------
# The mapping from benefit codes to target groups
# --------------------------------------------------------------------------------------------


class _GroupCodes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    codes: tuple[str, ...]
    note: str = ""

    @field_validator("codes", mode="before")
    @classmethod
    def _as_strings(cls, codes: Any) -> Any:
        if isinstance(codes, list | tuple):
            return tuple(str(c) for c in codes)
        return codes


class _MappingFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    source: str | None = None
    assumption: str | None = None
    join_gap_weeks: int = 0
    groups: dict[TargetGroup, _GroupCodes]


@dataclass(frozen=True)
class CodeMapping:
    """Benefit code → target group, with where the mapping comes from."""

    codes: Mapping[str, TargetGroup]
    join_gap_weeks: int
    label: str
    source: str | None
    assumption: str | None
    file: str


def _expand(code: str, where: str, field: str) -> list[str]:
    match = _RANGE.match(code)
    if match:
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise PanelError(f"range '{code}' runs backwards", file=where, column=field)
        width = len(match[1])
        return [str(c).zfill(width) for c in range(low, high + 1)]
    if not code.strip():
        raise PanelError("an empty code", file=where, column=field)
    return [code.strip()]


def load_mapping(path: str | Path | None = None) -> CodeMapping:
    """The bundled example mapping (``data/dream-mapping.yaml``) or a mapping file of the same shape.

    Raises:
        PanelError: the file is missing or invalid, or a code maps to two groups; names file and field.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if path is None:
        where = "regimes/data/dream-mapping.yaml"
        text = (resources.files("regimes") / "data" / "dream-mapping.yaml").read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PanelError(f"cannot read ({exc.strerror or exc})", file=where) from None
    try:
        data = YAML(typ="safe").load(text)
    except (YAMLError, ValueError) as exc:
        raise PanelError(f"not valid YAML ({exc})", file=where) from None
    try:
        parsed = _MappingFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise PanelError(str(first["msg"]).removeprefix("Value error, "), file=where, column=field) from None
    if not parsed.source and not parsed.assumption:
        raise PanelError("needs a 'source' or an 'assumption' (where the codes come from)", file=where)
    if parsed.join_gap_weeks < 0:
        raise PanelError("must be 0 or more", file=where, column="join_gap_weeks")
    codes: dict[str, TargetGroup] = {}
    for group, entry in parsed.groups.items():
        for given in entry.codes:
            for code in _expand(given, where, f"groups.{group.value}.codes"):
                if code in codes and codes[code] is not group:
                    msg = f"code '{code}' maps to both {codes[code].value} and {group.value}"
                    raise PanelError(msg, file=where, column=f"groups.{group.value}.codes")
                codes[code] = group
    return CodeMapping(
        codes=codes,
        join_gap_weeks=parsed.join_gap_weeks,
        label=parsed.label,
        source=parsed.source,
        assumption=parsed.assumption,
        file=where,
    )


# --------------------------------------------------------------------------------------------
# Reading a panel
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    person_id: str
    municipality: str
    birth_date: dt.date
    line: int
    weeks: dict[dt.date, str]  # Monday of the ISO week → code ('' = none)


def _monday(year: int, week: int, where: str, line: int | None, column: str) -> dt.date:
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PanelError(f"{year} has no ISO week {week}", file=where, line=line, column=column) from None


def _person(raw: Mapping[str, Any], where: str, line: int) -> tuple[str, str, dt.date]:
    person = str(raw.get("person_id") or "").strip()
    if not person:
        raise PanelError("must not be empty", file=where, line=line, column="person_id")
    municipality = str(raw.get("municipality") or "").strip()
    from regimes.municipalities import is_municipality

    if not is_municipality(municipality):
        msg = f"'{municipality}' is not a kommunekode (three digits, e.g. 101)"
        raise PanelError(msg, file=where, line=line, column="municipality")
    born = raw.get("birth_date")
    if isinstance(born, dt.date):
        return person, municipality, born
    try:
        return person, municipality, dt.date.fromisoformat(str(born or "").strip())
    except ValueError:
        msg = f"must be a date YYYY-MM-DD (got {born!r})"
        raise PanelError(msg, file=where, line=line, column="birth_date") from None


def _code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if value != value else str(int(value))  # NaN from a data frame
    return str(value).strip()


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and rows (with their line numbers) of a CSV or Parquet panel."""
    where = str(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        if not path.exists():
            raise PanelError("no such file", file=where)
        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises its own tree
            raise PanelError(f"cannot read as Parquet ({exc})", file=where) from None
        return list(table.column_names), [(n + 1, row) for n, row in enumerate(table.to_pylist())]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PanelError(f"cannot read ({exc.strerror or exc})", file=where) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    rows = []
    for row in reader:
        if None in row:
            raise PanelError("more cells than header columns", file=where, line=reader.line_num)
        rows.append((reader.line_num, dict(row)))
    return header, rows


def read_panel(path: str | Path) -> list[_Person]:
    """The persons of a wide or long panel (chosen by its columns), each with their weeks.

    Raises:
        PanelError: a column is missing or misnamed, or a cell is invalid; names the file, the line
            (the row for Parquet) and the column.
    """
    target = Path(path)
    where = str(target)
    header, rows = _rows(target)
    missing = [c for c in ID_COLUMNS if c not in header]
    if missing:
        msg = f"missing column '{missing[0]}' (a panel has {', '.join(ID_COLUMNS)} and week columns)"
        raise PanelError(msg, file=where, line=1)
    persons: dict[str, _Person] = {}
    if set(LONG_COLUMNS) <= set(header):
        for line, raw in rows:
            person, municipality, born = _person(raw, where, line)
            try:
                year, week = int(str(raw["year"]).strip()), int(str(raw["week"]).strip())
            except ValueError:
                raise PanelError("year and week must be whole numbers", file=where, line=line) from None
            monday = _monday(year, week, where, line, "week")
            entry = persons.setdefault(person, _Person(person, municipality, born, line, {}))
            if monday in entry.weeks:
                raise PanelError(f"week {year}-W{week:02d} given twice", file=where, line=line, column="week")
            entry.weeks[monday] = _code(raw["code"])
        return list(persons.values())
    weeks: list[tuple[str, dt.date]] = []
    for column in header:
        if column in ID_COLUMNS:
            continue
        match = WEEK_COLUMN.match(column)
        if not match:
            msg = f"column '{column}' is neither {', '.join(ID_COLUMNS)} nor a week y_YYYY_wWW"
            raise PanelError(msg, file=where, line=1, column=column)
        weeks.append((column, _monday(int(match[1]), int(match[2]), where, 1, column)))
    if not weeks:
        raise PanelError("no week columns (y_YYYY_wWW) and no long-form year, week, code", file=where, line=1)
    for line, raw in rows:
        person, municipality, born = _person(raw, where, line)
        if person in persons:
            raise PanelError(f"person '{person}' has two rows", file=where, line=line, column="person_id")
        persons[person] = _Person(person, municipality, born, line, {m: _code(raw[c]) for c, m in weeks})
    return list(persons.values())


# --------------------------------------------------------------------------------------------
# Weeks into spells
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSpell:
    """A run of weeks of one person in one target group."""

    person_id: str
    municipality: str
    birth_date: dt.date
    group: TargetGroup
    start: dt.date
    end: dt.date
    weeks: int
    codes: tuple[str, ...]
    censored_start: bool
    censored_end: bool


def _runs(
    weeks: Sequence[tuple[dt.date, TargetGroup | None, str]], gap: int
) -> list[tuple[TargetGroup, list[tuple[dt.date, str]]]]:
    """Runs of consecutive weeks in one group; two runs of a group with ≤ ``gap`` weeks between join.

    >>> w = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(5)]
    >>> D = TargetGroup.DAGPENGE
    >>> [(g.value, len(r)) for g, r in _runs([(w[0], D, "a"), (w[1], D, "a"), (w[2], None, ""),
    ...     (w[3], D, "a"), (w[4], D, "a")], gap=0)]
    [('dagpenge', 2), ('dagpenge', 2)]
    >>> [(g.value, len(r)) for g, r in _runs([(w[0], D, "a"), (w[1], D, "a"), (w[2], None, ""),
    ...     (w[3], D, "a"), (w[4], D, "a")], gap=1)]
    [('dagpenge', 5)]
    """
    runs: list[tuple[TargetGroup, list[tuple[dt.date, str]]]] = []
    for monday, group, code in weeks:
        if group is None:
            continue
        if runs:
            last_group, last_run = runs[-1]
            apart = (monday - last_run[-1][0]).days // 7 - 1  # weeks between, outside any group here
            if last_group is group and apart == 0:
                last_run.append((monday, code))
                continue
        runs.append((group, [(monday, code)]))
    joined: list[tuple[TargetGroup, list[tuple[dt.date, str]]]] = []
    for group, run in runs:
        if joined and joined[-1][0] is group:
            apart = (run[0][0] - joined[-1][1][-1][0]).days // 7 - 1
            between = [w for w, g, _ in weeks if joined[-1][1][-1][0] < w < run[0][0] and g is not None]
            if apart <= gap and not between:
                previous = joined[-1][1][-1][0]
                filler = [(previous + dt.timedelta(weeks=k), "") for k in range(1, apart + 1)]
                joined[-1][1].extend([*filler, *run])
                continue
        joined.append((group, list(run)))
    return joined


def panel_spells(path: str | Path, mapping: CodeMapping | str | Path | None = None) -> list[PanelSpell]:
    """The spells of a panel file, in the order of its persons and then of time."""
    codes = mapping if isinstance(mapping, CodeMapping) else load_mapping(mapping)
    persons = read_panel(path)
    every_week = sorted({m for p in persons for m in p.weeks})
    if not every_week:
        return []
    first, last = every_week[0], every_week[-1]
    out: list[PanelSpell] = []
    for person in persons:
        ordered = sorted(person.weeks.items())
        tagged = [(m, codes.codes.get(code) if code else None, code) for m, code in ordered]
        for group, run in _runs(tagged, codes.join_gap_weeks):
            start, end = run[0][0], run[-1][0] + dt.timedelta(days=6)
            out.append(
                PanelSpell(
                    person_id=person.person_id,
                    municipality=person.municipality,
                    birth_date=person.birth_date,
                    group=group,
                    start=start,
                    end=end,
                    weeks=len(run),
                    codes=tuple(sorted({c for _, c in run if c})),
                    censored_start=run[0][0] == first,
                    censored_end=run[-1][0] == last,
                )
            )
    return out


def to_spells(spells: Sequence[PanelSpell], source: str = "panel") -> list[Spell]:
    """Validated cases and spells (weight 1) for :func:`regimes.population.national.impact_of_spells`.

    Raises:
        CaseError: a spell cannot be a valid case (e.g. the birth date is after its start); names it.
    """
    out: list[Spell] = []
    counter: dict[str, int] = {}
    for s in spells:
        counter[s.person_id] = counter.get(s.person_id, 0) + 1
        ident = f"{s.person_id}-{counter[s.person_id]}"
        try:
            case = case_for(ident, s.group, s.start, s.municipality, s.birth_date)
        except CaseError as exc:
            raise CaseError(f"{source}: person '{s.person_id}': {exc}") from None
        out.append(Spell(case=case, start=s.start, end=s.end, weight=1.0, origin="panel"))
    return out
