"""Resolve layers: a regime file plus what it extends → the rules that apply (a :class:`Regime`).

This is default logic with exceptions, as in Catala: the statute is the base; a later
statute *repeals* or *replaces* some of its rules (optionally only for some cases: a
transitional provision), and a deviating regime *exempts* rules it lifts, *amends* a field
of inherited rules, *adds* rules and declares the *safeguards* it keeps. Nothing is copied:
an inherited rule keeps its id, so a diff can say what changed and why.

Every cross-reference is checked here, where all files are in view, and each error names
the file and line of the entry that makes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from regimes.errors import RulesetError, RulesetErrors
from regimes.ruleset.load import LoadedFile
from regimes.ruleset.model import (
    Amendment,
    Condition,
    Exemption,
    RegimeHeader,
    Repeal,
    Replacement,
    Rule,
    Safeguard,
    SuspensionEndAnchor,
)
from regimes.vocabulary import Confidence, RegimeStatus


@dataclass(frozen=True)
class EffectiveRule:
    """One version of a rule as it applies in a regime, with where it came from."""

    rule: Rule
    origin: str
    file: LoadedFile = field(repr=False, compare=False)
    repealed_when: tuple[tuple[Condition, Repeal, str], ...] = ()
    replaces: str | None = None
    amended: tuple[tuple[Amendment, str], ...] = ()

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class EffectiveExemption:
    """An exemption and the regime that declared it (the base may have its own)."""

    exemption: Exemption
    regime: str
    file: LoadedFile = field(repr=False, compare=False)

    @property
    def applied(self) -> bool:
        """Unverified lifts are not applied: the base rule keeps binding (domain README)."""
        return self.exemption.confidence is not Confidence.UNVERIFIED


@dataclass(frozen=True)
class Regime:
    """A regime with its layers resolved: what :func:`regimes.evaluate` applies."""

    header: RegimeHeader
    chain: tuple[str, ...]
    rules: tuple[EffectiveRule, ...]
    exemptions: tuple[EffectiveExemption, ...]
    repeals: tuple[tuple[Repeal, str], ...]
    replacements: tuple[tuple[Replacement, str], ...]
    amendments: tuple[tuple[Amendment, str], ...]
    safeguards: tuple[Safeguard, ...]
    files: tuple[LoadedFile, ...] = field(repr=False, compare=False)
    valid_from: date | None = None
    valid_to: date | None = None
    #: The known-law horizon, the header's own or inherited from the base (:mod:`regimes.horizon`).
    known_until: date | None = None
    known_until_reason: str | None = None
    _lifted: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def title(self) -> str:
        return self.header.title

    @property
    def status(self) -> RegimeStatus:
        return self.header.status

    @property
    def file(self) -> LoadedFile:
        return self.files[0]

    def lifted_ids(self, rule_id: str) -> frozenset[str]:
        """``rule_id`` and the earlier versions it replaced: a lift of a rule lifts them too.

        Why: an exemption names the rule as its regime knows it (``lab-2024.kh-uh.first-interview``);
        on a date when the replaced version is still in force (a regime that starts before
        its base's replacement), the same provision is lifted under its older id.
        """
        cached = self._lifted.get(rule_id)
        if cached is not None:
            return cached
        found = {rule_id}
        frontier = [rule_id]
        while frontier:
            current = frontier.pop()
            for r in self.rules:
                if r.id == current and r.replaces and r.replaces not in found:
                    found.add(r.replaces)
                    frontier.append(r.replaces)
        self._lifted[rule_id] = frozenset(found)
        return self._lifted[rule_id]

    def rule_ids(self) -> list[str]:
        """Distinct rule ids, in order of first appearance."""
        return list(dict.fromkeys(r.id for r in self.rules))

    def versions(self, rule_id: str) -> list[EffectiveRule]:
        return [r for r in self.rules if r.id == rule_id]

    def version_date(self, on: date) -> date:
        """The date whose rule versions apply: ``on`` clamped to the regime's validity.

        A regime named explicitly is a what-if whatever the date (concepts.md, "Evaluation"):
        after its ``valid_to`` the versions of its last day apply, before its ``valid_from``
        those of its first day.
        """
        if self.valid_from is not None and on < self.valid_from:
            return self.valid_from
        if self.valid_to is not None and on > self.valid_to:
            return self.valid_to
        return on

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


def _err(file: LoadedFile, line: int | None, rule: str | None, message: str) -> RulesetError:
    return RulesetError(message, file=file.path, line=line, rule=rule)


def _overlap(a: Rule, b: Rule) -> bool:
    a_to = a.valid_to or date.max
    b_to = b.valid_to or date.max
    return a.valid_from <= b_to and b.valid_from <= a_to


def _patched(old: Rule, rep: Replacement, file: LoadedFile, index: int) -> Rule:
    """The old rule with the replacement's fields laid over it (an effect replaces the old whole)."""
    data: dict[str, Any] = {name: getattr(old, name) for name in Rule.model_fields}
    patch = {name: getattr(rep.with_, name) for name in rep.with_.model_fields_set}
    if any(k in patch for k in ("obligation", "quota", "right", "suspension")):
        for k in ("obligation", "quota", "right", "suspension"):
            data[k] = None
    if "valid_from" in patch and "valid_to" not in patch:
        data["valid_to"] = None
    data.update(patch)
    try:
        return Rule.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RulesetErrors(
            [_err(file, file.line_of("replace", index), rep.with_.id, f"with.{where}: {first['msg']}")]
        ) from None


def _amend(rule: Rule, amendment: Amendment) -> Rule | None:
    """The rule changed by the amendment, or ``None`` when the amendment does not touch it."""
    effect_name = rule.effect_kind
    effect = getattr(rule, effect_name)
    if amendment.rules != "all" and rule.id not in amendment.rules:
        return None
    actor = getattr(effect, "actor", None)
    if amendment.where_actor is not None and actor != amendment.where_actor:
        return None
    new_effect = effect
    if amendment.set.actor is not None and actor is not None:
        new_effect = new_effect.model_copy(update={"actor": amendment.set.actor})
    if amendment.set.deadline_confidence is not None and hasattr(new_effect, "window"):
        window = new_effect.window.model_copy(
            update={"deadline_confidence": amendment.set.deadline_confidence}
        )
        new_effect = new_effect.model_copy(update={"window": window})
    if new_effect == effect:
        return None
    return rule.model_copy(update={effect_name: new_effect})


class Layering:
    """Builds regimes from a set of loaded files (bundled and user-given)."""

    def __init__(self, files: Iterable[LoadedFile]) -> None:
        self.files: dict[str, LoadedFile] = {}
        errors: list[RulesetError] = []
        for loaded in files:
            ident = loaded.ruleset.id
            if ident in self.files:
                other = self.files[ident]
                errors.append(
                    _err(loaded, 1, None, f"regime/module id {ident!r} is also defined in {other.path}")
                )
                continue
            self.files[ident] = loaded
        if errors:
            raise RulesetErrors(errors)
        self._cache: dict[str, Regime] = {}

    def regime_ids(self) -> list[str]:
        return [i for i, f in self.files.items() if f.ruleset.regime is not None]

    def build(self, regime_id: str, _stack: tuple[str, ...] = ()) -> Regime:
        """The regime ``regime_id`` with its layers resolved (cached)."""
        if regime_id in self._cache:
            return self._cache[regime_id]
        loaded = self.files.get(regime_id)
        if loaded is None or loaded.ruleset.regime is None:
            from regimes.errors import ResolutionError

            known = ", ".join(sorted(self.regime_ids()))
            msg = f"unknown regime {regime_id!r} (known: {known})"
            raise ResolutionError(msg)
        if regime_id in _stack:
            cycle = " → ".join((*_stack, regime_id))
            raise RulesetErrors(
                [_err(loaded, loaded.line_of("regime", "extends"), None, f"extends cycle: {cycle}")]
            )
        regime = self._build(loaded, (*_stack, regime_id))
        self._cache[regime_id] = regime
        return regime

    def _build(self, loaded: LoadedFile, stack: tuple[str, ...]) -> Regime:
        header = loaded.ruleset.regime
        assert header is not None
        errors: list[RulesetError] = []
        base: Regime | None = None
        if header.extends is not None:
            if header.extends not in self.files or self.files[header.extends].ruleset.regime is None:
                line = loaded.line_of("regime", "extends")
                raise RulesetErrors([_err(loaded, line, None, f"extends unknown regime {header.extends!r}")])
            base = self.build(header.extends, stack)

        rules: list[EffectiveRule] = list(base.rules) if base else []
        files: list[LoadedFile] = [loaded, *(base.files if base else ())]

        def add(rule_list: Iterable[Rule], origin: str, file: LoadedFile) -> None:
            for index, rule in enumerate(rule_list):
                clash = [r for r in rules if r.id == rule.id]
                for other in clash:
                    if other.origin != origin or _overlap(other.rule, rule):
                        where = f"{other.file.path}" if other.file is not file else "this file"
                        errors.append(
                            _err(
                                file,
                                file.line_of("rules", index),
                                rule.id,
                                f"duplicate rule id (also in {where}); two versions of one rule "
                                "must sit in one file with validity periods that do not overlap",
                            )
                        )
                        break
                else:
                    rules.append(EffectiveRule(rule=rule, origin=origin, file=file))

        for name in header.include:
            module = self.files.get(name)
            if module is None or module.ruleset.module is None:
                errors.append(
                    _err(
                        loaded, loaded.line_of("regime", "include"), None, f"includes unknown module {name!r}"
                    )
                )
                continue
            files.append(module)
            add(module.ruleset.rules, name, module)

        def known(rule_id: str) -> bool:
            return any(r.id == rule_id for r in rules)

        # Repeals: the successor statute removes rules, for everyone or for a class of cases.
        repeals: list[tuple[Repeal, str]] = list(base.repeals) if base else []
        for index, repeal in enumerate(loaded.ruleset.repeal):
            repeals.append((repeal, header.id))
            for rule_id in repeal.rules:
                if not known(rule_id):
                    errors.append(
                        _err(
                            loaded,
                            loaded.line_of("repeal", index),
                            rule_id,
                            "repeal names a rule the base lacks",
                        )
                    )
                    continue
                if repeal.when is None:
                    rules = [r for r in rules if r.id != rule_id]
                else:
                    rules = [
                        replace(r, repealed_when=(*r.repealed_when, (repeal.when, repeal, header.id)))
                        if r.id == rule_id
                        else r
                        for r in rules
                    ]

        # Replacements: the old rule gives way to a patched copy under a new (or the same) id.
        replacements: list[tuple[Replacement, str]] = list(base.replacements) if base else []
        for index, rep in enumerate(loaded.ruleset.replace):
            replacements.append((rep, header.id))
            olds = [r for r in rules if r.id == rep.rule]
            if not olds:
                errors.append(
                    _err(
                        loaded,
                        loaded.line_of("replace", index),
                        rep.rule,
                        "replace names a rule the base lacks",
                    )
                )
                continue
            old = olds[-1]
            try:
                new_rule = _patched(old.rule, rep, loaded, index)
            except RulesetErrors as exc:
                errors.extend(exc.errors)
                continue
            if new_rule.id != rep.rule and known(new_rule.id):
                errors.append(
                    _err(
                        loaded,
                        loaded.line_of("replace", index),
                        new_rule.id,
                        "replacement id is already in use",
                    )
                )
                continue
            # The old versions give way from the day the new rule starts: where it starts later,
            # they stay in force until the day before (a what-if date inside the old period, or a
            # regime that starts earlier than its base, still sees the law of that day).
            kept = []
            for r in rules:
                if r.id != rep.rule:
                    kept.append(r)
                elif r.rule.valid_from < new_rule.valid_from:
                    end = new_rule.valid_from - timedelta(days=1)
                    if r.rule.valid_to is None or r.rule.valid_to > end:
                        ended = r.rule.model_copy(update={"valid_to": end})
                        r = replace(r, rule=ended)
                    kept.append(r)
            rules = kept
            rules.append(
                EffectiveRule(
                    rule=new_rule,
                    origin=header.id,
                    file=loaded,
                    repealed_when=old.repealed_when,
                    replaces=rep.rule,
                )
            )

        add(loaded.ruleset.rules, header.id, loaded)

        # Amendments: inherited rules keep their ids, one field changes.
        amendments: list[tuple[Amendment, str]] = list(base.amendments) if base else []
        for index, amendment in enumerate(loaded.ruleset.amend):
            amendments.append((amendment, header.id))
            if amendment.rules != "all":
                for rule_id in amendment.rules:
                    if not known(rule_id):
                        errors.append(
                            _err(
                                loaded,
                                loaded.line_of("amend", index),
                                rule_id,
                                "amend names a rule the base lacks",
                            )
                        )
            new_rules = []
            for r in rules:
                if r.origin == header.id and r.replaces is None:
                    new_rules.append(r)  # the regime's own rules say what they mean already
                    continue
                changed = _amend(r.rule, amendment)
                new_rules.append(
                    replace(r, rule=changed, amended=(*r.amended, (amendment, header.id))) if changed else r
                )
            rules = new_rules

        # Exemptions: lifted rules stay in the regime and evaluate as `exempted`.
        exemptions: list[EffectiveExemption] = list(base.exemptions) if base else []
        for index, exemption in enumerate(loaded.ruleset.exempt):
            for rule_id in exemption.rules:
                if not known(rule_id):
                    errors.append(
                        _err(
                            loaded,
                            loaded.line_of("exempt", index),
                            rule_id,
                            "exemption names a rule the base lacks",
                        )
                    )
            if exemption.by is not None and not known(exemption.by):
                errors.append(
                    _err(
                        loaded,
                        loaded.line_of("exempt", index),
                        exemption.by,
                        "exemption 'by' names an unknown rule",
                    )
                )
            exemptions.append(EffectiveExemption(exemption=exemption, regime=header.id, file=loaded))

        for index, guard in enumerate(loaded.ruleset.safeguards):
            for rule_id in [*guard.rules, *([guard.rule] if guard.rule else [])]:
                if not known(rule_id):
                    errors.append(
                        _err(
                            loaded,
                            loaded.line_of("safeguards", index),
                            rule_id,
                            f"safeguard '{guard.id}' names an unknown rule",
                        )
                    )

        for r in rules:
            window = getattr(getattr(r.rule, r.rule.effect_kind), "window", None)
            anchor = getattr(window, "anchor", None)
            if isinstance(anchor, SuspensionEndAnchor) and not known(anchor.suspension_end_at_deadline_of):
                errors.append(
                    _err(
                        r.file,
                        r.file.rule_line("rules", r.id),
                        r.id,
                        f"window.anchor names unknown rule {anchor.suspension_end_at_deadline_of!r}",
                    )
                )

        if errors:
            raise RulesetErrors(errors)
        valid_from = (
            header.valid_from if header.valid_from is not None else (base.valid_from if base else None)
        )
        valid_to = header.valid_to if header.valid_from is not None else (base.valid_to if base else None)
        return Regime(
            header=header,
            chain=(header.id, *(base.chain if base else ())),
            rules=tuple(rules),
            exemptions=tuple(exemptions),
            repeals=tuple(repeals),
            replacements=tuple(replacements),
            amendments=tuple(amendments),
            safeguards=tuple(loaded.ruleset.safeguards),
            files=tuple(files),
            valid_from=valid_from,
            valid_to=valid_to,
            known_until=header.known_until
            if header.known_until is not None
            else (base.known_until if base else None),
            known_until_reason=header.known_until_reason
            if header.known_until is not None
            else (base.known_until_reason if base else None),
        )
