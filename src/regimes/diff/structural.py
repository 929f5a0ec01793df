"""The structural diff: which rules differ between two regimes, resolved through layering.

Why resolved, not textual: a regime file lists only how it deviates from its base, so comparing
files would say nothing about ``dk-lab-2024`` against ``dk-reform-2026`` beyond the reform's own
lines. Both sides are therefore compared as :func:`regimes.load_regime` builds them: the rules
that apply after repeals, replacements and amendments, with the version of each rule that an
evaluation on the diff date would use (:meth:`Regime.version_date`).

A rule's identity is its id (concepts.md, "Diff"). Between A and B a rule is

- **replaced** when A's id gives way to B's through a ``replace`` (possibly a chain across
  several layers, or two siblings that both replace one ancestor): ``by`` is B's id,
  ``citation`` the replacing layer's, ``fields`` what differs;
- **changed** when both sides have the id and a field differs (an ``amend``, another version);
- **removed** when only A has it (fully repealed, or not in B's lineage) or B repeals it
  for some cases (a ``repeal`` with ``when``: the note names the cases);
- **added** when only B has it (or A repeals it for cases B keeps it for);
- **exempted** when one side lifts it with an applied exemption the other lacks (``side``
  says which).

A rule that one side lacks because that side declares its topic ``not_modelled`` is not added
or removed: it is listed in :attr:`StructuralResult.unmodelled`, since "we did not encode it"
is not "the law has no such rule" (worked example 6). Unapplied (``unverified``) exemptions
are not changes; they are reported in :attr:`StructuralResult.notes`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from engine.compiled import All, AnyOf, Cmp, Predicate, push_not
from regimes.compile import to_predicate
from regimes.diff.model import ChangeKind, FieldChange, StructuralChange
from regimes.layer import EffectiveExemption, EffectiveRule, Regime
from regimes.ruleset.model import Condition, NotModelled, Replacement, Rule
from regimes.vocabulary import Confidence, TargetGroup

__all__ = [
    "Lineage",
    "StructuralResult",
    "changed_fields",
    "condition_text",
    "predicate_text",
    "rule_fields",
    "structural_diff",
    "value_text",
]

_ORDER: Final[Mapping[str, int]] = {"removed": 0, "replaced": 1, "changed": 2, "exempted": 3, "added": 4}
_ALL_GROUPS: Final = frozenset(TargetGroup)
#: Fields left out of "fields that differ": explanations, not rules.
_SKIPPED: Final = frozenset({"id", "note", "source"})


# --------------------------------------------------------------------------------------------
# Rendering conditions
# --------------------------------------------------------------------------------------------


def predicate_text(predicate: Predicate) -> str:
    """A compiled condition as a caseworker reads it (``period_start >= 2024-01-01``)."""
    from regimes.evaluate import render_atom

    def walk(p: Predicate, top: bool) -> str:
        if isinstance(p, Cmp):
            return render_atom(p)
        if isinstance(p, All | AnyOf):
            if not p.items:
                return "always" if isinstance(p, All) else "never"
            joiner = " and " if isinstance(p, All) else " or "
            text = joiner.join(walk(item, False) for item in p.items)
            return text if top or len(p.items) == 1 else f"({text})"
        return f"not {walk(p.item, False)}"  # pragma: no cover - push_not leaves no Not

    return walk(push_not(predicate), True)


def condition_text(condition: Condition) -> str:
    """A YAML condition in words, via its compiled form."""
    return predicate_text(to_predicate(condition))


# --------------------------------------------------------------------------------------------
# Lineage: which ids are one rule across replacements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """The replacement edges of both regimes: new id → (old id, the replacement, its regime).

    Why both: A may be the later regime (``diff(reform, lab-2020)``), and two regimes may each
    replace one ancestor differently (``dk-6byer-2011`` and ``dk-lab-2024`` both replace
    ``lab-2020.dagpenge.job-oriented-education``); the common root links them either way.
    """

    parent: Mapping[str, tuple[str, Replacement, str]]

    @classmethod
    def of(cls, *regimes: Regime) -> Lineage:
        parent: dict[str, tuple[str, Replacement, str]] = {}
        for regime in regimes:
            for rep, origin in regime.replacements:
                if rep.with_.id != rep.rule:
                    parent.setdefault(rep.with_.id, (rep.rule, rep, origin))
        return cls(parent)

    def ancestors(self, rule_id: str) -> list[str]:
        """``rule_id`` and the ids it replaced, newest first."""
        out = [rule_id]
        while out[-1] in self.parent and self.parent[out[-1]][0] not in out:
            out.append(self.parent[out[-1]][0])
        return out

    def root(self, rule_id: str) -> str:
        return self.ancestors(rule_id)[-1]

    def path(self, old: str, new: str) -> list[str]:
        """The ids from ``old`` to ``new`` through their common ancestor (both ends included)."""
        up_old, up_new = self.ancestors(old), self.ancestors(new)
        common = next((x for x in up_old if x in up_new), up_old[-1])
        down = list(reversed(up_new[: up_new.index(common)])) if common in up_new else [new]
        return [*up_old[: up_old.index(common) + 1], *down]


# --------------------------------------------------------------------------------------------
# Fields of a rule
# --------------------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str | int):  # enums
        return value.value
    return value


def rule_fields(rule: Rule) -> dict[str, Any]:
    """A rule flattened to comparable, JSON-ready fields (``actor``, ``window.deadline``, …).

    Why flat: "actor jobcenter → municipality" and "window.deadline first 6 months → 3 months"
    are what a reader of a diff wants, not two whole effect objects.
    """
    out: dict[str, Any] = {}
    for name in Rule.model_fields:
        if name in _SKIPPED or name in ("obligation", "quota", "right", "suspension"):
            continue
        value = getattr(rule, name)
        if name == "when":
            value = condition_text(value) if value is not None else None
        elif name == "groups":
            value = [str(g) for g in value] if value is not None else None
        out[name] = _json(value)
    kind = rule.effect_kind
    out["effect"] = kind
    effect = getattr(rule, kind).model_dump(mode="json", by_alias=True, exclude_none=True)
    window = effect.pop("window", None)
    for key, value in effect.items():
        if key not in _SKIPPED:
            out[key] = value
    if isinstance(window, dict):
        for key in ("anchor", "opens", "deadline", "accumulated", "deadline_confidence"):
            out[f"window.{key}"] = window.get(key)
    return out


def _field_changes(old: Rule, new: Rule) -> list[FieldChange]:
    a, b = rule_fields(old), rule_fields(new)
    changes = []
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key) != b.get(key):
            changes.append(FieldChange(field=key, old=a.get(key), new=b.get(key)))
    return changes


def value_text(value: Any) -> str:
    """A field value for a table or a note (compact JSON for structures)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --------------------------------------------------------------------------------------------
