"""Evaluate a case under a regime on a date: the product's one question.

The pipeline for one call: derive the case's facts as they stood on the date
(:mod:`regimes.facts`) → ask the back end which rule and exemption conditions hold
(:mod:`engine.backends`) → for each rule that applies, compute its window and count the
events that satisfy it (:mod:`regimes.windows`) → decide the status.

Obligations are listed in the order a caseworker meets them (by opening date, then
deadline; stable for equal dates). Status precedence (worked-examples.md, "Conventions"),
decided by :func:`regimes.status.decide`: ``met`` if enough was done; else ``exempted`` if a
deviating regime lifts the rule; else ``suspended`` if a LAB § 106 ground pauses it — holds on
the evaluation date while the window is open, or held on the deadline once the window opened
(:func:`regimes.status.pausing_period`: never a deadline that passed before the ground began,
never a window that opens after it ended); else ``waivable`` for a quota; else ``upcoming``
before the window opens, ``due`` until the deadline, ``overdue`` after it — but only when the
deadline is asserted: an unverified deadline never makes a duty ``overdue``, it stays ``due``
(:func:`regimes.status.past_deadline_status`).

Transitions (corrections C8): the obligations listed are those of the rules in force on the
evaluation date, and each is then *judged by the law in force on its deadline* (an open-ended one
by the law on the evaluation date) — resolution over time when no regime is named; for a named
regime, its own deviations reach only deadlines inside its validity (before its start, and after a
local trial's end, its base judges). A duty the judging law lacks is left out ("why not?": not
owed when it fell due); one judged by another law than the evaluation's says so in
``judged_under`` / ``judged_on``. The rule is :mod:`regimes.transitions`; it is applied by
:func:`judge_obligations`, which every back end's evaluation passes through.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.backends import get_backend
from engine.backends.base import Matcher
from engine.compiled import All, AnyOf, Cmp, FactRow, FactValue, Predicate, atoms, holds, push_not
from engine.compiled import explain as explain_predicate
from regimes.case import Case, Event, ExemptionGroundEvent, check_evaluation_date
from regimes.compile import CompiledRegime, compile_regime
from regimes.errors import ResolutionError
from regimes.facts import FACTS, fact_row
from regimes.horizon import horizon_warning
from regimes.layer import EffectiveExemption, EffectiveRule, Regime
from regimes.plausibility import case_remarks
from regimes.receipt import Receipt, receipt_for
from regimes.results import Evaluation, NotApplied, Obligation, Right
from regimes.ruleset.model import (
    ObligationEffect,
    QuotaEffect,
    RightEffect,
    SuspensionEndAnchor,
    Topic,
    Window,
)
from regimes.status import decide, pausing_period
from regimes.transitions import NOT_OWED_THEN, Judge, judge_date, judging_regime, law_key, same_rule
from regimes.vocabulary import Confidence, RightStatus, Status
from regimes.windows import Period, accumulation_note, anchor_date, count_done, span

DEFAULT_BACKEND = os.environ.get("REGIMES_BACKEND", "durable")


@dataclass
class Engine:
    """A compiled regime and the back end's matcher for it."""

    compiled: CompiledRegime
    matcher: Matcher


MAX_ENGINES = 32
"""Engines kept at most (least recently used evicted): 6 bundled regimes × 2 back ends × 2 options
fit, and a ruleset file edited again and again (each version a new regime) cannot grow the cache."""

_engines: OrderedDict[tuple[int, str, bool], Engine] = OrderedDict()
_engines_lock = threading.Lock()


def engine_for(regime: Regime, backend: str = DEFAULT_BACKEND, include_unverified: bool = False) -> Engine:
    """The compiled regime and its matcher, built once per regime, back end and option.

    At most :data:`MAX_ENGINES` are kept. An evicted engine is not closed here, since another
    thread may be matching with it; it is dropped, and its matcher's finalizer frees the
    native rules once the last user lets go.
    """
    key = (id(regime), backend, include_unverified)
    with _engines_lock:
        found = _engines.get(key)
        if found is None or found.compiled.regime is not regime:
            compiled = compile_regime(regime, include_unverified=include_unverified)
            found = Engine(compiled, get_backend(backend).compile(compiled.program))
            _engines[key] = found
        _engines.move_to_end(key)
        while len(_engines) > MAX_ENGINES:
            _engines.popitem(last=False)
        return found


