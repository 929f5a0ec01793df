"""The law explorer: a regime as a readable page (Markdown) or as data (JSON).

Why: a caseworker or an analyst should be able to read what the product believes the law
says, rule by rule, with its citation, its window in words, how sure we are, and where it
came from, without reading YAML. ``docs/regimes/`` holds the generated pages.
"""

from __future__ import annotations

from typing import Any

from regimes.layer import EffectiveRule, Regime
from regimes.ruleset.model import (
    TOPIC_TITLES,
    EventAnchor,
    OfferEndAnchor,
    Reckoning,
    RecurringAnchor,
    SuspensionEndAnchor,
    Topic,
    Window,
)
from regimes.vocabulary import Confidence, TargetGroup

ANCHOR_WORDS = {
    "registered_on": "registration as a jobseeker",
    "first_inquiry_on": "the first inquiry to the municipality",
    "period_start": "the start of the LAB § 9 period",
    "sickness_first_day": "the first day of absence",
    "visitation_on": "the visitation",
}


def _amount(reckoning: Reckoning) -> str:
    amount = getattr(reckoning, reckoning.kind)
    unit = amount.unit if amount.n != 1 else amount.unit.rstrip("s")
    return f"{amount.n} {unit}"


def reckoning_words(reckoning: Reckoning, anchor: str) -> str:
    kind = reckoning.kind
    if kind == "end_of_week":
        return f"by the end of week {reckoning.end_of_week} counted from {anchor}"
    if kind == "after":
        return f"no later than {_amount(reckoning)} after {anchor}"
    if kind == "month_end_after":
        return f"at the end of the calendar month in which {_amount(reckoning)} after {anchor} falls"
    if kind == "first":
        return f"within the first {_amount(reckoning)} from {anchor}"
    return f"the day after the first {_amount(reckoning)} from {anchor}"


def window_words(window: Window) -> str:
    """A window in words, e.g. "opens …; deadline: within the first 6 months from …"."""
    anchor = window.anchor
    if isinstance(anchor, str):
        anchor_text = ANCHOR_WORDS.get(anchor, anchor)
    elif isinstance(anchor, EventAnchor):
        anchor_text = f"the first {anchor.event.replace('_', ' ')} event"
    elif isinstance(anchor, RecurringAnchor):
        every = f"{anchor.every.n} {anchor.every.unit}"
        anchor_text = (
            f"each mark of {every} from {ANCHOR_WORDS.get(anchor.from_, anchor.from_)} "
            "(the earliest mark not yet followed by the step, so a missed one stays in view)"
        )
    elif isinstance(anchor, OfferEndAnchor):
        anchor_text = "the last day of the latest offer"
    else:
        assert isinstance(anchor, SuspensionEndAnchor)
        anchor_text = (
            f"the end of the exemption that held on {anchor.suspension_end_at_deadline_of}'s deadline"
        )
    parts = [
        f"opens {reckoning_words(window.opens, anchor_text)}" if window.opens else f"opens on {anchor_text}"
    ]
    if window.deadline:
        text = reckoning_words(window.deadline, anchor_text)
        if window.deadline_confidence and window.deadline_confidence is not Confidence.SEEN:
            text += f" ({window.deadline_confidence.value})"
        parts.append(f"deadline {text}")
    else:
        parts.append("no deadline")
    if window.accumulated:
        parts.append("counted in accumulated unemployment (dagpenge: interruptions move it)")
    return "; ".join(parts)