# One side of the diff
# --------------------------------------------------------------------------------------------


@dataclass
class _Side:
    """A regime seen on one date: the version of each rule id it would apply."""

    regime: Regime
    day: date
    live: dict[str, EffectiveRule] = field(default_factory=dict)
    dormant: dict[str, list[EffectiveRule]] = field(default_factory=dict)

    @classmethod
    def of(cls, regime: Regime, on: date) -> _Side:
        side = cls(regime, regime.version_date(on))
        for rule_id in regime.rule_ids():
            versions = regime.versions(rule_id)
            current = [v for v in versions if v.rule.in_force(side.day)]
            if current:
                side.live[rule_id] = current[-1]
            else:
                side.dormant[rule_id] = versions
        return side

    def applied_exemptions(self) -> list[EffectiveExemption]:
        return [e for e in self.regime.exemptions if e.applied]

    def unmodelled(self, rule: Rule) -> tuple[NotModelled | None, frozenset[TargetGroup]]:
        """The regime's ``not_modelled`` entry covering the rule's topic, and the groups it covers."""
        groups = frozenset(rule.groups) if rule.groups else _ALL_GROUPS
        for item in self.regime.header.not_modelled:
            if item.topic is not rule.topic:
                continue
            covered = groups & (frozenset(item.groups) if item.groups else _ALL_GROUPS)
            if covered:
                return item, covered
        return None, frozenset()


