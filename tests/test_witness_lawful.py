"""Witnesses are lawful members of their class; the case model warns on what the law rules out
(issue 10, finding 6).

Before the fix a witness could be an uddannelseshjælp recipient aged 40 (LAB § 6 says under 30),
every witness had the id ``w-1``, and a case evaluated before its own registration got no note.
"""

from __future__ import annotations

from datetime import date

import pytest

import regimes
from regimes.plausibility import unlawful_combinations

PAIRS = [("dk-lab-2020", "dk-lab-2024"), ("dk-lab-2024", "dk-reform-2026"), ("dk-lab-2024", "dk-6byer-2011")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_witness_is_lawful_and_has_its_own_id(a: str, b: str) -> None:
    d = regimes.diff(a, b, backend="vector")
    assert d.behavioural.classes
    ids = [cls.witness.case["id"] for cls in d.behavioural.classes]
    assert len(set(ids)) == len(ids), ids
    for cls in d.behavioural.classes:
        case = regimes.parse_case(cls.witness.case)
        assert unlawful_combinations(case, cls.witness.on) == [], (cls.description, cls.witness.case)


def test_no_class_claims_uddannelseshjaelp_at_30_or_over() -> None:
    d = regimes.diff("dk-lab-2024", "dk-reform-2026", backend="vector")
    for cls in d.behavioural.classes:
        if str(cls.witness.case["group"]).startswith("uddannelseshjaelp"):
            born = date.fromisoformat(cls.witness.case["birth_date"])
            on = cls.witness.on
            assert on.year - born.year - ((on.month, on.day) < (born.month, born.day)) < 30


BASE = {"id": "c", "birth_date": "1984-01-01", "municipality": "101", "first_inquiry_on": "2024-04-10"}


def test_the_case_model_warns_not_errors_on_what_the_law_rules_out() -> None:
    case = regimes.parse_case({**BASE, "group": "uddannelseshjaelp_uddannelsesparat"})  # 40: no error
    ev = regimes.evaluate(case, "dk-lab-2024", on="2024-05-01")
    assert any("under 30 (LAB § 6, nr. 4–5)" in w and "40" in w for w in ev.warnings), ev.warnings
    young = {**BASE, "birth_date": "2000-01-01", "group": "kontanthjaelp_jobparat"}
    ev = regimes.evaluate(young, "dk-lab-2024", on="2024-05-01")
    assert any("uddannelseshjælp would apply" in w for w in ev.warnings)
    qualified = regimes.evaluate({**young, "has_vocational_education": True}, "dk-lab-2024", on="2024-05-01")
    assert not [w for w in qualified.warnings if "LAB § 6" in w]
    lawful = regimes.evaluate({**BASE, "group": "kontanthjaelp_jobparat"}, "dk-lab-2024", on="2024-05-01")
    assert not [w for w in lawful.warnings if "LAB § 6" in w]


def test_an_evaluation_before_the_case_began_has_a_note() -> None:
    case = {**BASE, "group": "kontanthjaelp_jobparat"}
    early = regimes.evaluate(case, "dk-lab-2024", on="2024-03-01")
    assert any("before the case began (first_inquiry_on 2024-04-10)" in n for n in early.notes), early.notes
    later = regimes.evaluate(case, "dk-lab-2024", on="2024-05-01")
    assert not any("before the case began" in n for n in later.notes)