def rule_summary(er: EffectiveRule, regime: Regime) -> dict[str, Any]:
    """A rule as plain data for ``show --format json``."""
    rule = er.rule
    effect = getattr(rule, rule.effect_kind)
    window = getattr(effect, "window", None)
    sources = {k: v for f in regime.files for k, v in _sources(f).items()}
    return {
        "id": rule.id,
        "title": rule.title,
        "effect": rule.effect_kind,
        "step": getattr(getattr(effect, "step", None), "value", None),
        "actor": getattr(getattr(effect, "actor", None), "value", None),
        "count": getattr(effect, "count", None),
        "window": window_words(window) if window else None,
        "groups": [g.value for g in rule.groups] if rule.groups else "all",
        "citation": rule.citation,
        "citation_verified": rule.citation_verified,
        "confidence": rule.confidence.value,
        "active_by_default": rule.confidence is not Confidence.UNVERIFIED,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "source": rule.source,
        "source_url": sources.get(rule.source or ""),
        "origin": er.origin,
        "replaces": er.replaces,
        "repealed_for": [f"{repeal.citation} ({by})" for _condition, repeal, by in er.repealed_when],
        "note": rule.note,
    }


def _sources(file: Any) -> dict[str, str]:
    header = file.ruleset.regime or file.ruleset.module
    return dict(header.sources) if header else {}


def regime_summary(regime: Regime) -> dict[str, Any]:
    """A regime as plain data for ``show --format json``."""
    h = regime.header
    exempted = []
    for ex in regime.exemptions:
        exempted.append(
            {
                "rules": ex.exemption.rules,
                "citation": ex.exemption.citation,
                "confidence": ex.exemption.confidence.value,
                "applied": ex.applied,
                "by": ex.exemption.by,
                "regime": ex.regime,
            }
        )
    return {
        "id": h.id,
        "title": h.title,
        "status": h.status.value,
        "legal_basis": h.legal_basis,
        "valid_from": h.valid_from.isoformat() if h.valid_from else None,
        "valid_to": h.valid_to.isoformat() if h.valid_to else None,
        "scope": h.scope,
        "extends": h.extends,
        "rules": [rule_summary(er, regime) for er in _shown(regime)],
        "exemptions": exempted,
        "safeguards": [s.model_dump(mode="json", exclude_none=True) for s in regime.safeguards],
        "not_modelled": [n.model_dump(mode="json", exclude_none=True) for n in h.not_modelled],
        "context": [c.model_dump(mode="json", exclude_none=True) for c in h.context],
        "notes": h.notes,
    }


def _shown(regime: Regime) -> list[EffectiveRule]:
    """The rule versions a reader of this regime needs: those that can be in force during it.

    A version the regime's own replacements ended before the regime began (the 2020 wording of
    a rule, in the 2024 regime) is the base's business; the replacement names it.
    """
    start = regime.valid_from
    return [
        er for er in regime.rules if start is None or er.rule.valid_to is None or er.rule.valid_to >= start
    ]


def _groups_key(er: EffectiveRule) -> str:
    groups = er.rule.groups
    if not groups:
        return "All groups"
    if len(groups) == len(TargetGroup):
        return "All groups"
    return ", ".join(g.value for g in groups)


