"""regimes: rules as code for Danish employment law (beskæftigelsesindsats).

For a citizen's case, on a date, under a regime: which process steps are required, by
whom, by when, and under which paragraph? ::

    >>> import regimes
    >>> from datetime import date
    >>> case = regimes.Case.model_validate({
    ...     "id": "c-0001", "birth_date": "1985-06-01", "municipality": "219",
    ...     "group": "dagpenge", "registered_on": "2024-03-04"})
    >>> ev = regimes.evaluate(case, "dk-lab-2024", on=date(2024, 3, 10))
    >>> first = ev.obligation("lab-2024.dagpenge.first-interview-akasse")
    >>> first.deadline, first.status.value
    (datetime.date(2024, 3, 18), 'due')

The public surface is this module's ``__all__``; everything else may change.
"""

import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regimes.case import Case, parse_case, parse_cases
    from regimes.caseload import CaseloadReport, QuotaCoverage, caseload
    from regimes.diff import diff
    from regimes.diff.model import RegimeDiff
    from regimes.errors import (
        ArgumentError,
        CaseError,
        EngineError,
        MissingExtraError,
        OutputError,
        RegimesError,
        ResolutionError,
        RulesetError,
        RulesetErrors,
    )
    from regimes.evaluate import evaluate, evaluate_many
    from regimes.inputs import read_cases
    from regimes.layer import Regime
    from regimes.library import RegimeInfo, list_regimes, load_regime
    from regimes.resolve import Resolution, resolve
    from regimes.results import Evaluation, NotApplied, Obligation, Right
    from regimes.session import Session, SessionStore
    from regimes.vocabulary import Actor, Confidence, RegimeStatus, Status, Step, TargetGroup

#: Where each public name lives. Imported on first use (PEP 562), so ``import regimes`` and the
#: CLI's ``--help`` do not pay for pydantic models, the rule engine or the diff machinery they do
#: not touch (issue 12, cold start).
_WHERE: dict[str, str] = {
    "Case": "regimes.case",
    "parse_case": "regimes.case",
    "parse_cases": "regimes.case",
    "CaseloadReport": "regimes.caseload",
    "QuotaCoverage": "regimes.caseload",
    "caseload": "regimes.caseload",
    "diff": "regimes.diff",
    "RegimeDiff": "regimes.diff.model",
    "ArgumentError": "regimes.errors",
    "CaseError": "regimes.errors",
    "EngineError": "regimes.errors",
    "MissingExtraError": "regimes.errors",
    "OutputError": "regimes.errors",
    "RegimesError": "regimes.errors",
    "ResolutionError": "regimes.errors",
    "RulesetError": "regimes.errors",
    "RulesetErrors": "regimes.errors",
    "evaluate": "regimes.evaluate",
    "evaluate_many": "regimes.evaluate",
    "read_cases": "regimes.inputs",
    "Regime": "regimes.layer",
    "RegimeInfo": "regimes.library",
    "list_regimes": "regimes.library",
    "load_regime": "regimes.library",
    "Resolution": "regimes.resolve",
    "resolve": "regimes.resolve",
    "Evaluation": "regimes.results",
    "NotApplied": "regimes.results",
    "Obligation": "regimes.results",
    "Right": "regimes.results",
    "Session": "regimes.session",
    "SessionStore": "regimes.session",
    "Actor": "regimes.vocabulary",
    "Confidence": "regimes.vocabulary",
    "RegimeStatus": "regimes.vocabulary",
    "Status": "regimes.vocabulary",
    "Step": "regimes.vocabulary",
    "TargetGroup": "regimes.vocabulary",
}


#: Public functions named like the module that defines them: importing that module must not
#: replace the function on the package (with eager imports the function was bound last and won).
_SHADOWED = frozenset(name for name, module in _WHERE.items() if module == f"regimes.{name}")


class _Package(types.ModuleType):
    """The ``regimes`` module, keeping ``regimes.evaluate`` the function when the submodule loads."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use, and keep it on the package."""
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'regimes' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ArgumentError",
    "Case",
    "CaseError",
    "CaseloadReport",
    "Confidence",
    "EngineError",
    "Evaluation",
    "MissingExtraError",
    "NotApplied",
    "Obligation",
    "OutputError",
    "QuotaCoverage",
    "Regime",
    "RegimeDiff",
    "RegimeInfo",
    "RegimeStatus",
    "RegimesError",
    "Resolution",
    "ResolutionError",
    "Right",
    "RulesetError",
    "RulesetErrors",
    "Session",
    "SessionStore",
    "Status",
    "Step",
    "TargetGroup",
    "__version__",
    "caseload",
    "diff",
    "evaluate",
    "evaluate_many",
    "list_regimes",
    "load_regime",
    "parse_case",
    "parse_cases",
    "read_cases",
    "resolve",
]