def render_atom(cmp: Cmp) -> str:
    """A comparison as a caseworker reads it (dates as ISO, one-value lists as ``==``)."""
    spec = FACTS.get(cmp.fact)
    if isinstance(cmp.value, tuple) and len(cmp.value) == 1 and cmp.op in ("in", "not_in"):
        cmp = Cmp(cmp.fact, "eq" if cmp.op == "in" else "ne", cmp.value[0])
    value = cmp.value
    if spec is not None and spec.type == "date" and isinstance(value, int) and not isinstance(value, bool):
        symbol = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[cmp.op]
        return f"{cmp.fact} {symbol} {spec.render(value)}"
    return str(cmp)


@functools.lru_cache(maxsize=4096)
def _rendering(predicate: Predicate) -> tuple[tuple[str, ...], dict[str, str]]:
    """The facts a predicate reads, and how each of its comparisons renders (computed once)."""
    nnf_atoms = list(atoms(push_not(predicate)))
    facts = tuple(dict.fromkeys(a.fact for a in nnf_atoms))
    return facts, {str(a): render_atom(a) for a in nnf_atoms}


@functools.lru_cache(maxsize=65536)
def _trace_cached(predicate: Predicate, values: tuple[FactValue, ...]) -> tuple[str, ...]:
    facts, rendered = _rendering(predicate)
    row = dict(zip(facts, values, strict=True))
    return tuple(rendered.get(line, line) for line in explain_predicate(predicate, row))


def trace_of(predicate: Predicate, row: FactRow) -> list[str]:
    """The comparisons that made a rule apply, rendered.

    Cached on the values of the facts the predicate reads: a population has few distinct
    combinations, and the trace is a pure function of them.
    """
    facts, _ = _rendering(predicate)
    return list(_trace_cached(predicate, tuple(row[f] for f in facts)))


def why_not(predicate: Predicate, row: FactRow) -> str:
    """The comparisons that fail, so "why not?" names the facts that decide it."""

    def failing(p: Predicate) -> list[str]:
        if isinstance(p, Cmp):
            if holds(p, row):
                return []
            return [f"{render_atom(p)} is false (it is {FACTS[p.fact].render(row[p.fact])})"]
        if isinstance(p, All):
            return [reason for item in p.items for reason in failing(item)]
        if isinstance(p, AnyOf):
            if holds(p, row):
                return []
            return ["none of: " + "; ".join(r for item in p.items for r in failing(item))]
        return []  # pragma: no cover - push_not leaves no Not

    return "; ".join(failing(push_not(predicate))) or "condition does not hold"


def _suspension_periods(
    history: Sequence[Event], rules: Sequence[EffectiveRule]
) -> dict[Topic, list[Period]]:
    periods: dict[Topic, list[Period]] = {}
    for er in rules:
        effect = er.rule.suspension
        if effect is None:
            continue
        for event in history:
            if not isinstance(event, ExemptionGroundEvent) or event.ground not in effect.grounds:
                continue
            if effect.unless == "jobcenter_keeps_duties" and event.jobcenter_keeps_duties:
                continue
            for topic in effect.topics:
                periods.setdefault(topic, []).append(Period(event.start, event.end, er.id, er.rule.citation))
    return periods


def _by(exemption: EffectiveExemption | None, period: Period | None) -> tuple[str | None, str | None]:
    if exemption is not None:
        return exemption.exemption.by or exemption.regime, exemption.exemption.citation
    if period is not None:
        return period.rule, period.citation
    return None, None


def _window_of(er: EffectiveRule) -> object:
    return getattr(getattr(er.rule, er.rule.effect_kind), "window", None)


