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
    model_config = ConfigDict(frozen=True, extra="forbid")


class Obligation(_Out):
    """A step someone must take (or, for a quota, a step the municipality may waive)."""

    rule: str
    step: Step
    actor: Actor
    count: int
    done: int
    opens: date
    deadline: date | None = None
    status: Status
    citation: str
    trace: list[str]
    kind: Literal["obligation", "quota"] = "obligation"
    title: str = ""
    confidence: Confidence = Confidence.SEEN
    by: str | None = Field(default=None, exclude_if=_absent)
    by_citation: str | None = Field(default=None, exclude_if=_absent)
    share: float | None = Field(default=None, exclude_if=_absent)
    deadline_asserted: bool = True
    #: Set when the law in force on the deadline judged it, not the evaluation's (C8,
    #: :mod:`regimes.transitions`): "judged under dk-lab-2024, in force on 2026-06-15".
    judged_under: str | None = Field(default=None, exclude_if=_absent)
    judged_on: date | None = Field(default=None, exclude_if=_absent)


class Right(_Out):
    """A step the citizen may demand, from ``opens`` on."""

    rule: str
    step: Step
    actor: Actor
    opens: date
    status: RightStatus
    citation: str
    trace: list[str]
    title: str = ""
    confidence: Confidence = Confidence.SEEN
    by: str | None = Field(default=None, exclude_if=_absent)
    by_citation: str | None = Field(default=None, exclude_if=_absent)


class NotApplied(_Out):
    """Why a rule of the regime does not apply to this case on this date ("why not?")."""

    rule: str
    reason: str


class Evaluation(_Out):
    """The result for one case, one regime, one date."""

    case: str
    regime: str
    on: date
    obligations: list[Obligation]
    rights: list[Right]
    what_if: bool = False
    notes: list[str] = []
    not_applied: list[NotApplied] | None = Field(default=None, exclude_if=_absent)
    #: What the reader must not miss: e.g. the date lies beyond the known law (:mod:`regimes.horizon`).
    warnings: list[str] = Field(default_factory=list, exclude_if=_empty)

    def obligation(self, rule: str) -> Obligation | None:
        """The obligation of ``rule``, if it applies."""
        return next((o for o in self.obligations if o.rule == rule), None)

    def right(self, rule: str) -> Right | None:
        """The right of ``rule``, if it applies."""
        return next((r for r in self.rights if r.rule == rule), None)
