"""``regimes check``: every finding about the rulesets, in one pass.

What it checks: each file parses and validates (file, line, rule, field); each regime's
layers resolve (dangling references, duplicate ids, overlapping versions); each rule a
file defines has YAML tests that make it fire and not fire; resolution has exactly one
regime for every municipality and date from 2020-01-01; and each deviating regime keeps the
safeguards it declares (:mod:`regimes.safeguards`), with a witness case when it does not.
It also builds the coverage table: provisions encoded per topic and confidence, and flags every
rule whose citation could not be located (``citation_verified: false``, or a citation that says
"not located"): those are listed with the file and line, and counted per topic in the table. A flag
is not a finding (such a rule may be encoded, README "Confidence tags"); a citation that says "not
located" while claiming ``citation_verified: true`` contradicts itself and is a finding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from regimes.errors import RegimesError, RulesetError, RulesetErrors
from regimes.layer import Layering, Regime
from regimes.library import load_files, ruleset_paths, rulesets_dir
from regimes.resolve import coverage_problems
from regimes.ruleset.load import LoadedFile
from regimes.ruleset.model import TOPIC_TITLES, Topic
from regimes.testing import tested_rules, tests_path_for
from regimes.vocabulary import Confidence

NOT_LOCATED = "not located"


@dataclass(frozen=True)
class UnlocatedCitation:
    """A rule whose citation could not be located in the legal text."""

    rule: str
    topic: Topic
    citation: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: rule '{self.rule}': citation not located ({self.citation})"


def citation_unlocated(citation: str, verified: bool) -> bool:
    """Whether a citation is flagged: marked unverified, or saying so in its text.

    >>> citation_unlocated("SDL (provision not located)", True)
    True
    >>> citation_unlocated("LAB § 23, stk. 1, nr. 1", True)
    False
    """
    return not verified or NOT_LOCATED in citation.lower()


@dataclass
class CheckReport:
    """Findings (each printable as ``file:line: rule 'id': what``) and the coverage table."""

    findings: list[str] = field(default_factory=list)
    coverage: dict[tuple[Topic, Confidence], int] = field(default_factory=dict)
    unlocated: list[UnlocatedCitation] = field(default_factory=list)
    regimes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _own_rules(regime: Regime) -> list[tuple[str, LoadedFile]]:
    """Rules a regime's own files define (its own rules, replacements and included modules)."""
    own_files = {id(f) for f in regime.files if f.ruleset.id == regime.id or f.ruleset.module is not None}
    seen: dict[str, LoadedFile] = {}
    for er in regime.rules:
        if id(er.file) in own_files:
            seen.setdefault(er.id, er.file)
    return list(seen.items())