# Per compiled regime, held weakly: a global lru_cache keyed by the compiled regime would keep
# every regime ever compiled alive (a ruleset file edited 300 times: 300 regimes), engine cache or not.
_in_force_cache: weakref.WeakKeyDictionary[CompiledRegime, dict[date, frozenset[int]]] = (
    weakref.WeakKeyDictionary()
)
_dependent_cache: weakref.WeakKeyDictionary[CompiledRegime, frozenset[int]] = weakref.WeakKeyDictionary()
_DATES_PER_REGIME = 4096


def _in_force(compiled: CompiledRegime, version_date: date) -> frozenset[int]:
    """Indexes of the rule versions in force on a date (computed once per regime and date)."""
    by_date = _in_force_cache.get(compiled)
    if by_date is None:
        by_date = _in_force_cache.setdefault(compiled, {})
    found = by_date.get(version_date)
    if found is None:
        if len(by_date) >= _DATES_PER_REGIME:
            by_date.clear()
        found = frozenset(i for i, er in enumerate(compiled.rules) if er.rule.in_force(version_date))
        by_date[version_date] = found
    return found


def _dependent_rules(compiled: CompiledRegime) -> frozenset[int]:
    """Indexes of rules whose anchor is another rule's deadline (computed once per regime)."""
    found = _dependent_cache.get(compiled)
    if found is None:
        found = frozenset(
            i
            for i, er in enumerate(compiled.rules)
            if isinstance(getattr(_window_of(er), "anchor", None), SuspensionEndAnchor)
        )
        _dependent_cache[compiled] = found
    return found


def _notes(
    case: Case,
    regime: Regime,
    compiled: CompiledRegime,
    applying: Sequence[EffectiveRule],
    version_date: date,
) -> list[str]:
    notes: list[str] = []
    for item in regime.header.not_modelled:
        if not item.holds_on(version_date):
            continue
        if item.groups is None or case.group in item.groups:
            notes.append(f"{item.topic.value}: not modelled for {regime.id} ({item.note})")
    applying_ids = {er.id for er in applying}
    for ex in regime.exemptions:
        if ex.applied:
            continue
        for rule_id in ex.exemption.rules:
            if rule_id in applying_ids:
                notes.append(
                    f"{rule_id}: a lift may exist ({ex.exemption.citation}, unverified); "
                    "the base rule keeps binding"
                )
    if not compiled.include_unverified:
        skipped = sorted(
            {
                r.id
                for r in regime.rules
                if r.rule.confidence is Confidence.UNVERIFIED
                and (not r.rule.groups or case.group in r.rule.groups)
            }
        )
        if skipped:
            notes.append(
                f"unverified rules left out (ask for them with include_unverified): {', '.join(skipped)}"
            )
    return notes


