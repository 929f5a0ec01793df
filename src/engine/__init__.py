"""Compilation targets and evaluation back ends.

The engine knows nothing of YAML, cases or Danish law. It receives a *compiled form*
(plain, frozen data: predicates over named facts, see :mod:`engine.compiled`) and answers,
for rows of facts, which conditions hold. Two back ends do that behind one small interface
(:mod:`engine.backends.base`): durable-rules (Rete) and a vectorised one (NumPy columns).
"""

from engine.backends import available_backends, get_backend
from engine.backends.base import Backend, Matcher
from engine.compiled import (
    All,
    AnyOf,
    Cmp,
    Condition,
    FactRow,
    FactValue,
    MatchProgram,
    Not,
    Predicate,
)

__all__ = [
    "All",
    "AnyOf",
    "Backend",
    "Cmp",
    "Condition",
    "FactRow",
    "FactValue",
    "MatchProgram",
    "Matcher",
    "Not",
    "Predicate",
    "available_backends",
    "get_backend",
]
