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

from regimes.case import Case, parse_case, parse_cases
from regimes.caseload import CaseloadReport, QuotaCoverage, caseload
from regimes.diff import diff
from regimes.diff.model import RegimeDiff
from regimes.errors import CaseError, EngineError, RegimesError, ResolutionError, RulesetError, RulesetErrors
from regimes.evaluate import evaluate, evaluate_many
from regimes.layer import Regime
from regimes.library import RegimeInfo, list_regimes, load_regime
from regimes.resolve import Resolution, resolve
from regimes.results import Evaluation, NotApplied, Obligation, Right
from regimes.session import Session, SessionStore
from regimes.vocabulary import Actor, Confidence, RegimeStatus, Status, Step, TargetGroup

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Case",
    "CaseError",
    "CaseloadReport",
    "Confidence",
    "EngineError",
    "Evaluation",
    "NotApplied",
    "Obligation",
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
    "resolve",
]
