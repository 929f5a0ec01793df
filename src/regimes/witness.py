"""Turn a class of fact rows into a concrete, valid case: a witness.

Why: a finding ("the safeguard breaks for dagpenge cases with …") is only convincing when
the user can run it. A witness is a complete case that ``regimes evaluate`` accepts and
that reproduces the finding; it is minimal: no events unless a fact needs one, clocks on
one start date, the facts the class fixes and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.compiled import FactValue
from regimes.dates import from_int
from regimes.facts import FACTS
from regimes.vocabulary import TargetGroup

CASE_FLAGS = [
    name for name, spec in FACTS.items() if spec.type == "bool" and name != "early_followup_requested"
]
KH_UH = {
    TargetGroup.KONTANTHJAELP_JOBPARAT,
    TargetGroup.KONTANTHJAELP_AKTIVITETSPARAT,
    TargetGroup.UDDANNELSESHJAELP_UDDANNELSESPARAT,
    TargetGroup.UDDANNELSESHJAELP_AKTIVITETSPARAT,
}


def witness_data(
    row: Mapping[str, FactValue], on: date, *, case_id: str = "w-1", municipality: str = "101"
) -> dict[str, Any]:
    """The JSON of a minimal case whose facts on ``on`` are ``row``."""
    group = TargetGroup(str(row["group"]))
    age = int(row["age"])
    start = from_int(int(row["period_start"])) if row["period_start"] else on - timedelta(days=6)
    birth = on - relativedelta(years=age) - timedelta(days=180)
    data: dict[str, Any] = {
        "id": case_id,
        "birth_date": birth.isoformat(),
        "municipality": municipality,
        "group": group.value,
    }
    if group is TargetGroup.DAGPENGE:
        data["registered_on"] = start.isoformat()
    elif group in KH_UH:
        data["first_inquiry_on"] = start.isoformat()
    elif group is TargetGroup.SYGEDAGPENGE:
        data["sickness_first_day"] = start.isoformat()
    data["period_start"] = start.isoformat()
    for flag in CASE_FLAGS:
        if row.get(flag):
            data[flag] = True
    if group is TargetGroup.DAGPENGE:
        # A derived fact (facts.py) is pinned by its explicit override, so the witness has exactly
        # the row's value whatever its age, education and custody.
        data["jobcenter_course_from_day_one"] = bool(row.get("jobcenter_course_from_day_one"))
    category = int(row.get("visitation_category", 0) or 0)
    if category and group is TargetGroup.SYGEDAGPENGE:
        data["visitation_category"] = category
        if category == 3:
            data["visitation_on"] = min(start + timedelta(days=14), on).isoformat()
    if row.get("early_followup_requested"):
        requested = min(start + timedelta(days=10), on)
        data["events"] = [{"kind": "early_followup_requested", "on": requested.isoformat()}]
    return data
