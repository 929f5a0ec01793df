"""The behavioural diff: every class of cases the two regimes treat differently, with a witness.

Why classes and signatures, not sampling: a rule's condition reads only a few facts (group,
flags, age, visitation category, period start) compared with a few thresholds, so
:func:`regimes.partition.classes` enumerates one fact row per class of cases, exactly. Within
a class the same rules apply. What a regime then does with a case is fixed by each applying
rule's *signature* — its id, effect kind, step, actor, count, window, counting, citation, topic,
quota share, and the exemption that lifts it (by, citation), plus, for a suspension, its grounds
and topics — because :func:`regimes.evaluate` computes every field of an obligation or a right
from those and from the case's history. So:

- equal signature sets ⇒ equal evaluations, for *every* history, on that date (no class of
  differing cases can be missed);
- differing sets ⇒ the class is reported, with a minimal witness case evaluated under both.

Classes that differ *in the same way* — the same signatures only under A and only under B —
are merged into one reported class (``members`` counts the fact classes it stands for), with
the witness of the plainest member: fewest true flags, then values nearest a plain case (age
40, not visited, clocks starting 6 days before the diff date). The description says in words
what changes.

What is *not* partitioned: the history (events, interruptions, clocks) and the evaluation
date. They are inputs to an evaluation, and the signature argument covers all of them at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from engine.compiled import Cmp, FactRow, FactValue, Predicate, atoms, compare, holds
from regimes.case import parse_case
from regimes.compile import CompiledRegime, compile_regime
from regimes.dates import from_int, to_int
from regimes.diff.model import Behavioural, BehaviouralClass, Witness
from regimes.diff.structural import Lineage
from regimes.errors import RegimesError
from regimes.evaluate import evaluate_many
from regimes.facts import FACTS, fact_row
from regimes.layer import Regime
from regimes.partition import classes, specialize
from regimes.results import Evaluation
from regimes.ruleset.model import Rule, Window
from regimes.vocabulary import TargetGroup
from regimes.witness import witness_data

__all__ = [
    "Key",
    "RuleSignature",
    "SignatureView",
    "behavioural_diff",
    "class_row",
    "difference",
    "outcome",
    "pick_backend",
]

#: How many days before the diff date a witness's clocks start (unless its class fixes them).
CLOCK_LEAD: Final = 6
#: Values of a plain case, preferred for a witness wherever the class allows them.
_PLAIN_AGE: Final = 40
_WITNESS_TRIES: Final = 8

_ACTOR_WORDS: Final[Mapping[str, str]] = {"a_kasse": "a-kasse"}


# --------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RuleSignature:
    """What one applying rule contributes to an evaluation (empty strings: not applicable).

    Two regimes whose applying rules have the same signatures evaluate every case of a class
    identically, whatever its history: every field of an obligation or right is computed
    from these and from the case.
    """

    rule: str
    kind: str
    step: str = ""
    actor: str = ""
    count: int = 0
    window: str = ""
    counting: str = ""
    citation: str = ""
    topic: str = ""
    share: float = 0.0
    suspends: str = ""
    exempted_by: str = ""
    exempted_citation: str = ""


#: A class's difference: the signatures only under A, and those only under B.
Key = tuple[frozenset[RuleSignature], frozenset[RuleSignature]]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _window_key(window: Window) -> str:
    # `note` explains and `deadline_confidence` only marks a deadline as not asserted: neither
    # changes a date, a count or a status.
    return _canonical(window.model_dump(mode="json", exclude={"note", "deadline_confidence"}, by_alias=True))


def _static_signature(rule: Rule) -> RuleSignature:
    kind = rule.effect_kind
    effect = getattr(rule, kind)
    if rule.suspension is not None:
        s = rule.suspension
        suspends = _canonical(
            {"grounds": sorted(str(g) for g in s.grounds), "unless": s.unless, "topics": sorted(s.topics)}
        )
        return RuleSignature(rule.id, kind, citation=rule.citation, topic=str(rule.topic), suspends=suspends)
    counting = getattr(effect, "counting", None)
    return RuleSignature(
        rule=rule.id,
        kind=kind,
        step=str(effect.step),
        actor=str(effect.actor),
        count=int(getattr(effect, "count", 0)),
        window=_window_key(effect.window),
        counting=_canonical(counting.model_dump(mode="json")) if counting is not None else "",
        citation=rule.citation,
        topic=str(rule.topic),
        share=float(getattr(effect, "share", 0.0)),
    )


@dataclass(frozen=True)
class _Lift:
    predicate: Predicate
    rules: tuple[str, ...]
    by: str
    citation: str


@dataclass(frozen=True)
class SignatureView:
    """A regime as the behavioural diff sees it on one date: what applies, as signatures.

    Mirrors :func:`regimes.evaluate` exactly: the compiled rules (unverified ones left out
    unless asked for) in force on the regime's version date, and the applied exemptions in
    effect then (``from``), the first one holding for a rule naming its ``by``.
    """

    regime: Regime
    compiled: CompiledRegime
    day: date
    rules: tuple[tuple[Predicate, RuleSignature], ...]
    lifts: tuple[_Lift, ...]

    @classmethod
    def of(cls, regime: Regime, on: date, *, include_unverified: bool = False) -> SignatureView:
        # Transitions (C8): the witnesses' duties fall due on or after ``on``; a named regime whose
        # deviations do not reach that date (a local trial that has ended) is judged by its base.
        from regimes.library import load_regime
        from regimes.transitions import judging_regime

        judge = judging_regime(regime, on, named=True, build=load_regime, resolve=lambda _: None).regime
        if judge is not regime and not (regime.valid_from is not None and on < regime.valid_from):
            source = judge
        else:
            source = regime
        compiled = compile_regime(source, include_unverified=include_unverified)
        day = source.version_date(on)
        n = len(compiled.rules)
        rules = tuple(
            (compiled.predicates[i], _static_signature(er.rule))
            for i, er in enumerate(compiled.rules)
            if er.rule.in_force(day)
        )
        lifts = tuple(
            _Lift(
                compiled.predicates[n + j],
                tuple(
                    lifted for rule_id in ex.exemption.rules for lifted in sorted(source.lifted_ids(rule_id))
                ),
                ex.exemption.by or ex.regime,
                ex.exemption.citation,
            )
            for j, ex in enumerate(compiled.exemptions)
            if ex.exemption.from_ is None or day >= ex.exemption.from_
        )
        return cls(regime, compiled, day, rules, lifts)

    @property
    def predicates(self) -> list[Predicate]:
        """The conditions that matter on the date: rules in force and exemptions in effect."""
        return [p for p, _ in self.rules] + [lift.predicate for lift in self.lifts]

    def signatures(self, row: FactRow) -> frozenset[RuleSignature]:
        """The signatures of the rules that apply to a case with these facts."""
        lifted: dict[str, _Lift] = {}
        for lift in self.lifts:
            if holds(lift.predicate, row):
                for rule_id in lift.rules:
                    lifted.setdefault(rule_id, lift)
        out = set()
        for predicate, sig in self.rules:
            if not holds(predicate, row):
                continue
            by = lifted.get(sig.rule)
            if by is not None and sig.kind != "suspension":  # a lift never stops a suspension
                sig = replace(sig, exempted_by=by.by, exempted_citation=by.citation)
            out.add(sig)
        return frozenset(out)


def difference(a: SignatureView, b: SignatureView, row: FactRow) -> Key:
    """How A and B differ for a case with these facts: ``(only under A, only under B)``.

    Empty on both sides exactly when the two regimes evaluate every such case alike.
    """
    sa, sb = a.signatures(row), b.signatures(row)
    return sa - sb, sb - sa


# --------------------------------------------------------------------------------------------
# Fact rows: plain values, class identity, witnesses
# --------------------------------------------------------------------------------------------


def _plain(on: date) -> dict[str, FactValue]:
    return {
        "age": _PLAIN_AGE,
        "visitation_category": 0,
        "period_start": to_int(on - timedelta(days=CLOCK_LEAD)),
    }


def class_row(facts: Mapping[str, Any], on: date) -> dict[str, FactValue]:
    """A full fact row from a reported class's ``facts`` (dates as ISO strings), plain elsewhere.

    Why: a caller can re-run :func:`difference` on a class as reported, e.g. to test whether a
    case falls in it.
    """
    row: dict[str, FactValue] = {name: False if spec.type == "bool" else 0 for name, spec in FACTS.items()}
    row.update(_plain(on))
    for name, value in facts.items():
        if FACTS[name].type == "date" and isinstance(value, str):
            row[name] = to_int(date.fromisoformat(value))
        else:
            row[name] = value
    return row


def _succ(fact: str, value: int) -> int:
    return to_int(from_int(value) + timedelta(days=1)) if FACTS[fact].type == "date" else value + 1


@dataclass(frozen=True)
class _Space:
    """The atoms of both regimes' conditions, by fact: what tells classes apart."""

    predicates: tuple[Predicate, ...]
    atoms: tuple[Cmp, ...]
    by_fact: Mapping[str, tuple[Cmp, ...]]
    bounds: Mapping[str, tuple[int, ...]]
    plain: Mapping[str, FactValue]

    @classmethod
    def of(cls, predicates: Sequence[Predicate], on: date) -> _Space:
        unique = tuple(dict.fromkeys(a for p in predicates for a in atoms(p)))
        by_fact: dict[str, list[Cmp]] = {}
        for a in unique:
            by_fact.setdefault(a.fact, []).append(a)
        bounds: dict[str, tuple[int, ...]] = {}
        for fact, items in by_fact.items():
            if FACTS[fact].type not in ("int", "date"):
                continue
            points: set[int] = set()
            for a in items:
                values = a.value if isinstance(a.value, tuple) else (a.value,)
                for v in values:
                    if not isinstance(v, int) or isinstance(v, bool):
                        continue
                    if a.op in ("lt", "ge"):
                        points.add(v)
                    elif a.op in ("le", "gt"):
                        points.add(_succ(fact, v))
                    else:
                        points.update({v, _succ(fact, v)})
            bounds[fact] = tuple(sorted(points))
        return cls(
            tuple(dict.fromkeys(predicates)),
            unique,
            {k: tuple(v) for k, v in by_fact.items()},
            bounds,
            _plain(on),
        )

    def truth(self, row: FactRow) -> tuple[object, ...]:
        """The class of a row: its group and the truth of every atom."""
        return (row["group"], *(compare(row[a.fact], a.op, a.value) for a in self.atoms))

    def same_for(self, fact: str, x: FactValue, y: FactValue) -> bool:
        return all(compare(x, a.op, a.value) == compare(y, a.op, a.value) for a in self.by_fact.get(fact, ()))

    def normalised(self, row: Mapping[str, FactValue]) -> dict[str, FactValue]:
        """The row with plain values wherever the class allows them (a witness reads naturally)."""
        out = dict(row)
        for fact, value in self.plain.items():
            if self.same_for(fact, out[fact], value):
                out[fact] = value
        return out

    def plainness(self, row: Mapping[str, FactValue]) -> tuple[int, int, int, int, str]:
        """Sort key for the minimal witness: fewest true flags, then values nearest a plain case."""
        flags = sum(1 for name, spec in FACTS.items() if spec.type == "bool" and row[name] is True)
        distance = abs(int(row["age"]) - _PLAIN_AGE) + abs(int(row["visitation_category"]))
        days = abs((from_int(int(row["period_start"])) - from_int(int(self.plain["period_start"]))).days)
        order = list(TargetGroup).index(TargetGroup(str(row["group"])))
        return flags, distance, days, order, _canonical(dict(row))

    def live(self, group: str) -> list[str]:
        """The facts other than the group that still matter once the group is fixed."""
        fixed = {"group": group}
        facts: dict[str, None] = {}
        for p in self.predicates:
            s = specialize(p, fixed)
            if not isinstance(s, bool):
                for a in atoms(s):
                    facts.setdefault(a.fact, None)
        return sorted(facts)

    def interval(self, fact: str, value: int) -> tuple[int | None, int | None]:
        """The run of values between the thresholds ``value`` lies in: ``[low, high)``."""
        points = self.bounds.get(fact, ())
        low = max((p for p in points if p <= value), default=None)
        high = min((p for p in points if p > value), default=None)
        return low, high