def _dormant_note(side: _Side, rule_id: str) -> str:
    spans = ", ".join(
        f"{v.rule.valid_from.isoformat()}–{v.rule.valid_to.isoformat() if v.rule.valid_to else 'open'}"
        for v in side.dormant[rule_id]
    )
    return f"{side.regime.id} has no version in force on {side.day.isoformat()} (valid {spans})"


def _repeal_keys(er: EffectiveRule) -> dict[str, tuple[str, str, Confidence]]:
    """A rule's conditional repeals: condition text → (citation, repealing regime, confidence)."""
    return {
        condition_text(cond): (repeal.citation, origin, repeal.confidence)
        for cond, repeal, origin in er.repealed_when
    }


def _groups_text(groups: Iterable[TargetGroup]) -> str:
    ordered = [str(g) for g in TargetGroup if g in set(groups)]
    return ", ".join(ordered)


@dataclass(frozen=True)
class StructuralResult:
    """What :func:`structural_diff` finds: the changes, the unmodelled rules, and notes."""

    changes: list[StructuralChange]
    unmodelled: list[dict[str, str]]
    notes: list[str]
    lineage: Lineage


class _Builder:
    """Collects the changes between two sides (one instance per diff)."""

    def __init__(self, a: _Side, b: _Side) -> None:
        self.a, self.b = a, b
        self.lineage = Lineage.of(b.regime, a.regime)
        self.changes: list[StructuralChange] = []
        self.unmodelled: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.extra_notes: dict[str, list[str]] = {}

    # -- pairing ----------------------------------------------------------------------------

    def pairs(self) -> tuple[list[tuple[str, str]], list[str], list[str]]:
        """Rules in both (same id, or linked by replacement), only in A, only in B."""
        a_ids, b_ids = list(self.a.live), list(self.b.live)
        same = [(i, i) for i in a_ids if i in self.b.live]
        a_only = [i for i in a_ids if i not in self.b.live]
        b_only = [i for i in b_ids if i not in self.a.live]
        linked: list[tuple[str, str]] = []
        by_root: dict[str, list[str]] = {}
        for rule_id in b_only:
            by_root.setdefault(self.lineage.root(rule_id), []).append(rule_id)
        for rule_id in list(a_only):
            candidates = by_root.get(self.lineage.root(rule_id), [])
            if candidates:
                new = candidates.pop(0)
                linked.append((rule_id, new))
                a_only.remove(rule_id)
                b_only.remove(new)
        return same + linked, a_only, b_only

    # -- kinds of change --------------------------------------------------------------------

    def add(self, rule: str, change: ChangeKind, **kwargs: Any) -> None:
        self.changes.append(StructuralChange(rule=rule, change=change, **kwargs))

    def compare(self, a_id: str, b_id: str) -> None:
        old, new = self.a.live[a_id], self.b.live[b_id]
        fields = _field_changes(old.rule, new.rule)
        repeal_notes = self.repeals(a_id, old, new, linked=a_id != b_id)
        if a_id != b_id:
            citation, note = self.replacement(a_id, b_id)
            notes = [n for n in [note, *repeal_notes] if n]
            self.add(
                a_id,
                "replaced",
                by=b_id,
                citation=citation,
                fields=fields,
                note="; ".join(notes) or None,
            )
            return
        if not fields:
            return
        citation, note = self.why_changed(old, new)
        self.add(a_id, "changed", citation=citation, fields=fields, note=note)

    def replacement(self, a_id: str, b_id: str) -> tuple[str | None, str | None]:
        """The citation of the layer that made ``b_id`` out of ``a_id``, and the chain in words."""
        path = self.lineage.path(a_id, b_id)
        chain = " → ".join(path)
        b_line = self.lineage.ancestors(b_id)
        if a_id in b_line:  # B's layers replaced A's rule (the usual direction)
            _, rep, origin = self.lineage.parent[b_id]
            note = f"replaced in {origin} ({rep.confidence.value})"
            return rep.citation, f"{chain}; {note}" if len(path) > 2 else note
        if b_id in self.lineage.ancestors(a_id):  # A is the later regime: its layer replaced B's rule
            _, rep, origin = self.lineage.parent[a_id]
            return rep.citation, f"{chain}: A's own rule replaced B's in {origin}; B keeps the earlier rule"
        if b_id in self.lineage.parent:  # siblings: both replace one ancestor
            _, rep, origin = self.lineage.parent[b_id]
            return rep.citation, f"both replace {path[len(path) // 2]}; {chain}"
        return None, chain  # pragma: no cover - pairs() links only ids of one lineage

    def why_changed(self, old: EffectiveRule, new: EffectiveRule) -> tuple[str | None, str | None]:
        """Which layer changed the rule: an amendment on one side, else another version."""
        a_amend = [x for x in old.amended if x not in new.amended]
        b_amend = [x for x in new.amended if x not in old.amended]
        if b_amend:
            citation = "; ".join(dict.fromkeys(am.citation for am, _ in b_amend))
            what = ", ".join(dict.fromkeys(f"{origin} ({am.confidence.value})" for am, origin in b_amend))
            return citation, f"amended by {what}"
        if a_amend:
            citation = "; ".join(dict.fromkeys(am.citation for am, _ in a_amend))
            what = ", ".join(dict.fromkeys(origin for _, origin in a_amend))
            return citation, f"A's layer {what} amends it; B keeps the unamended rule"
        if old.rule.valid_from != new.rule.valid_from:
            return new.rule.citation, (
                f"the versions in force on {self.a.day.isoformat()} (A) and {self.b.day.isoformat()} (B)"
            )
        return new.rule.citation, None

    def repeals(self, a_id: str, old: EffectiveRule, new: EffectiveRule, *, linked: bool) -> list[str]:
        """Conditional repeals one side has and the other lacks: "removed"/"added" for some cases.

        For a replaced rule they are folded into the replacement's note instead.
        """
        a_keys, b_keys = _repeal_keys(old), _repeal_keys(new)
        notes: list[str] = []
        for cond, (citation, origin, confidence) in b_keys.items():
            if cond in a_keys:
                continue
            note = f"repealed by {origin} for cases with {cond} ({confidence.value})"
            if linked:
                notes.append(note)
            else:
                self.add(a_id, "removed", citation=citation, note=note)
        for cond, (citation, origin, confidence) in a_keys.items():
            if cond in b_keys:
                continue
            note = f"A ({origin}) repeals it for cases with {cond} ({confidence.value}); B keeps it for them"
            if linked:
                notes.append(note)
            else:
                self.add(a_id, "added", citation=citation, note=note)
        return notes

    def one_sided(self, side: _Side, other: _Side, rule_id: str, change: ChangeKind) -> None:
        """A rule only ``side`` has: added/removed, or unmodelled where ``other`` says so."""
        er = side.live[rule_id]
        item, covered = other.unmodelled(er.rule)
        groups = frozenset(er.rule.groups) if er.rule.groups else _ALL_GROUPS
        notes: list[str] = []
        if item is not None:
            entry = {"rule": rule_id, "regime": other.regime.id, "note": f"{item.topic.value}: {item.note}"}
            if covered != groups:
                entry["note"] += f" (for {_groups_text(covered)})"
            self.unmodelled.append(entry)
            if covered == groups:
                return
            notes.append(f"not modelled in {other.regime.id} for {_groups_text(covered)}")
        if rule_id in other.dormant:
            notes.append(_dormant_note(other, rule_id))
        root = self.lineage.root(rule_id)
        for kin in other.dormant:
            if kin != rule_id and self.lineage.root(kin) == root:
                notes.append(f"its lineage continues as {kin}, but {_dormant_note(other, kin)}")
        citation: str | None = er.rule.citation
        if change == "removed":
            full = [
                (rep, origin)
                for rep, origin in other.regime.repeals
                if rep.when is None and rule_id in rep.rules
            ]
            if full:
                rep, origin = full[-1]
                citation = rep.citation
                notes.insert(0, f"repealed by {origin} ({rep.confidence.value})")
        else:
            notes.insert(0, f"from {er.origin}")
        if er.rule.confidence is Confidence.UNVERIFIED:
            notes.append("unverified: off unless asked for")
        notes += self.extra_notes.pop(rule_id, [])
        self.add(rule_id, change, citation=citation, note="; ".join(notes) or None)

    def exemptions(self, present: set[str]) -> None:
        """Applied lifts one side has and the other lacks; unapplied ones become notes."""
        for side, other, label in ((self.b, self.a, "b"), (self.a, self.b, "a")):
            theirs = list(other.regime.exemptions)
            for ex in side.regime.exemptions:
                if ex in theirs:
                    continue
                lift = ex.exemption
                who = "B" if label == "b" else "A"
                if not ex.applied:
                    self.notes.append(
                        f"{', '.join(lift.rules)}: a lift by {lift.citation} is listed in {ex.regime} "
                        f"({who}) but {lift.confidence.value}, so not applied: the rule keeps binding"
                    )
                    continue
                if lift.from_ is not None and lift.from_ > side.day:
                    self.notes.append(
                        f"{', '.join(lift.rules)}: {ex.regime} ({who}) lifts it only from "
                        f"{lift.from_.isoformat()}, after {side.day.isoformat()}"
                    )
                    continue
                for rule_id in lift.rules:
                    self.exempted(ex, rule_id, label, present)

    def exempted(self, ex: EffectiveExemption, rule_id: str, label: str, present: set[str]) -> None:
        lift = ex.exemption
        parts = []
        if lift.when is not None:
            parts.append(f"for cases with {condition_text(lift.when)}")
        if lift.from_ is not None:
            parts.append(f"from {lift.from_.isoformat()}")
        parts.append(f"{lift.id + ', ' if lift.id else ''}{ex.regime}, {lift.confidence.value}")
        note = "; ".join(parts)
        by = lift.by or ex.regime
        if rule_id not in present:
            side = self.b if label == "b" else self.a
            if rule_id in side.live:  # on one side only: added/removed, and lifted where it is
                self.extra_notes.setdefault(rule_id, []).append(
                    f"lifted in {ex.regime} by {by} ({lift.citation})"
                )
            else:
                self.notes.append(
                    f"{rule_id}: lifted in {ex.regime} by {by} ({lift.citation}), but "
                    f"{_dormant_note(side, rule_id) if rule_id in side.dormant else 'the rule is not there'}"
                )
            return
        self.add(
            rule_id, "exempted", by=by, citation=lift.citation, side="b" if label == "b" else "a", note=note
        )

    def run(self) -> StructuralResult:
        pairs, a_only, b_only = self.pairs()
        present = {i for pair in pairs for i in pair}
        for a_id, b_id in pairs:
            self.compare(a_id, b_id)
        self.exemptions(present)
        for rule_id in a_only:
            self.one_sided(self.a, self.b, rule_id, "removed")
        for rule_id in b_only:
            self.one_sided(self.b, self.a, rule_id, "added")
        for rule_id, notes in self.extra_notes.items():  # lifts of rules neither side applies now
            self.notes.extend(f"{rule_id}: {n}" for n in notes)
        changes = sorted(self.changes, key=lambda c: (_ORDER[c.change], c.rule, c.side or ""))
        return StructuralResult(changes, self.unmodelled, self.notes, self.lineage)


def structural_diff(a: Regime, b: Regime, on: date) -> StructuralResult:
    """Rules added, removed, changed, exempted and replaced from ``a`` to ``b`` on ``on``.

    Each side uses the rule versions an evaluation on ``on`` would use
    (:meth:`Regime.version_date`: a regime applied outside its dates keeps its first or last
    day's versions). ``structural_diff(a, a, on)`` is empty.
    """
    return _Builder(_Side.of(a, on), _Side.of(b, on)).run()


def changed_fields(changes: Sequence[FieldChange]) -> str:
    """``actor: jobcenter → municipality; count: 4 → 3`` for a table cell or a note."""
    return "; ".join(f"{c.field}: {value_text(c.old)} → {value_text(c.new)}" for c in changes)