def _evaluate_one(
    case: Case,
    regime: Regime,
    on: date,
    compiled: CompiledRegime,
    row: FactRow,
    matched: frozenset[int],
    *,
    explain: bool,
    what_if: bool,
    traces: bool = True,
    version: date | None = None,
) -> Evaluation:
    """One case under one regime; ``version`` forces the version date (a judging law, C8)."""
    version_date = regime.version_date(on) if version is None else version
    n_rules = len(compiled.rules)
    not_applied: list[NotApplied] = []

    applying: list[tuple[int, EffectiveRule]] = []
    in_force = _in_force(compiled, version_date)
    for index, er in enumerate(compiled.rules):
        if index not in in_force:
            if explain:
                not_applied.append(NotApplied(rule=er.id, reason=f"not in force on {version_date}"))
        elif index not in matched:
            if explain:
                not_applied.append(NotApplied(rule=er.id, reason=why_not(compiled.predicates[index], row)))
        else:
            applying.append((index, er))

    exempted: dict[str, EffectiveExemption] = {}
    for j, ex in enumerate(compiled.exemptions):
        start = ex.exemption.from_
        if (n_rules + j) in matched and (start is None or version_date >= start):
            for rule_id in ex.exemption.rules:
                for lifted in regime.lifted_ids(rule_id):
                    exempted.setdefault(lifted, ex)

    history = case.events_until(on)
    periods = _suspension_periods(history, [er for _, er in applying])
    deadlines: dict[str, date | None] = {}
    obligations: dict[int, Obligation] = {}
    rights: dict[int, Right] = {}

    # Rules anchored on another rule's deadline go last (LAB § 102, stk. 4).
    last = _dependent_rules(compiled)
    if last:
        applying = [i for i in applying if i[0] not in last] + [i for i in applying if i[0] in last]
    for index, er in applying:
        rule = er.rule
        effect = getattr(rule, rule.effect_kind)
        if not isinstance(effect, ObligationEffect | RightEffect):
            continue  # suspensions act through the periods above
        topic_periods = periods.get(rule.topic, [])
        anchor, why = anchor_date(
            case,
            effect.window,
            on,
            deadlines=deadlines,
            periods=topic_periods,
            history=history,
            step=effect.step,
            actor=effect.actor,
        )
        if anchor is None:
            if explain:
                not_applied.append(NotApplied(rule=er.id, reason=why))
            continue
        window = span(case, effect.window, anchor, on)
        trace = trace_of(compiled.predicates[index], row) if traces else []
        exemption = exempted.get(er.id)
        if isinstance(effect, RightEffect):
            # § 106 lifts the citizen's *duties* (interviews, offers, job search); a right the
            # citizen may exercise is not paused by it (inferred: "a right of the citizen, not a
            # time limit", as the frikommune brief puts it).
            if exemption is not None:
                right_status = RightStatus.EXEMPTED
            elif on < window.opens:
                right_status = RightStatus.UPCOMING
            else:
                right_status = RightStatus.OPEN
            by, by_citation = _by(exemption, None)
            rights[index] = Right(
                rule=er.id,
                step=effect.step,
                actor=effect.actor,
                opens=window.opens,
                status=right_status,
                citation=rule.citation,
                trace=trace,
                title=rule.title,
                confidence=rule.confidence,
                by=by,
                by_citation=by_citation,
            )
            continue
        deadlines[er.id] = window.deadline
        suspending = pausing_period(topic_periods, window.opens, window.deadline, on)
        done = count_done(case, effect.step, effect.actor, effect.counting, window, on, history)
        quota = isinstance(effect, QuotaEffect)
        asserted = (
            window.deadline is not None
            and effect.window.deadline_confidence is not Confidence.UNVERIFIED
            and rule.confidence is not Confidence.UNVERIFIED
        )
        status = decide(
            done=done,
            count=effect.count,
            exempted=exemption is not None,
            suspended=suspending is not None,
            quota=quota,
            on=on,
            opens=window.opens,
            deadline=window.deadline,
            deadline_asserted=asserted,
        )
        # A lift is always named, even when the step was done anyway (status `met`), so that
        # "was this still required?" has an answer; a suspension only when it decided the status.
        by, by_citation = _by(exemption, suspending if status is Status.SUSPENDED else None)
        obligations[index] = Obligation(
            rule=er.id,
            step=effect.step,
            actor=effect.actor,
            count=effect.count,
            done=done,
            opens=window.opens,
            deadline=window.deadline,
            status=status,
            citation=rule.citation,
            trace=trace,
            kind="quota" if quota else "obligation",
            title=rule.title,
            confidence=rule.confidence,
            by=by,
            by_citation=by_citation,
            share=effect.share if isinstance(effect, QuotaEffect) else None,
            deadline_asserted=asserted,
        )
    return Evaluation(
        case=case.id,
        regime=regime.id,
        on=on,
        obligations=sorted((obligations[i] for i in sorted(obligations)), key=_order),
        rights=sorted((rights[i] for i in sorted(rights)), key=lambda r: r.opens),
        what_if=what_if,
        notes=_notes(case, regime, compiled, [er for _, er in applying], version_date),
        not_applied=not_applied if explain else None,
        warnings=_warnings(regime, on),
    )


def _order(o: Obligation) -> tuple[date, bool, date]:
    """The order a caseworker meets obligations in: by opening, then deadline (none last)."""
    return (o.opens, o.deadline is None, o.deadline or o.opens)


_law_key_cache: weakref.WeakKeyDictionary[
    CompiledRegime, dict[date, tuple[str, frozenset[int], frozenset[int]]]
] = weakref.WeakKeyDictionary()