def regime_markdown(regime: Regime) -> str:
    """The law-explorer page of a regime."""
    h = regime.header
    sources = {k: v for f in regime.files for k, v in _sources(f).items()}
    out = [f"# {h.id}: {h.title}", ""]
    out += [
        "| field | value |",
        "|---|---|",
        f"| status | `{h.status.value}` |",
        f"| legal basis | {h.legal_basis} |",
        f"| valid | {h.valid_from or '–'} → {h.valid_to or 'open'} |",
        f"| scope | {'all municipalities' if h.scope == 'all' else ', '.join(h.scope)} |",
        f"| extends | {h.extends or '–'} |",
        "",
    ]
    exempted = {rule_id: ex for ex in regime.exemptions for rule_id in ex.exemption.rules}
    by_topic: dict[Topic, list[EffectiveRule]] = {}
    seen: set[tuple[str, str]] = set()
    for er in _shown(regime):
        key = (er.id, er.rule.valid_from.isoformat())
        if key in seen:
            continue
        seen.add(key)
        by_topic.setdefault(er.rule.topic, []).append(er)
    for topic in Topic:
        rules = by_topic.get(topic)
        if not rules:
            continue
        out += [f"## {TOPIC_TITLES[topic]}", ""]
        groups: dict[str, list[EffectiveRule]] = {}
        for er in rules:
            groups.setdefault(_groups_key(er), []).append(er)
        for group_name, members in groups.items():
            out += [f"### {group_name}", ""]
            for er in members:
                rule = er.rule
                effect = getattr(rule, rule.effect_kind)
                marks = []
                if rule.confidence is Confidence.UNVERIFIED:
                    marks.append("**unverified: off unless --include-unverified**")
                if not rule.citation_verified:
                    marks.append("citation unverified")
                if rule.id in exempted:
                    ex = exempted[rule.id]
                    state = "exempted" if ex.applied else "lift unverified, not applied"
                    marks.append(f"{state} by {ex.exemption.citation}")
                out.append(f"- **`{rule.id}`** — {rule.title}" + (f" ({'; '.join(marks)})" if marks else ""))
                if rule.effect_kind in ("obligation", "quota"):
                    line = (
                        f"  - {rule.effect_kind}: `{effect.step.value}` by `{effect.actor.value}`, "
                        f"at least {effect.count}"
                    )
                    if rule.effect_kind == "quota":
                        line += f"; a caseload floor of {effect.share:.0%}, waivable per case"
                    out.append(line)
                elif rule.effect_kind == "right":
                    out.append(f"  - right: `{effect.step.value}` from `{effect.actor.value}`")
                else:
                    out.append(
                        "  - suspension of "
                        + ", ".join(t.value for t in effect.topics)
                        + " while a ground holds: "
                        + ", ".join(g.value for g in effect.grounds)
                    )
                window = getattr(effect, "window", None)
                if window is not None:
                    out.append(f"  - window: {window_words(window)}")
                    if window.note:
                        out.append(f"  - note on the window: {window.note}")
                url = sources.get(rule.source or "")
                source = f"[{rule.source}]({url})" if url and url.startswith("http") else (rule.source or "–")
                valid = f"{rule.valid_from} → {rule.valid_to or 'open'}"
                out.append(
                    f"  - {rule.citation} · confidence `{rule.confidence.value}` · valid {valid} "
                    f"· source {source}"
                )
                if er.replaces:
                    out.append(f"  - replaces `{er.replaces}`")
                for condition, repeal, by in er.repealed_when:
                    from engine.compiled import Cmp
                    from regimes.compile import to_predicate
                    from regimes.evaluate import render_atom

                    predicate = to_predicate(condition)
                    text = render_atom(predicate) if isinstance(predicate, Cmp) else "a condition"
                    out.append(f"  - repealed by {repeal.citation} ({by}) where {text}")
                if rule.note:
                    out.append(f"  - {rule.note}")
            out.append("")
    if regime.safeguards:
        out += ["## Safeguards (hegnspæle)", ""]
        for guard in regime.safeguards:
            out.append(f"- `{guard.id}` ({guard.kind}, `{guard.confidence.value}`): {guard.description}")
        out.append("")
    if h.not_modelled:
        out += ["## Not modelled", ""]
        for item in h.not_modelled:
            applies_to = ", ".join(g.value for g in item.groups) if item.groups else "all groups"
            when = ""
            if item.valid_from or item.valid_to:
                start = item.valid_from.isoformat() if item.valid_from else "…"
                end = item.valid_to.isoformat() if item.valid_to else "…"
                when = f", {start} → {end}"
            out.append(f"- {item.topic.value} ({applies_to}{when}): {item.note}")
        out.append("")
    if h.context:
        out += ["## Context (no effect on evaluations)", ""]
        for context in h.context:
            out.append(f"- **{context.id}** (`{context.confidence.value}`): {context.text}")
        out.append("")
    if h.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in h.notes] + [""]
    if sources:
        out += ["## Sources", "", "| key | where |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in sources.items()]
        out.append("")
    return "\n".join(out)
