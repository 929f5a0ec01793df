"""Population parameters as data: group sizes, spell lengths, flags and behaviour, each with its source.

Why a data file: an analyst must be able to see, cite and replace every number that turns a rule
into a national total. ``src/regimes/data/population.yaml`` holds them; each number is a
:class:`Figure` with a ``source`` (a key of the file's ``sources``: publisher, title, URL, what it
says) or an ``assumption`` (why the number was chosen), and ``derived`` when it was computed from
published numbers. ``--population-params FILE`` lays a file of the same shape over the bundled one:
give only what you change.

    >>> params = load_params()
    >>> params.groups[TargetGroup.DAGPENGE].inflow.kind
    'derived'
    >>> params.groups[TargetGroup.LEDIGHEDSYDELSE].stock.kind
    'assumption'
    >>> try:
    ...     load_params({"groups": {"dagpenge": {"stock": {"value": -1}}}})
    ... except ParamsError as exc:
    ...     print(exc)
    parameters given: groups.dagpenge.stock.value: must be 0 or more (got -1)

A bad value is a :class:`ParamsError` that names the file, the line where it can, and the field.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from regimes.errors import RegimesError
from regimes.municipalities import MUNICIPALITIES
from regimes.vocabulary import TargetGroup

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BUNDLED",
    "FLAGS",
    "Ages",
    "Behaviour",
    "Drawn",
    "Figure",
    "GroupParams",
    "Municipalities",
    "ParamsError",
    "PopulationParams",
    "Share",
    "Source",
    "Survival",
    "load_params",
]

BUNDLED: Final = "regimes/data/population.yaml"
"""How the bundled parameter file is named in messages and reports."""

FLAGS: Final = frozenset(
    {
        "part_time_insured",
        "has_vocational_education",
        "employed",
        "expects_under_26_weeks",
        "sickness_light_track",
        "visitation_category_2",
    }
)
"""Flag names a group may set: the share of its cases with the flag. A flag the case model does not
(yet) have is drawn but not set on cases, and ``describe`` says so."""

FigureKind = Literal["source", "derived", "assumption"]


class ParamsError(RegimesError, ValueError):
    """A parameter file is invalid: names the file, the line where known, and the field."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Provenance(_Model):
    """Where a number comes from: a source key, how it was derived, or why it was assumed."""

    source: str | None = None
    derived: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _has_provenance(self) -> _Provenance:
        if not self.source and not self.assumption:
            msg = "needs a 'source' (a key of sources) or an 'assumption' (why the number was chosen)"
            raise ValueError(msg)
        if self.derived and not self.source:
            raise ValueError("'derived' says how a number follows from a 'source': give the source")
        return self

    @property
    def kind(self) -> FigureKind:
        """``source`` (read as published), ``derived`` (computed from published numbers) or ``assumption``."""
        if self.source and self.derived:
            return "derived"
        if self.source:
            return "source"
        return "assumption"


def _number(value: float, what: str = "0 or more") -> float:
    if not math.isfinite(value) or value < 0:
        msg = f"must be {what} (got {value:g})"
        raise ValueError(msg)
    return value


class Figure(_Provenance):
    """A number, the range the ensemble draws it from, and its provenance."""

    value: float
    range: tuple[float, float] | None = None

    @field_validator("value")
    @classmethod
    def _value(cls, value: float) -> float:
        return _number(value)

    @model_validator(mode="after")
    def _in_range(self) -> Figure:
        if self.range is not None:
            low, high = self.range
            _number(low)
            _number(high)
            if not low <= self.value <= high:
                msg = f"range [{low:g}, {high:g}] must hold the value {self.value:g}"
                raise ValueError(msg)
        return self

    @property
    def low(self) -> float:
        return self.range[0] if self.range else self.value

    @property
    def high(self) -> float:
        return self.range[1] if self.range else self.value

    def draw(self, rng: np.random.Generator | None) -> float:
        """The value (``rng`` None) or a uniform draw from the range."""
        if rng is None or self.range is None:
            return self.value
        return float(rng.uniform(self.low, self.high))