def check_paths(paths: Sequence[Path] | None = None) -> CheckReport:
    """Check the given ruleset files (default: the bundled folder)."""
    report = CheckReport()
    try:
        folder_paths = list(paths) if paths else ruleset_paths(rulesets_dir())
    except RulesetError as exc:
        report.findings.append(str(exc))
        return report
    expanded: list[Path] = []
    for path in folder_paths:
        expanded.extend(ruleset_paths(path) if path.is_dir() else [path])
    if not expanded:
        where = ", ".join(str(p) for p in paths) if paths else str(rulesets_dir())
        report.findings.append(f"{where}: no ruleset files (*.yaml): nothing to check is an error, not ok")
        return report
    try:
        files = load_files(expanded)
    except RulesetErrors as exc:
        report.findings.extend(str(e) for e in exc.errors)
        return report
    if paths:
        from regimes.library import bundled

        ids = {f.ruleset.id for f in files}
        files = [*files, *(f for f in bundled().files.values() if f.ruleset.id not in ids)]
        checked_ids = ids
    else:
        checked_ids = {f.ruleset.id for f in files}
    try:
        layering = Layering(files)
    except RulesetErrors as exc:
        report.findings.extend(str(e) for e in exc.errors)
        return report

    regimes: list[Regime] = []
    for ident in layering.regime_ids():
        try:
            regimes.append(layering.build(ident))
        except RulesetErrors as exc:
            report.findings.extend(str(e) for e in exc.errors)
        except RegimesError as exc:
            report.findings.append(str(exc))
    report.regimes = [r.id for r in regimes]

    # Every rule defined in a checked file needs a test that fires and one that does not.
    test_paths = sorted({tests_path_for(f.path) for f in files if f.ruleset.id in checked_ids})
    try:
        covered = tested_rules([p for p in test_paths if p.exists()])
    except RulesetErrors as exc:
        report.findings.extend(str(e) for e in exc.errors)
        covered = {}
    defined: dict[str, LoadedFile] = {}
    for regime in regimes:
        for rule_id, file in _own_rules(regime):
            if file.ruleset.id in checked_ids:
                defined.setdefault(rule_id, file)
    for rule_id, file in defined.items():
        missing = [
            label
            for flag, label in ((True, "fires"), (False, "does not fire"))
            if flag not in covered.get(rule_id, set())
        ]
        if missing:
            line = file.rule_line("rules", rule_id) or _replace_line(file, rule_id)
            report.findings.append(
                str(
                    RulesetError(
                        f"no YAML test where it {' / '.join(missing)} "
                        f"(add one to {tests_path_for(file.path).name})",
                        file=file.path,
                        line=line,
                        rule=rule_id,
                    )
                )
            )
    for rule_id in sorted(set(covered) - set(defined) - {r.id for g in regimes for r in g.rules}):
        report.findings.append(f"tests name rule '{rule_id}', which no regime defines")

    # Resolution: one regime for every municipality and date from 2020.
    if regimes and len(regimes) == len(layering.regime_ids()):
        report.findings.extend(f"resolution: {p}" for p in coverage_problems(layering)[:20])

    # Safeguards, with witness cases.
    from regimes.safeguards import check_safeguards

    for regime in regimes:
        if regime.id in checked_ids:
            findings, notes = check_safeguards(regime)
            report.findings.extend(findings)
            report.notes.extend(notes)

    # Coverage: provisions encoded per topic and confidence (distinct rule ids, newest version).
    counts: Counter[tuple[Topic, Confidence]] = Counter()
    seen: set[str] = set()
    for regime in regimes:
        for er in regime.rules:
            if er.id in seen:
                continue
            seen.add(er.id)
            counts[(er.rule.topic, er.rule.confidence)] += 1
            rule = er.rule
            if not citation_unlocated(rule.citation, rule.citation_verified):
                continue
            line = er.file.rule_line("rules", er.id) or _replace_line(er.file, er.id)
            where = f"{er.file.path}:{line}" if line else str(er.file.path)
            report.unlocated.append(UnlocatedCitation(er.id, rule.topic, rule.citation, where))
            if rule.citation_verified and er.file.ruleset.id in checked_ids:
                report.findings.append(
                    f"{where}: rule '{er.id}': citation says '{NOT_LOCATED}' but citation_verified is true "
                    "(set citation_verified: false)"
                )
    report.coverage = dict(counts)
    return report


def _replace_line(file: LoadedFile, rule_id: str) -> int | None:
    for index, rep in enumerate(file.ruleset.replace):
        if rep.with_.id == rule_id:
            return file.line_of("replace", index)
    return None


def coverage_rows(report: CheckReport) -> list[tuple[str, dict[Confidence, int], int, int]]:
    """Rows of the coverage table: topic title, count per confidence, total, citations not located."""
    unlocated = Counter(u.topic for u in report.unlocated)
    rows = []
    for topic in Topic:
        per = {c: report.coverage.get((topic, c), 0) for c in Confidence}
        total = sum(per.values())
        if total:
            rows.append((TOPIC_TITLES[topic], per, total, unlocated.get(topic, 0)))
    return rows
