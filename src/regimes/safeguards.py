"""Check the safeguards (hegnspæle) a regime declares; a broken one comes with a witness.

Case-level safeguards are checked against every class of cases (:mod:`regimes.partition`):
exact, because they depend only on which conditions hold. ``must_apply`` — for every case
matching ``when``, the rule applies and binds (not exempted, not a waivable quota);
``must_not_apply`` — it never applies there; ``not_exempted`` — no applied exemption lifts
the rules; ``quota_share`` — every quota has the declared floor. ``structural`` safeguards
are about the regime, not about cases (benefits, data reporting): they are listed, and
hold because no rule of the product encodes those areas.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta

from engine.compiled import TRUE, FactValue, Predicate, atoms, holds, push_not
from regimes.case import Case
from regimes.compile import compile_regime, to_predicate
from regimes.dates import to_int
from regimes.layer import Regime
from regimes.partition import classes, describe
from regimes.results import Evaluation
from regimes.ruleset.model import Safeguard
from regimes.vocabulary import RightStatus, Status
from regimes.witness import witness_data

#: Days a not-exempted witness's case starts before the lift: its windows then fall in the regime.
WITNESS_LEAD_DAYS = 6


def _check_dates(regime: Regime) -> list[date]:
    start = regime.valid_from or date(2020, 1, 1)
    days = {start}
    for er in regime.rules:
        if regime.covers(er.rule.valid_from) and er.rule.valid_from > start:
            days.add(er.rule.valid_from)
    return sorted(days)


def _where(regime: Regime, guard: Safeguard) -> str:
    line = regime.file.rule_line("safeguards", guard.id)
    return f"{regime.file.path}:{line}" if line else str(regime.file.path)


def _witness_text(row: Mapping[str, FactValue], on: date) -> str:
    data = witness_data(row, on)
    return json.dumps(data, ensure_ascii=False)


def check_safeguards(regime: Regime) -> tuple[list[str], list[str]]:
    """``(findings, notes)`` for the safeguards ``regime`` declares."""
    findings: list[str] = []
    notes: list[str] = []
    compiled = compile_regime(regime)
    n_rules = len(compiled.rules)
    case_level = [g for g in regime.safeguards if g.kind != "structural"]
    if regime.safeguards and not case_level:
        notes.append(
            f"{regime.id}: declares no case-level safeguard (only structural ones, which hold "
            "because no rule "
            "of the product encodes benefits, reporting or organisation); nothing to test over cases"
        )
    for guard in regime.safeguards:
        where = _where(regime, guard)
        if guard.kind == "structural":
            continue
        if guard.kind == "quota_share":
            for er in compiled.rules:
                if er.rule.quota is not None and abs(er.rule.quota.share - (guard.share or 0)) > 1e-9:
                    findings.append(
                        f"{where}: safeguard '{guard.id}': quota '{er.id}' has share {er.rule.quota.share}, "
                        f"not {guard.share}"
                    )
            continue
        if guard.kind == "not_exempted":
            for j, ex in enumerate(compiled.exemptions):
                lifted = {i for rule_id in ex.exemption.rules for i in regime.lifted_ids(rule_id)}
                hit = [r for r in guard.rules if r in lifted]
                if not hit:
                    continue
                predicate = compiled.predicates[n_rules + j]
                row = next((r for r in classes([predicate]) if holds(predicate, r)), None)
                if row is None:
                    continue
                on = ex.exemption.from_ or _check_dates(regime)[0]
                if "period_start" not in {a.fact for a in atoms(push_not(predicate))}:
                    # The case starts just before the lift, so its duties fall due while the regime
                    # lifts them (C8: a duty due before the regime started is judged by its base).
                    row = {**row, "period_start": to_int(on - timedelta(days=WITNESS_LEAD_DAYS))}
                findings.append(
                    f"{where}: safeguard '{guard.id}': {', '.join(hit)} exempted by {ex.exemption.citation} "
                    f"for {describe(row, [predicate])}; witness on {on}: {_witness_text(row, on)}"
                )
            continue
        # must_apply / must_not_apply: over every class where `when` holds.
        when: Predicate = to_predicate(guard.when) if guard.when is not None else TRUE
        indexes = [i for i, er in enumerate(compiled.rules) if er.id == guard.rule]
        exemption_indexes = [
            n_rules + j
            for j, ex in enumerate(compiled.exemptions)
            if any(guard.rule in regime.lifted_ids(rule_id) for rule_id in ex.exemption.rules)
        ]
        predicates = [when] + [compiled.predicates[i] for i in indexes + exemption_indexes]
        for day in _check_dates(regime):
            for row in classes(predicates):
                if not holds(when, row):
                    continue
                live = [i for i in indexes if compiled.rules[i].rule.in_force(day)]
                applies = any(holds(compiled.predicates[i], row) for i in live)
                if guard.kind == "must_not_apply":
                    if applies:
                        findings.append(
                            f"{where}: safeguard '{guard.id}': {guard.rule} applies to "
                            f"{describe(row, predicates)}; "
                            f"witness on {day}: {_witness_text(row, day)}"
                        )
                        break
                    continue
                problem = None
                if not applies:
                    problem = "does not apply"
                elif guard.binding and any(compiled.rules[i].rule.quota is not None for i in live):
                    problem = "is only a waivable quota"
                else:
                    for k in exemption_indexes:
                        lift = compiled.exemptions[k - n_rules].exemption
                        if holds(compiled.predicates[k], row) and (lift.from_ is None or day >= lift.from_):
                            problem = f"is exempted by {lift.citation}"
                            break
                if problem:
                    findings.append(
                        f"{where}: safeguard '{guard.id}': {guard.rule} {problem} for "
                        f"{describe(row, predicates)}; "
                        f"witness on {day}: {_witness_text(row, day)}"
                    )
                    break
    return findings, notes


def _not_owed_then(regime: Regime, case: Case, evaluation: Evaluation, rule: str) -> bool:
    """Whether ``rule`` is left out because it fell due under another law (C8,
    :mod:`regimes.transitions`): a safeguard binds the regime's duties, not the earlier law's."""
    from regimes.evaluate import evaluate
    from regimes.transitions import NOT_OWED_THEN

    explained = evaluate(case, regime, evaluation.on, explain=True)
    return any(n.rule == rule and n.reason.startswith(NOT_OWED_THEN) for n in explained.not_applied or [])


def case_violations(regime: Regime, case: Case, evaluation: Evaluation) -> list[str]:
    """The case-level safeguards of ``regime`` that ``evaluation`` (of ``case``) breaks.

    The per-case reading of each kind, used by property tests over generated cases (and
    by anyone who wants to audit a single evaluation): it must agree with the exact
    class-based check above.
    """
    from regimes.evaluate import engine_for
    from regimes.facts import fact_row

    problems: list[str] = []
    row = fact_row(case, evaluation.on)
    for guard in regime.safeguards:
        if guard.kind == "not_exempted":
            for o in evaluation.obligations:
                if o.rule in guard.rules and o.status is Status.EXEMPTED:
                    problems.append(f"{guard.id}: {o.rule} is exempted")
        elif guard.kind == "quota_share":
            for o in evaluation.obligations:
                if o.kind == "quota" and o.share != guard.share:
                    problems.append(f"{guard.id}: {o.rule} has share {o.share}")
        elif guard.kind in ("must_apply", "must_not_apply"):
            when = to_predicate(guard.when) if guard.when is not None else TRUE
            if not holds(when, row):
                continue
            found = evaluation.obligation(guard.rule or "") or evaluation.right(guard.rule or "")
            if guard.kind == "must_not_apply":
                if found is not None:
                    problems.append(f"{guard.id}: {guard.rule} applies")
                continue
            in_force = any(
                er.id == guard.rule and er.rule.in_force(regime.version_date(evaluation.on))
                for er in engine_for(regime).compiled.rules
            )
            if found is None:
                if in_force and not _not_owed_then(regime, case, evaluation, guard.rule or ""):
                    problems.append(f"{guard.id}: {guard.rule} does not apply")
            elif guard.binding and found.status in (Status.EXEMPTED, Status.WAIVABLE, RightStatus.EXEMPTED):
                problems.append(f"{guard.id}: {guard.rule} is {found.status.value}")
    return problems