def _law_key(compiled: CompiledRegime, version_date: date) -> tuple[str, frozenset[int], frozenset[int]]:
    """:func:`_law_key_of`, cached per compiled regime (held weakly, as :func:`_in_force`)."""
    by_date = _law_key_cache.get(compiled)
    if by_date is None:
        by_date = _law_key_cache.setdefault(compiled, {})
    found = by_date.get(version_date)
    if found is None:
        if len(by_date) >= _DATES_PER_REGIME:
            by_date.clear()
        found = by_date[version_date] = _law_key_of(compiled, version_date)
    return found


def _law_key_of(compiled: CompiledRegime, version_date: date) -> tuple[str, frozenset[int], frozenset[int]]:
    n_rules = len(compiled.rules)
    in_effect = (
        n_rules + j
        for j, ex in enumerate(compiled.exemptions)
        if ex.exemption.from_ is None or version_date >= ex.exemption.from_
    )
    return law_key(compiled.regime, _in_force(compiled, version_date), in_effect)


@functools.lru_cache(maxsize=1024)
def _representative(municipality: str) -> str:
    """A municipality that resolves like ``municipality`` on every date: the first one in the same
    local scopes (resolution reads a municipality only through the scopes it is in), so a
    population's deadlines are resolved once per date and scope, not per municipality."""
    from regimes.library import bundled
    from regimes.municipalities import MUNICIPALITIES

    layering = bundled()
    scopes = [
        layering.build(i).header.scope
        for i in layering.regime_ids()
        if layering.build(i).header.scope != "all"
    ]

    def signature(code: str) -> tuple[bool, ...]:
        return tuple(code in scope for scope in scopes)

    own = signature(municipality)
    return next((code for code in MUNICIPALITIES if signature(code) == own), municipality)


_JUDGES: dict[tuple[int, date, bool, str], tuple[Regime, Judge]] = {}
_JUDGES_MAX = 200_000


def _judge(regime: Regime, day: date, named: bool, municipality: str) -> Judge:
    """:func:`regimes.transitions.judging_regime`, memoised (a population repeats few dates)."""
    from regimes.library import load_regime

    key = (id(regime), day, named, municipality)
    hit = _JUDGES.get(key)
    if hit is not None and hit[0] is regime:
        return hit[1]

    def resolve_on(when: date) -> str | None:
        found = _resolved(_representative(municipality), when)
        return None if isinstance(found, ResolutionError) else found

    judge = judging_regime(regime, day, named=named, build=load_regime, resolve=resolve_on)
    if len(_JUDGES) >= _JUDGES_MAX:
        _JUDGES.clear()
    _JUDGES[key] = (regime, judge)
    return judge


def judge_obligations(
    evaluation: Evaluation,
    case: Case,
    regime: Regime,
    row: FactRow,
    *,
    named: bool,
    backend: str = DEFAULT_BACKEND,
    include_unverified: bool = False,
    explain: bool = False,
    traces: bool = True,
) -> Evaluation:
    """Each obligation judged by the law in force on its deadline (corrections C8).

    The rule is :mod:`regimes.transitions` (read its docstring); this applies it to one
    evaluation of ``case`` under ``regime`` on ``evaluation.on``, whose fact row is ``row``.
    Every back end's evaluation passes through here, so the rule is applied once, alike.
    """
    on = evaluation.on
    own = engine_for(regime, "reference", include_unverified).compiled
    own_key = _law_key(own, regime.version_date(on))

    judged: dict[tuple[str, frozenset[int], frozenset[int]], Evaluation] = {}
    kept: list[Obligation] = []
    dropped: list[NotApplied] = []
    changed = False
    for ob in evaluation.obligations:
        day = judge_date(ob.deadline, on)
        judge = _judge(regime, day, named, "" if named else case.municipality)
        # Re-judging matches one row: the reference matcher (plain Python) gives every back end's
        # answer (the back ends are held to identical results) without a batch's set-up cost.
        engine = engine_for(judge.regime, "reference", include_unverified)
        key = _law_key(engine.compiled, judge.version_date)
        if key == own_key:
            kept.append(ob)
            continue
        changed = True
        other = judged.get(key)
        if other is None:
            matched = engine.matcher.match([row])[0]
            other = _evaluate_one(
                case,
                judge.regime,
                on,
                engine.compiled,
                row,
                matched,
                explain=False,
                what_if=False,
                traces=traces,
                version=judge.version_date,
            )
            judged[key] = other
        family = same_rule(regime, ob.rule) | same_rule(judge.regime, ob.rule)
        found = next((o for o in other.obligations if o.rule in family), None)
        if found is None:
            dropped.append(
                NotApplied(
                    rule=ob.rule,
                    reason=f"{NOT_OWED_THEN}: due {day}, judged under {judge.regime.id}, in force on "
                    f"{judge.version_date}, which has no such duty (C8)",
                )
            )
            continue
        if any(k.rule == found.rule for k in kept):
            continue
        kept.append(
            found.model_copy(update={"judged_under": judge.regime.id, "judged_on": judge.version_date})
        )
    if not changed:
        return evaluation
    update: dict[str, object] = {"obligations": sorted(kept, key=_order)}
    if explain:
        update["not_applied"] = [*(evaluation.not_applied or []), *dropped]
    return evaluation.model_copy(update=update)