class Share(Figure):
    """A :class:`Figure` that is a share (0 to 1)."""

    @field_validator("value")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 <= value <= 1:
            msg = f"must be a share from 0 to 1 (got {value:g})"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _share_range(self) -> Share:
        if self.range is not None and self.range[1] > 1:
            msg = f"range [{self.range[0]:g}, {self.range[1]:g}] must lie within 0 to 1"
            raise ValueError(msg)
        return self


class Survival(_Provenance):
    """Spell length: the share of new spells still running after so many months.

    ``points`` are ``[months, share]``, starting at ``[0, 1]``, months increasing, shares not
    increasing, the last share 0 (every spell ends). Between points the share falls linearly.
    """

    points: tuple[tuple[float, float], ...] = Field(min_length=2)

    @field_validator("points")
    @classmethod
    def _points(cls, points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        if points[0] != (0.0, 1.0):
            raise ValueError(f"must start at [0, 1] (got {list(points[0])})")
        for (m0, s0), (m1, s1) in itertools.pairwise(points):
            if not (math.isfinite(m1) and m1 > m0):
                raise ValueError(f"months must increase (got {m0:g} then {m1:g})")
            if not (0 <= s1 <= s0):
                raise ValueError(f"shares must not increase and stay in 0..1 (got {s0:g} then {s1:g})")
        if points[-1][1] != 0:
            raise ValueError(f"the last share must be 0: every spell ends (got {points[-1][1]:g})")
        return points

    @property
    def months(self) -> tuple[float, ...]:
        return tuple(p[0] for p in self.points)

    @property
    def shares(self) -> tuple[float, ...]:
        return tuple(p[1] for p in self.points)

    def mean_months(self) -> float:
        """Mean spell length in months (the area under the survival curve)."""
        return sum((m1 - m0) * (s0 + s1) / 2 for (m0, s0), (m1, s1) in itertools.pairwise(self.points))

    def survival(self, months: float) -> float:
        """The share of spells still running after ``months`` (linear between points)."""
        if months <= 0:
            return 1.0
        for (m0, s0), (m1, s1) in itertools.pairwise(self.points):
            if months <= m1:
                return s0 + (s1 - s0) * (months - m0) / (m1 - m0)
        return 0.0


class Source(_Model):
    """A publication a figure rests on."""

    title: str
    url: str
    says: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL (got {url!r})")
        return url


class Ages(_Provenance):
    """The ages (completed years) of a group's cases, drawn uniformly from ``range``."""

    range: tuple[int, int]

    @model_validator(mode="after")
    def _ordered(self) -> Ages:
        low, high = self.range
        if not 15 <= low <= high <= 80:
            raise ValueError(f"range must be ages 15 ≤ low ≤ high ≤ 80 (got [{low}, {high}])")
        return self


class GroupParams(_Model):
    """One target group: persons on 1 January, new spells in the year, spell lengths, ages, flags."""

    stock: Figure
    inflow: Figure
    spell_months: Survival
    ages: Ages | None = None
    flags: dict[str, Share] = {}

    @field_validator("flags")
    @classmethod
    def _flags(cls, flags: dict[str, Share]) -> dict[str, Share]:
        unknown = sorted(set(flags) - FLAGS)
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a known flag (one of {', '.join(sorted(FLAGS))})")
        return flags


class Behaviour(_Model):
    """What is done of what is required."""

    interviews_held_per_required: Figure
    offers_taken: Share


class Municipalities(_Provenance):
    """The CSV of municipal weights (relative, per group or ``all``)."""

    file: str


class PopulationParams(_Model):
    """The whole parameter file, validated."""

    label: str
    basis_year: int
    sources: dict[str, Source]
    groups: dict[TargetGroup, GroupParams]
    behaviour: Behaviour
    municipalities: Municipalities

    @model_validator(mode="after")
    def _sources_exist(self) -> PopulationParams:
        for path, prov in self.provenances():
            if prov.source and prov.source not in self.sources:
                known = ", ".join(sorted(self.sources))
                msg = f"{path}.source: '{prov.source}' is not a key of sources ({known})"
                raise ValueError(msg)
        return self

    def provenances(self) -> list[tuple[str, _Provenance]]:
        """Every number with its dotted path, in file order (for checks and ``describe``)."""
        out: list[tuple[str, _Provenance]] = []
        for group, g in self.groups.items():
            base = f"groups.{group.value}"
            out += [(f"{base}.stock", g.stock), (f"{base}.inflow", g.inflow)]
            out.append((f"{base}.spell_months", g.spell_months))
            if g.ages is not None:
                out.append((f"{base}.ages", g.ages))
            out += [(f"{base}.flags.{name}", flag) for name, flag in g.flags.items()]
        out += [
            ("behaviour.interviews_held_per_required", self.behaviour.interviews_held_per_required),
            ("behaviour.offers_taken", self.behaviour.offers_taken),
            ("municipalities", self.municipalities),
        ]
        return out


@dataclass(frozen=True)
class Drawn:
    """One draw of the parameters: the numbers a run of the ensemble uses."""

    stock: Mapping[TargetGroup, float]
    inflow: Mapping[TargetGroup, float]
    flags: Mapping[TargetGroup, Mapping[str, float]]
    interviews_held_per_required: float
    offers_taken: float


def draw(params: PopulationParams, rng: np.random.Generator | None) -> Drawn:
    """The central values (``rng`` None) or one uniform draw of every ranged figure."""
    return Drawn(
        stock={g: p.stock.draw(rng) for g, p in params.groups.items()},
        inflow={g: p.inflow.draw(rng) for g, p in params.groups.items()},
        flags={g: {n: f.draw(rng) for n, f in p.flags.items()} for g, p in params.groups.items()},
        interviews_held_per_required=params.behaviour.interviews_held_per_required.draw(rng),
        offers_taken=params.behaviour.offers_taken.draw(rng),
    )


# --------------------------------------------------------------------------------------------
# Loading, merging, naming errors
# --------------------------------------------------------------------------------------------


def _load_yaml(text: str, where: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="rt").load(text)
    except (YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ParamsError(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})", file=where, line=line
        ) from None