def _facts_of(row: Mapping[str, FactValue], space: _Space) -> dict[str, Any]:
    """The facts that define the class (group and the facts its conditions read), JSON-ready."""
    out: dict[str, Any] = {"group": row["group"]}
    for fact in space.live(str(row["group"])):
        value = row[fact]
        if FACTS[fact].type == "date" and isinstance(value, int) and not isinstance(value, bool):
            out[fact] = from_int(value).isoformat()
        else:
            out[fact] = value
    return out


# --------------------------------------------------------------------------------------------
# Evaluations and witnesses
# --------------------------------------------------------------------------------------------


def pick_backend(backend: str | None = None) -> str:
    """The back end witnesses are evaluated with: the one asked for, ``REGIMES_BACKEND``, else
    ``vector`` where it loads (fast on a batch), else ``reference``. All give identical results."""
    if backend:
        return backend
    chosen = os.environ.get("REGIMES_BACKEND")
    if chosen:
        return chosen
    try:
        from engine.backends import get_backend

        get_backend("vector")
    except (ImportError, KeyError, RegimesError):  # pragma: no cover - numpy is a dependency
        return "reference"
    return "vector"


def outcome(ev: Evaluation) -> tuple[tuple[object, ...], ...]:
    """What a diff compares in an evaluation: per obligation and right, the contract's fields
    (rule, step, actor, count, done, opens, deadline, status, citation, by)."""
    rows: list[tuple[object, ...]] = []
    for o in ev.obligations:
        rows.append(
            ("o", o.rule, o.step, o.actor, o.count, o.done, o.opens, o.deadline, o.status, o.citation, o.by)
        )
    for r in ev.rights:
        rows.append(("r", r.rule, r.step, r.actor, None, None, r.opens, None, r.status, r.citation, r.by))
    return tuple(sorted(rows, key=repr))


