"""What an evaluation returns: the public JSON contract as pydantic models.

Field order follows ``shared/design/contract.md`` so ``model_dump_json()`` prints the
contract's JSON; fields after ``trace`` are extensions (the contract may be extended, never
broken) that answer the follow-up questions users ask: *how sure is this?* (``confidence``),
*who lifted or paused it?* (``by``, ``by_citation``), *is that deadline law?*
(``deadline_asserted``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from regimes.vocabulary import Actor, Confidence, RightStatus, Status, Step


def _absent(value: object) -> bool:
    """Extensions are left out of the JSON when they say nothing; contract fields never are
    (an obligation without a deadline says ``"deadline": null``)."""
    return value is None


def _empty(value: object) -> bool:
    """A list extension says nothing when it is empty."""
    return not value


class _Out(BaseModel):
    # Field docstrings are the fields' descriptions in the JSON Schema (`regimes schema`, OpenAPI).
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Obligation(_Out):
    """A step someone must take (or, for a quota, a step the municipality may waive)."""

    rule: str
    """The rule's id, e.g. `lab-2024.dagpenge.first-interview-akasse`."""
    step: Step
    """The step to take (`job_interview`, `cv_interview`, `offer`, ...)."""
    actor: Actor
    """Who must take it: `jobcenter`, `municipality`, `a_kasse`, `citizen` or `employer`."""
    count: int
    """How many times the step is required in its window."""
    done: int
    """How many matching events the case holds in the window."""
    opens: date
    """The first day the step counts (YYYY-MM-DD)."""
    deadline: date | None = None
    """The last day to take it (YYYY-MM-DD); null when the rule sets none."""
    status: Status
    """`upcoming`, `due`, `overdue`, `met`, `suspended`, `exempted` or `waivable` on `on`."""
    citation: str
    """Where the law says so (law, §, stk., pkt.)."""
    trace: list[str]
    """The conditions of the rule that held for this case, in words."""
    kind: Literal["obligation", "quota"] = "obligation"
    """`obligation`, or `quota` for a step the municipality may waive for a share of cases."""
    title: str = ""
    """The rule's title in words."""
    confidence: Confidence = Confidence.SEEN
    """How sure the reading of the law is: `seen`, `secondary`, `inferred` or `unverified`."""
    by: str | None = Field(default=None, exclude_if=_absent)
    """The regime or rule that exempted or suspended it (only then)."""
    by_citation: str | None = Field(default=None, exclude_if=_absent)
    """The citation of that exemption or suspension (only then)."""
    share: float | None = Field(default=None, exclude_if=_absent)
    """For a quota: the share of cases it applies to (only for quotas)."""
    deadline_asserted: bool = True
    """Whether the deadline is stated by the law (false: a modelling choice; never `overdue`)."""
    judged_under: str | None = Field(default=None, exclude_if=_absent)
    """The regime whose law, in force on the deadline, judged it, when not the evaluation's (C8,
    :mod:`regimes.transitions`); only then."""
    judged_on: date | None = Field(default=None, exclude_if=_absent)
    """The date that law was in force on (the deadline), with `judged_under`."""


class Right(_Out):
    """A step the citizen may demand, from ``opens`` on."""

    rule: str
    """The rule's id."""
    step: Step
    """The step the citizen may demand."""
    actor: Actor
    """Who must provide it."""
    opens: date
    """From which day it may be demanded (YYYY-MM-DD)."""
    status: RightStatus
    """On `on`: `upcoming` (not yet), `open` (may be demanded) or `exempted`."""
    citation: str
    """Where the law says so (law, §, stk., pkt.)."""
    trace: list[str]
    """The conditions of the rule that held for this case, in words."""
    title: str = ""
    """The rule's title in words."""
    confidence: Confidence = Confidence.SEEN
    """How sure the reading of the law is: `seen`, `secondary`, `inferred` or `unverified`."""
    by: str | None = Field(default=None, exclude_if=_absent)
    """The regime or rule that lifted or paused it (only then)."""
    by_citation: str | None = Field(default=None, exclude_if=_absent)
    """The citation of that (only then)."""


class NotApplied(_Out):
    """Why a rule of the regime does not apply to this case on this date ("why not?")."""

    rule: str
    """The rule's id."""
    reason: str
    """Why it does not apply: the first condition that failed, in words."""


class Evaluation(_Out):
    """The result for one case, one regime, one date."""

    case: str
    """The case's id."""
    regime: str
    """The regime evaluated under (given, or resolved for the case's municipality on `on`)."""
    on: date
    """The evaluation date (YYYY-MM-DD); events after it are ignored."""
    obligations: list[Obligation]
    """The steps required, in the order a caseworker meets them (opening date, then deadline)."""
    rights: list[Right]
    """The steps the citizen may demand."""
    what_if: bool = False
    """True when the regime is not the one in force for the case's municipality on `on`."""
    notes: list[str] = []
    """What the reader should know: parts of the law not modelled, unverified lifts."""
    not_applied: list[NotApplied] | None = Field(default=None, exclude_if=_absent)
    """With `explain`: the rules that did not apply, and why."""
    warnings: list[str] = Field(default_factory=list, exclude_if=_empty)
    """What the reader must not miss, e.g. the date lies beyond the known law (:mod:`regimes.horizon`)."""

    def obligation(self, rule: str) -> Obligation | None:
        """The obligation of ``rule``, if it applies."""
        return next((o for o in self.obligations if o.rule == rule), None)

    def right(self, rule: str) -> Right | None:
        """The right of ``rule``, if it applies."""
        return next((r for r in self.rights if r.rule == rule), None)