def finish_evaluation(
    evaluation: Evaluation,
    case: Case,
    regime: Regime,
    row: FactRow,
    *,
    named: bool,
    include_unverified: bool = False,
    explain: bool = False,
    traces: bool = True,
) -> Evaluation:
    """The steps every back end's evaluation passes through after its own: transitions (C8,
    :func:`judge_obligations`) and the note saying which reading of accumulated unemployment
    was used (C1, :func:`regimes.windows.accumulation_note`)."""
    judged = judge_obligations(
        evaluation,
        case,
        regime,
        row,
        named=named,
        include_unverified=include_unverified,
        explain=explain,
        traces=traces,
    )
    return _with_reading_note(judged, case, regime)


def _with_reading_note(evaluation: Evaluation, case: Case, regime: Regime) -> Evaluation:
    from regimes.library import load_regime

    ids = {o.rule for o in evaluation.obligations}
    judged = {
        o.judged_under for o in evaluation.obligations if o.judged_under and o.judged_under != regime.id
    }
    sources = [regime, *(load_regime(r) for r in sorted(judged))]
    windows = [
        w
        for source in sources
        for er in source.rules
        if er.id in ids and (w := _window_of(er)) is not None and isinstance(w, Window)
    ]
    note = accumulation_note(case, windows, evaluation.on)
    if note is None:
        return evaluation
    return evaluation.model_copy(update={"notes": [*evaluation.notes, note]})


def _warnings(regime: Regime, on: date) -> list[str]:
    """What the reader must not miss: the date lies beyond the regime's known law (C10)."""
    warning = horizon_warning(regime, on)
    return [warning] if warning else []


@functools.lru_cache(maxsize=4096)
def _resolved(municipality: str, on: date) -> str | ResolutionError:
    """The regime id resolution picks, or its error: a population repeats the same few pairs."""
    from regimes.resolve import resolve

    try:
        return resolve(municipality, on).regime
    except ResolutionError as exc:
        return exc


def _is_what_if(case: Case, regime: Regime, on: date) -> bool:
    return _resolved(case.municipality, on) != regime.id


