"""Errors the package raises, one tree so a caller knows what to catch.

::

    RegimesError                      every error of ours; the CLI prints it without a traceback
    ├── RulesetError (ValueError)     a ruleset file is wrong: file, line, rule id, what
    │   └── RulesetErrors             several RulesetErrors found in one pass (``check``)
    ├── CaseError (ValueError)        a case is wrong: names the field and the value
    ├── ArgumentError (ValueError)    an argument is not what the function documents (a date, a back end)
    ├── ResolutionError (LookupError) no regime for a municipality/date, or an unknown regime id
    ├── EngineError (RuntimeError)    a back end failed; wraps its native exception
    ├── MissingExtraError (ImportError) a feature needs an optional extra that is not installed
    └── OutputError (OSError)         an output (file or folder) cannot be written; checked before the work

Why subclass the built-ins: callers who already catch ``ValueError`` around parsing keep
working, as attrs does with ``FrozenError(AttributeError)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class RegimesError(Exception):
    """Base of every error the package raises on purpose."""


class RulesetError(RegimesError, ValueError):
    """A ruleset (YAML) is invalid.

    Prints as ``rulesets/dk-lab-2024.yaml:41: rule 'lab-2024.x': window.weeks must be ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        rule: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.rule = rule
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        rule = f"rule '{self.rule}': " if self.rule else ""
        field = f"{self.field}: " if self.field and self.field not in self.message else ""
        return f"{where}{rule}{field}{self.message}"


class RulesetErrors(RulesetError):  # noqa: N818 - a collection of RulesetError, named as such
    """Several ruleset errors found in one pass; ``errors`` holds each."""

    def __init__(self, errors: Sequence[RulesetError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        super().__init__(
            "\n".join(str(e) for e in self.errors) or "invalid ruleset",
            file=None,
            line=None,
            rule=None,
        )
        if first is not None:
            self.file, self.line, self.rule = first.file, first.line, first.rule

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class CaseError(RegimesError, ValueError):
    """A case is invalid; ``field`` names where (dotted path, e.g. ``events.2.start``)."""

    def __init__(
        self, message: str, *, field: str | None = None, case: str | None = None, source: str | None = None
    ) -> None:
        self.message = message
        self.field = field
        self.case = case
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        who = f"case '{self.case}': " if self.case else ""
        named = self.field and (f"'{self.field}'" in self.message or self.message.startswith(self.field))
        field = f"{self.field}: " if self.field and not named else ""
        return f"{where}{who}{field}{self.message}"


class ArgumentError(RegimesError, ValueError):
    """An argument of a public function is not what it documents; the message starts with its name.

    ``regimes.evaluate(case, on="10/03/2024")`` → ``on: must be a date YYYY-MM-DD (got '10/03/2024')``.
    """


class MissingExtraError(RegimesError, ImportError):
    """A feature needs an optional dependency group (an *extra*) that is not installed.

    The message names the feature, the extra and the command that installs it, e.g.
    ``reading Parquet needs the 'analyst' extra: pip install 'regimes[analyst]' (no module pyarrow)``.
    """


class OutputError(RegimesError, OSError):
    """An output cannot be written (a missing folder, no permission); found before any work is done."""


class ResolutionError(RegimesError, LookupError):
    """No regime can be found for the request (unknown id, municipality or date)."""


class EngineError(RegimesError, RuntimeError):
    """An evaluation back end failed; the native exception is chained as ``__cause__``."""
