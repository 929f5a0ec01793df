"""``regimes verify RECEIPT``: re-run a result and say whether the installed law is the same.

A receipt file is what ``regimes evaluate --format json`` or ``regimes diff --format json`` wrote
(each result carries its :class:`~regimes.receipt.Receipt`). Verifying it answers two questions:

1. **Is the installed law the same?** Every ruleset file the receipt lists is hashed again as the
   installed regime loads it now; a file that changed, appeared or went is named.
2. **Does it give the same result?** The inputs are read again (the file the receipt names, or
   ``--cases``; its digest must match) and evaluated (or diffed) with the same regime, date, back
   end and options; the new result is compared with the stored one, receipt aside.

Why both: the law can be the same while a changed input or package gives another result, and the
other way round; a user needs to know which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regimes.errors import CaseError
from regimes.receipt import Receipt, digest_bytes, ruleset_digests

__all__ = ["VerifyReport", "verify_file"]


@dataclass
class VerifyReport:
    """What verification found; ``ok`` when law and results are the same."""

    lines: list[str] = field(default_factory=list)
    law_same: bool = True
    results_same: bool | None = None

    @property
    def ok(self) -> bool:
        return self.law_same and self.results_same is not False


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k != "receipt"}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _law(receipt: Receipt, report: VerifyReport) -> None:
    from regimes import __version__
    from regimes.library import load_regime

    try:
        regimes = [load_regime(ident) for ident in receipt.regimes]
    except Exception as exc:  # an unknown regime id or a broken file: the law is not the same
        report.law_same = False
        report.lines.append(f"law: differs: {exc}")
        return
    now = {d.file: d.sha256 for d in ruleset_digests(regimes)}
    then = {d.file: d.sha256 for d in receipt.rulesets}
    changed = sorted(f for f in then if f in now and now[f] != then[f])
    gone = sorted(set(then) - set(now))
    new = sorted(set(now) - set(then))
    names = ", ".join(receipt.regimes)
    if not (changed or gone or new):
        report.lines.append(f"law: same ({len(then)} ruleset file(s) of {names}, SHA-256 match)")
    else:
        report.law_same = False
        for f in changed:
            report.lines.append(f"law: differs: {f} changed (sha256 {then[f][:12]}… → {now[f][:12]}…)")
        for f in gone:
            report.lines.append(f"law: differs: {f} is no longer part of {names}")
        for f in new:
            report.lines.append(f"law: differs: {f} is now part of {names}")
    if receipt.version != str(__version__):
        report.lines.append(f"package: regimes {receipt.version} then, {__version__} installed")


def _cases(receipt: Receipt, override: Path | None, report: VerifyReport) -> list[Any] | None:
    from regimes.inputs import read_cases

    if receipt.input is None:
        report.lines.append("result: not re-run (the receipt names no input)")
        return None
    source = str(override) if override is not None else receipt.input.source
    if source == "-":
        report.lines.append("result: not re-run (the input was standard input; give it with --cases FILE)")
        return None
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.lines.append(
            f"result: not re-run ({source}: {exc.strerror or exc}; give the cases with --cases)"
        )
        return None
    if receipt.input.sha256 is not None and digest_bytes(data) != receipt.input.sha256:
        report.lines.append(f"input: differs: {source} is not the file the receipt was made from (SHA-256)")
        report.results_same = False
        return None
    return read_cases(path)


def _verify_evaluations(items: Sequence[dict[str, Any]], override: Path | None, report: VerifyReport) -> None:
    from regimes.evaluate import evaluate_many

    groups: dict[str, list[dict[str, Any]]] = {}
    receipts: dict[str, Receipt] = {}
    for item in items:
        if "receipt" not in item:
            raise CaseError("the receipt file holds an evaluation without a receipt")
        receipt = Receipt.model_validate(item["receipt"])
        key = receipt.model_dump_json()
        receipts[key] = receipt
        groups.setdefault(key, []).append(item)
    for key, stored in groups.items():
        receipt = receipts[key]
        _law(receipt, report)
        cases = _cases(receipt, override, report)
        if cases is None:
            continue
        regime = None if receipt.resolved else receipt.regimes[0]
        fresh = evaluate_many(
            cases,
            regime,
            receipt.on,
            backend=receipt.backend,
            include_unverified=receipt.options.get("include_unverified", False),
            explain=receipt.options.get("explain", False),
        )
        new = [json.loads(ev.model_dump_json()) for ev in fresh]
        same = _strip(new) == _strip(stored)
        report.results_same = same if report.results_same is not False else False
        what = f"{len(stored)} evaluation(s) under {', '.join(receipt.regimes)} on {receipt.on}"
        report.lines.append(f"result: {'same' if same else 'differs'}: {what}")


_SYNTHETIC = re.compile(r"^synthetic n=(\d+) seed=(-?\d+)$")


def _verify_diff(item: dict[str, Any], override: Path | None, report: VerifyReport) -> None:
    from regimes.diff import diff

    receipt = Receipt.model_validate(item["receipt"])
    _law(receipt, report)
    a, b = receipt.regimes
    fresh = diff(
        a,
        b,
        on=receipt.on,
        backend=receipt.backend,
        include_unverified=receipt.options.get("include_unverified", False),
    )
    if item.get("population") is not None:
        from regimes.diff.population import population_impact
        from regimes.synthetic import ASSUMPTIONS, synthetic_population

        source = receipt.input.source if receipt.input else ""
        found = _SYNTHETIC.match(source)
        if found:
            cases: Any = synthetic_population(int(found.group(1)), int(found.group(2)), on=receipt.on)
            assumptions: Any = ASSUMPTIONS
        else:
            cases, assumptions = _cases(receipt, override, report), None
        if cases is None:
            return
        pop = population_impact(
            cases,
            fresh.a,
            fresh.b,
            on=receipt.on,
            source=item["population"]["source"],
            # The population part records the back end it ran on (columnar by default).
            backend=(item["population"].get("assumptions") or {}).get("backend", receipt.backend),
            assumptions=assumptions,
        )
        fresh = fresh.model_copy(update={"population": pop})
    same = _strip(json.loads(fresh.model_dump_json())) == _strip(item)
    report.results_same = same
    report.lines.append(f"result: {'same' if same else 'differs'}: diff {a} → {b} on {receipt.on}")


def verify_file(path: Path, *, cases: Path | None = None) -> VerifyReport:
    """Verify the results in ``path`` (the JSON of ``regimes evaluate`` or ``regimes diff``).

    Raises:
        CaseError: the file cannot be read or holds no result with a receipt.
    """
    from regimes.inputs import read_text

    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    report = VerifyReport()
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) for i in items):
        raise CaseError(f"{path}: not a result of regimes evaluate or regimes diff (--format json)")
    if all("structural" in i for i in items):
        for item in items:
            if "receipt" not in item:
                raise CaseError(f"{path}: the diff carries no receipt")
            _verify_diff(item, cases, report)
    elif all("obligations" in i for i in items):
        _verify_evaluations(items, cases, report)
    elif all("rulesets" in i and "regimes" in i for i in items):
        for item in items:
            _law(Receipt.model_validate(item), report)
    else:
        raise CaseError(f"{path}: not a result of regimes evaluate or regimes diff (--format json)")
    return report
