"""The columnar back end: a whole :class:`~engine.plan.RegimePlan` executed over NumPy columns.

:mod:`engine.columnar.tables` holds the input tables, :mod:`engine.columnar.dates` the law's
reckonings over day-number columns, :mod:`engine.columnar.conditions` the condition masks and
:mod:`engine.columnar.execute` the evaluation itself.
"""

from engine.columnar.execute import ColumnarResult, Items, execute
from engine.columnar.tables import NO_DATE, CaseTable, Categorical, EventTable, IntervalTable

__all__ = [
    "NO_DATE",
    "CaseTable",
    "Categorical",
    "ColumnarResult",
    "EventTable",
    "IntervalTable",
    "Items",
    "execute",
]