def _anchor_needs(sigs: Iterable[RuleSignature]) -> tuple[set[str], set[str]]:
    """Clocks and request events the differing rules count from (to put in a witness if missing)."""
    clocks: set[str] = set()
    events: set[str] = set()
    for sig in sigs:
        if not sig.window:
            continue
        anchor = json.loads(sig.window).get("anchor")
        if isinstance(anchor, str):
            clocks.add(anchor)
        elif isinstance(anchor, dict) and anchor.get("event") == "interview_requested":
            events.add("interview_requested")
    return clocks, events


def _augmented(data: dict[str, Any], key: Key) -> dict[str, Any] | None:
    """The witness with the clocks and requests the differing rules need, or ``None`` if it has them.

    Why: the plain witness has only its group's clock; a rule anchored on another clock or on
    an interview request shows its difference only once the case has it.
    """
    clocks, events = _anchor_needs(key[0] | key[1])
    start = data["period_start"]
    out = dict(data)
    for clock in sorted(clocks):
        out.setdefault(clock, start)
    if events:
        out["events"] = [*out.get("events", []), *({"kind": e, "on": start} for e in sorted(events))]
    return out if out != data else None


@dataclass
class _Candidate:
    key: Key
    rows: list[dict[str, FactValue]]  # members, plainest first
    witness: dict[str, Any] | None = None
    a: Evaluation | None = None
    b: Evaluation | None = None

    @property
    def shows(self) -> bool:
        """Whether the witness's evaluations differ (what makes it a witness)."""
        return self.a is not None and self.b is not None and outcome(self.a) != outcome(self.b)

    def offer(self, data: dict[str, Any], a: Evaluation, b: Evaluation) -> None:
        """Keep this witness if it is the first tried, or the first that shows the difference."""
        if self.witness is None or (not self.shows and outcome(a) != outcome(b)):
            self.witness, self.a, self.b = data, a, b