def evaluate(
    case: Case | Mapping[str, Any],
    regime: Regime | str | None = None,
    on: date | str | None = None,
    *,
    backend: str = DEFAULT_BACKEND,
    include_unverified: bool = False,
    explain: bool = False,
) -> Evaluation:
    """Evaluate one case.

    Args:
        case: a validated :class:`~regimes.Case`, or a JSON-compatible mapping of its fields
            (validated as :func:`regimes.parse_case` does).
        regime: a :class:`~regimes.Regime`, a bundled regime id or a path to a YAML file,
            or ``None`` to apply the regime :func:`regimes.resolve` picks for the case's
            municipality on ``on``.
        on: the evaluation date, a ``date`` or an ISO ``YYYY-MM-DD`` string (default: today).
            Events dated after it are ignored.
        backend: ``"durable"`` (Rete, the default), ``"vector"``, ``"columnar"`` (the whole plan
            column-wise) or ``"reference"``; all give identical results.
        include_unverified: also apply rules tagged ``unverified`` (off by default).
        explain: also list the rules that did not apply, and why.

    Raises:
        CaseError: ``case`` is not a valid case (the field is named).
        ArgumentError: ``on`` is not a date, or ``backend`` is not an installed back end.
        CaseError: ``on`` is outside 1900-01-01..2199-12-31 or before the case's ``birth_date``
            (field ``on``; see :func:`regimes.case.check_evaluation_date`).
        ResolutionError: no regime is in force for the case's municipality on ``on``,
            or the regime id is unknown.
        RulesetError: the regime's files are invalid.
        EngineError: the back end failed.
    """
    from regimes.inputs import as_case

    results = evaluate_many(
        [as_case(case)], regime, on, backend=backend, include_unverified=include_unverified, explain=explain
    )
    return results[0]


def evaluate_many(
    cases: Sequence[Case | Mapping[str, Any]],
    regime: Regime | str | None = None,
    on: date | str | None = None,
    *,
    backend: str = DEFAULT_BACKEND,
    include_unverified: bool = False,
    explain: bool = False,
    traces: bool = True,
) -> list[Evaluation]:
    """Evaluate many cases (same arguments as :func:`evaluate`); facts are matched in batches.

    ``traces=False`` leaves every trace empty: population runs count steps and never read them.
    """
    from regimes.inputs import as_backend, as_cases, as_day
    from regimes.library import load_regime

    cases = as_cases(cases)
    day = check_evaluation_date(as_day(on))
    backend = as_backend(backend)
    if backend == "columnar":  # the whole plan column-wise (regimes.columnar), not only the conditions
        from regimes.columnar import evaluate_many_columnar

        return evaluate_many_columnar(
            cases, regime, day, include_unverified=include_unverified, explain=explain, traces=traces
        )
    explicit = load_regime(regime) if isinstance(regime, str) else regime
    groups: dict[str, tuple[Regime, list[int]]] = {}
    for position, case in enumerate(cases):
        check_evaluation_date(day, case)
        if explicit is not None:
            chosen = explicit
        else:
            resolved = _resolved(case.municipality, day)
            if isinstance(resolved, ResolutionError):
                msg = f"case '{case.id}': {resolved}"
                raise ResolutionError(msg)
            chosen = load_regime(resolved)
        groups.setdefault(chosen.id, (chosen, []))[1].append(position)
    results: dict[int, Evaluation] = {}
    options = {"include_unverified": include_unverified, "explain": explain}
    for chosen, positions in groups.values():
        receipt = receipt_for([chosen], backend, day, resolved=explicit is None, options=options)
        engine = engine_for(chosen, backend, include_unverified)
        rows = [fact_row(cases[p], day) for p in positions]
        for position, row, matched in zip(positions, rows, engine.matcher.match(rows), strict=True):
            case = cases[position]
            what_if = explicit is not None and _is_what_if(case, chosen, day)
            evaluation = _evaluate_one(
                case,
                chosen,
                day,
                engine.compiled,
                row,
                matched,
                explain=explain,
                what_if=what_if,
                traces=traces,
            )
            judged = finish_evaluation(
                evaluation,
                case,
                chosen,
                row,
                named=explicit is not None,
                include_unverified=include_unverified,
                explain=explain,
                traces=traces,
            )
            results[position] = _finished(judged, case, day, receipt)
    return [results[p] for p in range(len(cases))]


def _finished(evaluation: Evaluation, case: Case, on: date, receipt: Receipt) -> Evaluation:
    """The evaluation with its receipt and the case's warnings and notes (:mod:`regimes.plausibility`)."""
    warnings, notes = case_remarks(case, on)
    update: dict[str, Any] = {"receipt": receipt}
    if warnings:
        update["warnings"] = [*evaluation.warnings, *warnings]
    if notes:
        update["notes"] = [*evaluation.notes, *notes]
    return evaluation.model_copy(update=update)