def _merge(base: Any, over: Any) -> Any:
    """``over`` laid over ``base``: mappings merge key by key, anything else replaces.

    A figure (a mapping with ``value`` or ``points``) replaces the bundled one whole: a new number
    needs its own source or assumption, never inherits the old one's.
    """
    is_figure = isinstance(over, Mapping) and ("value" in over or "points" in over)
    if isinstance(base, Mapping) and isinstance(over, Mapping) and not is_figure:
        merged = {k: base[k] for k in base}
        for key in over:
            merged[key] = _merge(base[key], over[key]) if key in base else over[key]
        return merged
    return over


def _line_of(tree: Any, loc: tuple[Any, ...]) -> tuple[bool, int | None]:
    """Whether ``loc`` is in ``tree``, and its 1-based line where the tree knows it (ruamel round-trip)."""
    node, line = tree, None
    for key in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, Mapping) and key in node:
            if lc is not None:
                line = lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            if lc is not None:
                line = lc.item(key)[0] + 1
            node = node[key]
        else:
            return False, None
    return True, line


def _message(error: Mapping[str, Any]) -> str:
    text = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if error.get("type") == "missing":
        return "is required"
    if error.get("type") == "extra_forbidden":
        return "is not a known key"
    got = error.get("input")
    if error.get("type", "").endswith(("_parsing", "_type")) and not isinstance(got, Mapping | list):
        text = f"{text} (got {got!r})"
    return text


def _validate(data: Any, files: list[tuple[str, Any]]) -> PopulationParams:
    try:
        return PopulationParams.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        message = _message(first)
        if loc == () and message.startswith(("groups.", "behaviour.", "municipalities")):
            named, _, message = message.partition(": ")
            loc = tuple(int(p) if p.isdigit() else p for p in named.split("."))
        # The last file that holds the field is the one to blame (an override before the bundle).
        where, line = files[-1][0], None
        for name, tree in reversed(files):
            found, at = _line_of(tree, loc)
            if found:
                where, line = name, at
                break
        dotted = ".".join(str(p) for p in loc) or None
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ParamsError(message, file=where, line=line, field=dotted) from None