def _evaluate_pairs(
    datas: Sequence[dict[str, Any]], a: SignatureView, b: SignatureView, on: date, backend: str
) -> list[tuple[Evaluation, Evaluation]]:
    cases = [parse_case(d) for d in datas]
    unverified = a.compiled.include_unverified
    ev_a = evaluate_many(cases, a.regime, on, backend=backend, include_unverified=unverified)
    ev_b = evaluate_many(cases, b.regime, on, backend=backend, include_unverified=unverified)
    return list(zip(ev_a, ev_b, strict=True))


def _witnesses(found: list[_Candidate], a: SignatureView, b: SignatureView, on: date, backend: str) -> None:
    """Give each class the plainest member whose witness shows the difference under both regimes.

    A witness is kept only when its own facts fall in the class (checked, not assumed) and its
    evaluations differ; the plain witness is tried first, then with the clocks and requests the
    differing rules count from, then the next members. Failing all, the plainest is kept (the
    difference then needs a history the witness does not have: e.g. an exemption ground).
    """
    pending = list(found)
    for attempt in range(_WITNESS_TRIES):
        trials: list[tuple[_Candidate, dict[str, Any]]] = []
        for cand in pending:
            if attempt >= len(cand.rows):
                continue
            data = witness_data(cand.rows[attempt], on)
            if difference(a, b, fact_row(parse_case(data), on)) != cand.key:
                continue  # pragma: no cover - witness_data reproduces the facts it is given
            trials.append((cand, data))
            more = _augmented(data, cand.key)
            if more is not None:
                trials.append((cand, more))
        if not trials:
            break
        results = _evaluate_pairs([d for _, d in trials], a, b, on, backend)
        for (cand, data), (ev_a, ev_b) in zip(trials, results, strict=True):
            cand.offer(data, ev_a, ev_b)
        pending = [c for c in pending if not c.shows]
        if not pending:
            break
    for cand in found:  # pragma: no cover - every class has members whose witness reproduces it
        if cand.witness is None:
            data = witness_data(cand.rows[0], on)
            ((ev_a, ev_b),) = _evaluate_pairs([data], a, b, on, backend)
            cand.offer(data, ev_a, ev_b)


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------


