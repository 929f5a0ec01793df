"""The service agrees with its own OpenAPI document: schemathesis generates requests from it.

Issue 12 (item 4) found, with 16,066 generated cases, an ``Allow`` header mismatch,
schema-valid requests rejected and undocumented status codes. This runs the same kind of
fuzzing, bounded, against the app in-process (ASGI, no socket): for every operation a few
examples, positive and negative, with schemathesis' default checks (no 5xx, status codes,
content types, headers and bodies as documented, ``Allow`` on 405, schema-invalid data
rejected, schema-valid data accepted).

One check is relaxed where a body holds a case: "schema-valid data accepted". The case model has
cross-field rules that JSON Schema cannot state (the birth date is before every clock; each
target group needs its own § 9 clock; ``visitation_category`` only for sygedagpenge), so a
generated case can satisfy every field's schema and still be refused, with a 422 naming the
field. Those rules are in the ``Case`` schema's description; every other check holds there too.

Bounded: ``max_examples`` per operation from ``SCHEMATHESIS_EXAMPLES`` (default 12), no
deadline, no shrinking database; about half a minute in all on this machine.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from regimes.service import create_app

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))

CASE_BODIES = {"/evaluate", "/sessions", "/diff"}
"""Operations whose body may hold a case (``/diff``: its ``cases``)."""

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_as_documented(case: Any) -> None:
    holds_a_case = case.operation.path in CASE_BODIES
    excluded = [schemathesis.checks.positive_data_acceptance] if holds_a_case else []
    case.call_and_validate(excluded_checks=excluded)