def _bundled_text() -> str:
    return (resources.files("regimes") / "data" / "population.yaml").read_text(encoding="utf-8")


def load_params(
    override: str | Path | Mapping[str, Any] | PopulationParams | None = None,
) -> PopulationParams:
    """The bundled parameters, optionally with a file (or a mapping) of the same shape laid over them.

    Raises:
        ParamsError: a file is missing, not YAML, or holds an invalid value; the message names the
            file, the line and the field.
    """
    if isinstance(override, PopulationParams):
        return override
    bundled = _load_yaml(_bundled_text(), BUNDLED)
    files: list[tuple[str, Any]] = [(BUNDLED, bundled)]
    data: Any = bundled
    if override is not None:
        if isinstance(override, Mapping):
            over: Any = override
            files.append(("parameters given", over))
        else:
            path = Path(override)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ParamsError(f"cannot read ({exc.strerror or exc})", file=str(path)) from None
            over = _load_yaml(text, str(path))
            if not isinstance(over, Mapping):
                raise ParamsError("must be a mapping like the bundled population.yaml", file=str(path))
            files.append((str(path), over))
        data = _merge(bundled, over)
    return _validate(data, files)


# --------------------------------------------------------------------------------------------
# Municipal weights
# --------------------------------------------------------------------------------------------


def municipal_weights(
    params: PopulationParams, directory: str | Path | None = None
) -> dict[TargetGroup, np.ndarray[Any, np.dtype[np.float64]]]:
    """Each group's relative weight per municipality, in :data:`MUNICIPALITIES` order, summing to 1.

    The file is read from the package data, or from ``directory`` (where an override file lives)
    when it is a path there.

    Raises:
        ParamsError: the CSV is missing, has an unknown code or column, or a negative or empty weight.
    """
    name = params.municipalities.file
    candidate = Path(directory) / name if directory is not None else None
    if candidate is not None and candidate.exists():
        where, text = str(candidate), candidate.read_text(encoding="utf-8-sig")
    else:
        where = f"regimes/data/{name}"
        try:
            text = (resources.files("regimes") / "data" / name).read_text(encoding="utf-8")
        except (OSError, ValueError):
            raise ParamsError("no such file", file=where, field="municipalities.file") from None
    import numpy as np

    reader = csv.DictReader(io.StringIO(text))
    columns = [c for c in (reader.fieldnames or []) if c != "code"]
    if "code" not in (reader.fieldnames or []) or not columns:
        raise ParamsError("needs a 'code' column and one column per group (or 'all')", file=where, line=1)
    groups = {g.value for g in TargetGroup}
    for column in columns:
        if column != "all" and column not in groups:
            msg = f"column '{column}' is not a target group or 'all'"
            raise ParamsError(msg, file=where, line=1)
    index = {code: i for i, code in enumerate(MUNICIPALITIES)}
    table = {c: np.zeros(len(index)) for c in columns}
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if code not in index:
            raise ParamsError(f"'{code}' is not a kommunekode", file=where, line=line, field="code")
        for column in columns:
            cell = (row.get(column) or "").strip()
            try:
                value = float(cell) if cell else 0.0
            except ValueError:
                value = -1.0
            if value < 0 or not math.isfinite(value):
                msg = f"must be a weight, 0 or more (got {cell!r})"
                raise ParamsError(msg, file=where, line=line, field=column)
            table[column][index[code]] = value
    out: dict[TargetGroup, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for group in TargetGroup:
        weights = table.get(group.value, table.get("all"))
        if weights is None:
            weights = np.ones(len(index))
        total = float(weights.sum())
        if total <= 0:
            raise ParamsError(f"the weights of {group.value} are all 0", file=where)
        out[group] = weights / total
    return out