def _plural(noun: str, n: int) -> str:
    return noun if n == 1 else noun + "s"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _actor(actor: str) -> str:
    return _ACTOR_WORDS.get(actor, actor)


def _reckoning(value: Mapping[str, Any] | None) -> str:
    if not value:
        return ""
    kind, amount = next(iter(value.items()))
    if kind == "end_of_week":
        return f"end of week {amount}"
    unit, n = next(iter(amount.items()))
    words = {"after": "after", "first": "within the first", "day_after_first": "after the first"}
    return f"{words.get(kind, kind)} {n} {unit[:-1] if n == 1 else unit}"


def _window_words(key: str) -> str:
    if not key:
        return ""
    w = json.loads(key)
    anchor = w.get("anchor")
    if isinstance(anchor, dict):
        target = anchor.get("suspension_end_at_deadline_of")
        anchor = anchor.get("event") or f"the end of the exemption at {target}"
    parts = [f"from {anchor}"]
    if w.get("opens"):
        parts.append(f"opens {_reckoning(w['opens'])}")
    parts.append(f"by {_reckoning(w['deadline'])}" if w.get("deadline") else "no deadline")
    if w.get("accumulated"):
        parts.append("accumulated")
    if w.get("repeat_months"):
        parts.append(f"every {w['repeat_months']} months")
    return ", ".join(parts)


def _thing(sig: RuleSignature) -> str:
    """A signature as a noun phrase: "3 a-kasse job interviews", "a waivable quota of 2 …"."""
    step, actor = sig.step.replace("_", " "), _actor(sig.actor)
    if sig.kind == "suspension":
        topics = ", ".join(json.loads(sig.suspends).get("topics", []))
        return f"a suspension of {topics} while a § 106 ground holds"
    if sig.kind == "right":
        return f"a right to {_article(actor)} {actor} {step}"
    what = f"{actor} {_plural(step, sig.count)}"
    if sig.kind == "quota":
        return f"a waivable quota of {sig.count} {what}"
    if sig.count == 1:
        return f"{_article(actor)} {what}"
    return f"{sig.count} {what}"


def _lifted(sig: RuleSignature) -> str:
    return f"exempted by {sig.exempted_by} ({sig.exempted_citation})" if sig.exempted_by else ""


def _field_words(a: RuleSignature, b: RuleSignature) -> list[str]:
    out = []
    if a.kind != b.kind:
        out.append(f"{a.kind} → {b.kind}")
    if a.step != b.step:
        out.append(f"step {a.step} → {b.step}")
    if a.actor != b.actor:
        out.append(f"actor {_actor(a.actor)} → {_actor(b.actor)}")
    if a.count != b.count:
        out.append(f"count {a.count} → {b.count}")
    if a.share != b.share:
        out.append(f"share {a.share:g} → {b.share:g}")
    if a.window != b.window:
        out.append(f"window {_window_words(a.window)} → {_window_words(b.window)}")
    if a.counting != b.counting:
        out.append("what counts as done changes")
    if a.citation != b.citation:
        out.append(f"citation {a.citation} → {b.citation}")
    if a.topic != b.topic:
        out.append(f"topic {a.topic} → {b.topic}")
    if a.suspends != b.suspends:
        out.append("grounds or topics suspended change")
    return out


@dataclass(frozen=True)
class _Context:
    """What the words need besides the signatures."""

    a: Regime
    b: Regime
    lineage: Lineage


def _unmodelled(regime: Regime, sig: RuleSignature, groups: Iterable[str]) -> str:
    wanted = set(groups)
    for item in regime.header.not_modelled:
        if item.topic.value != sig.topic:
            continue
        if item.groups is None or wanted & {str(g) for g in item.groups}:
            return f"{sig.topic} is not modelled in {regime.id}"
    return ""


def _short(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:3])
    return shown + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def _change_words(key: Key, groups: Sequence[str], ctx: _Context) -> str:
    """What changes for a class, in words: lifts first, then what only one side has, then the
    field changes of rules both have (grouped, so "actor jobcenter → municipality" reads once)."""
    only_a = sorted(key[0])
    only_b = sorted(key[1])
    by_root: dict[str, list[RuleSignature]] = {}
    for sig in only_b:
        by_root.setdefault(ctx.lineage.root(sig.rule), []).append(sig)
    pairs: list[tuple[RuleSignature, RuleSignature]] = []
    for sig in list(only_a):
        same = by_root.get(ctx.lineage.root(sig.rule))
        if same:
            other = same.pop(0)
            pairs.append((sig, other))
            only_a.remove(sig)
            only_b.remove(other)

    def take(side: list[RuleSignature], rule_id: str) -> RuleSignature | None:
        found = next((s for s in side if s.rule == rule_id), None)
        if found is not None:
            side.remove(found)
        return found

    lifts: list[str] = []
    grouped: dict[str, list[str]] = {}
    renamed: list[str] = []
    for sa, sb in pairs:
        name = sa.rule if sa.rule == sb.rule else f"{sa.rule} → {sb.rule}"
        rest = _field_words(
            replace(sa, exempted_by="", exempted_citation=""),
            replace(sb, exempted_by="", exempted_citation=""),
        )
        if (sa.exempted_by, sa.exempted_citation) != (sb.exempted_by, sb.exempted_citation):
            if not sa.exempted_by or not sb.exempted_by:
                if sb.exempted_by:
                    bound, free, free_side, bound_side = sa, sb, "B", "A"
                else:
                    bound, free, free_side, bound_side = sb, sa, "A", "B"
                replacing = take(only_b if free_side == "B" else only_a, free.exempted_by)
                text = f"{name}: {_thing(bound)} under {bound_side}; under {free_side} it is {_lifted(free)}"
                if replacing is not None:
                    text += f" and {_thing(replacing)} ({replacing.rule}) replaces it"
                lifts.append(text + (f" ({'; '.join(rest)})" if rest else ""))
                continue
            rest.insert(0, f"exempted by {sa.exempted_by} under A, by {sb.exempted_by} under B")
        if rest:
            grouped.setdefault("; ".join(rest), []).append(name)
        else:
            renamed.append(name)
    parts = list(lifts)
    for label, side, regime in (("A", only_a, ctx.b), ("B", only_b, ctx.a)):
        if not side:
            continue
        items = []
        for sig in side:
            lifted = f", {_lifted(sig)}" if sig.exempted_by else ""
            missing = _unmodelled(regime, sig, groups)
            items.append(f"{_thing(sig)} ({sig.rule}{lifted}{'; ' + missing if missing else ''})")
        parts.append(f"only under {label}: " + ", ".join(items))
    for words, names in grouped.items():
        single = len(names) == 1 and "→" in names[0]
        parts.append(f"{names[0]}: {words}" if single else f"{words} ({_short(names)})")
    if renamed:
        parts.append(f"the same rule under a new id ({_short(renamed)})")
    return "; ".join(parts)


def _interval_words(fact: str, low: int | None, high: int | None) -> str:
    spec = FACTS[fact]
    if spec.type == "date":
        lo = spec.render(low) if low is not None else None
        hi = spec.render(high) if high is not None else None
        if low is not None and high is not None:
            if high == _succ(fact, low):
                return f"{fact} = {lo}"
            return f"{lo} ≤ {fact} < {hi}"
        return f"{fact} ≥ {lo}" if lo else f"{fact} < {hi}"
    if spec.values:  # a small domain: clip to it, so "< 2" reads "0–1"
        floor, ceiling = spec.low or 0, (spec.high or 0) + 1
        low = max(low if low is not None else floor, floor)
        high = min(high if high is not None else ceiling, ceiling)
    if low is not None and high is not None:
        return f"{fact} {low}" if high == low + 1 else f"{fact} {low}–{high - 1}"
    return f"{fact} ≥ {low}" if low is not None else f"{fact} < {high}"


Interval = tuple[int | None, int | None]


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    ordered = sorted(intervals, key=lambda iv: (iv[0] is not None, iv[0] or 0))
    out: list[Interval] = []
    for low, high in ordered:
        if out and out[-1][1] == low:
            out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return out


#: A set of cases of one group: for each fact it pins, the values (bools or intervals) allowed.
Cube = dict[str, frozenset[object]]


def _constraint_words(fact: str, values: frozenset[object]) -> str:
    if FACTS[fact].type == "bool":
        return fact if values == {True} else f"not {fact}"
    intervals = _merge(v for v in values if isinstance(v, tuple))
    return " or ".join(_interval_words(fact, low, high) for low, high in intervals)


def _cubes(
    group_rows: Sequence[Mapping[str, FactValue]],
    members: set[tuple[object, ...]],
    space: _Space,
    facts: Sequence[str],
) -> list[Cube]:
    """A few cubes whose union is exactly the members among ``group_rows`` (one group's classes).

    Greedy, as a person would describe a set: take an uncovered member, free every fact that can
    be freed without taking in a non-member, widen the rest to every value that keeps it exact,
    and repeat. Exact, not always the fewest cubes.
    """

    def projection(row: Mapping[str, FactValue], fact: str) -> object:
        value = row[fact]
        if FACTS[fact].type in ("int", "date") and isinstance(value, int) and not isinstance(value, bool):
            return space.interval(fact, value)
        return value

    table = [(space.truth(r), {f: projection(r, f) for f in facts}) for r in group_rows]
    values = {f: frozenset(p[f] for _, p in table) for f in facts}

    def exact(cube: Cube) -> bool:
        return all(ident in members for ident, p in table if all(p[f] in v for f, v in cube.items()))

    cubes: list[Cube] = []
    uncovered = {ident for ident, _ in table if ident in members}
    for ident, proj in table:
        if ident not in uncovered:
            continue
        cube: Cube = {f: frozenset({proj[f]}) for f in facts}
        for f in facts:
            freed = {k: v for k, v in cube.items() if k != f}
            if exact(freed):
                cube = freed
                continue
            cube[f] = frozenset(v for v in values[f] if exact({**cube, f: frozenset({v})}))
        cubes.append(cube)
        uncovered -= {i for i, p in table if all(p[f] in v for f, v in cube.items())}
    return cubes


def _class_words(
    rows: Sequence[Mapping[str, FactValue]],
    space: _Space,
    universe: Mapping[str, Sequence[Mapping[str, FactValue]]],
) -> str:
    """The cases a merged class stands for, in words: per group, the facts that pin it down."""
    members = {space.truth(r) for r in rows}
    groups = [g.value for g in TargetGroup if any(r["group"] == g.value for r in rows)]
    texts: dict[str, list[str]] = {}
    for group in groups:
        cubes = _cubes(universe[group], members, space, space.live(group))
        rendered = [[_constraint_words(f, v) for f, v in sorted(c.items())] for c in cubes]
        common = [w for w in rendered[0] if all(w in r for r in rendered[1:])]
        rest = [[w for w in r if w not in common] for r in rendered]
        text = ", ".join(common)
        if len(rest) > 1:
            alternatives = " or ".join(f"({', '.join(r)})" if len(r) > 1 else "".join(r) or "…" for r in rest)
            text = f"{text}, with {alternatives}" if text else alternatives
        texts.setdefault(text, []).append(group)
    out = []
    for text, names in texts.items():
        who = "every group" if len(names) == len(TargetGroup) else ", ".join(names)
        out.append(f"{who}, {text}" if text else who)
    if len(out) == 1:
        return out[0]
    return " or ".join(f"({part})" if ", " in part else part for part in out)


# --------------------------------------------------------------------------------------------
# The diff
# --------------------------------------------------------------------------------------------


def behavioural_diff(
    a: Regime,
    b: Regime,
    on: date,
    *,
    backend: str | None = None,
    include_unverified: bool = False,
    lineage: Lineage | None = None,
) -> Behavioural:
    """Every class of cases that ``a`` and ``b`` evaluate differently on ``on``, with witnesses.

    Args:
        a, b: the regimes, each applied as a what-if on ``on`` (its version date's rules).
        on: the evaluation date of every witness.
        backend: the back end for the witnesses' evaluations (default: :func:`pick_backend`).
        include_unverified: also apply unverified rules, as ``evaluate`` would.
        lineage: replacement links used to pair rules in the descriptions (default: both regimes').

    Symmetric: ``behavioural_diff(b, a, on)`` reports the same classes and witnesses with the
    sides swapped.
    """
    va = SignatureView.of(a, on, include_unverified=include_unverified)
    vb = SignatureView.of(b, on, include_unverified=include_unverified)
    space = _Space.of([*va.predicates, *vb.predicates], on)
    chosen = pick_backend(backend)

    plainest: dict[tuple[object, ...], dict[str, FactValue]] = {}
    for raw in classes(list(space.predicates), defaults=space.plain):
        row = space.normalised(raw)
        ident = space.truth(row)
        best = plainest.get(ident)
        if best is None or space.plainness(row) < space.plainness(best):
            plainest[ident] = row
    total = len(plainest)
    universe: dict[str, list[dict[str, FactValue]]] = {}
    for row in plainest.values():
        universe.setdefault(str(row["group"]), []).append(row)

    merged: dict[Key, list[dict[str, FactValue]]] = {}
    for row in plainest.values():
        key = difference(va, vb, row)
        if key[0] or key[1]:
            merged.setdefault(key, []).append(row)
    found = [_Candidate(key, sorted(rows, key=space.plainness)) for key, rows in merged.items()]
    found.sort(key=lambda c: space.plainness(c.rows[0]))
    _witnesses(found, va, vb, on, chosen)

    ctx = _Context(a, b, lineage or Lineage.of(b, a))
    out: list[BehaviouralClass] = []
    for cand in found:
        assert cand.witness is not None and cand.a is not None and cand.b is not None
        groups = sorted({str(r["group"]) for r in cand.rows})
        description = f"{_class_words(cand.rows, space, universe)}: {_change_words(cand.key, groups, ctx)}"
        if outcome(cand.a) == outcome(cand.b):
            description += " (the difference needs a history the witness does not have)"
        out.append(
            BehaviouralClass(
                description=description,
                witness=Witness(case=cand.witness, on=on),
                a=[*cand.a.obligations, *cand.a.rights],
                b=[*cand.b.obligations, *cand.b.rights],
                facts=_facts_of(cand.rows[0], space),
                members=len(cand.rows),
            )
        )
    differing = sum(len(c.rows) for c in found)
    scope = (
        f"exact over fact classes on {on.isoformat()}: the {total} classes of group, flags, age, "
        f"visitation category and period start that the {len(space.predicates)} conditions in force "
        f"(rules and exemptions of both regimes) tell apart, of which {differing} differ; the history "
        "(events, interruptions, clocks) and the evaluation date are inputs, not partitioned: within a "
        "class the applying rules' signatures are equal or not for every history alike"
    )
    return Behavioural(exact=True, classes=out, scope=scope)
