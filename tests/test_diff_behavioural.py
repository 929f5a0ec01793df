"""The behavioural diff: classes of cases the regimes treat differently, each with a real witness.

Three properties, over every pair of bundled regimes:

- **witnesses are real**: each witness is a case ``regimes.parse_case`` accepts; evaluated under
  A and under B on ``witness.on`` it reproduces the class's ``a`` and ``b`` exactly, and those
  differ;
- **symmetry**: ``diff(B, A)`` reports the same classes (witness, facts, members) with ``a`` and
  ``b`` swapped;
- **no missed class** (hypothesis): for a case near the thresholds, if its evaluations under A
  and B differ (rule, step, actor, count, done, opens, deadline, status, citation, by), its facts
  fall in a reported class — re-running the signature comparison on the class's own facts gives
  the case's difference.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import cache

import pytest
from hypothesis import HealthCheck, assume, given, settings

import regimes
from regimes.diff import diff
from regimes.diff.behavioural import Key, SignatureView, class_row, difference
from regimes.diff.model import BehaviouralClass, RegimeDiff
from regimes.evaluate import evaluate
from regimes.facts import fact_row
from regimes.results import Evaluation
from strategies import threshold_case_dicts

REGIME_IDS = [info.id for info in regimes.list_regimes()]
PAIRS = list(itertools.combinations(REGIME_IDS, 2))


@cache
def cached_diff(a: str, b: str) -> RegimeDiff:
    return diff(a, b)


@cache
def views(a: str, b: str) -> tuple[SignatureView, SignatureView, frozenset[Key]]:
    """The two regimes as signatures on the diff's date, and the keys of its reported classes."""
    d = cached_diff(a, b)
    assert d.on is not None
    va = SignatureView.of(regimes.load_regime(a), d.on)
    vb = SignatureView.of(regimes.load_regime(b), d.on)
    keys = frozenset(difference(va, vb, class_row(c.facts, d.on)) for c in d.behavioural.classes)
    return va, vb, keys


def compared(ev: Evaluation) -> list[tuple[object, ...]]:
    """What must agree between two evaluations for the regimes to treat a case alike."""
    rows: list[tuple[object, ...]] = [
        (o.rule, o.step, o.actor, o.count, o.done, o.opens, o.deadline, o.status, o.citation, o.by)
        for o in ev.obligations
    ]
    rows += [
        (r.rule, r.step, r.actor, None, None, r.opens, None, r.status, r.citation, r.by) for r in ev.rights
    ]
    return sorted(rows, key=repr)


def _classes(a: str, b: str) -> list[BehaviouralClass]:
    return cached_diff(a, b).behavioural.classes


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_every_witness_is_a_real_case_that_reproduces_both_evaluations(a: str, b: str) -> None:
    d = cached_diff(a, b)
    assert d.behavioural.exact
    assert "exact over fact classes" in d.behavioural.scope
    for cls in d.behavioural.classes:
        case = regimes.parse_case(cls.witness.case)
        ev_a = evaluate(case, a, cls.witness.on)
        ev_b = evaluate(case, b, cls.witness.on)
        assert [*ev_a.obligations, *ev_a.rights] == cls.a, cls.description
        assert [*ev_b.obligations, *ev_b.rights] == cls.b, cls.description
        assert compared(ev_a) != compared(ev_b), cls.description
        # The witness's facts are the class's: its own difference is the class's.
        va, vb, _ = views(a, b)
        assert difference(va, vb, fact_row(case, cls.witness.on)) == difference(
            va, vb, class_row(cls.facts, cls.witness.on)
        )
        assert cls.members >= 1
    keys = [difference(*views(a, b)[:2], class_row(c.facts, d.on or date.min)) for c in d.behavioural.classes]
    assert len(set(keys)) == len(keys), "classes that differ in the same way are merged"


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_diff_is_symmetric(a: str, b: str) -> None:
    forward, backward = cached_diff(a, b), cached_diff(b, a)
    assert forward.on == backward.on
    assert len(forward.behavioural.classes) == len(backward.behavioural.classes)
    for one, other in zip(forward.behavioural.classes, backward.behavioural.classes, strict=True):
        assert one.witness == other.witness
        assert one.facts == other.facts
        assert one.members == other.members
        assert (one.a, one.b) == (other.b, other.a)


def test_worked_example_6_classes() -> None:
    """Dagpenge begun in 2024, no course from day one: 2020's jobcenter interviews give way to 2024's."""
    d = cached_diff("dk-lab-2020", "dk-lab-2024")
    assert d.on == date(2024, 2, 10)
    plain = [
        c
        for c in d.behavioural.classes
        if c.facts.get("group") == "dagpenge"
        and c.facts.get("period_start") == "2024-02-04"
        and not any(v is True for v in c.facts.values())
        and c.facts.get("age") == 40
    ]
    assert len(plain) == 1
    cls = plain[0]
    # The clocks start 6 days before the diff date when the class does not fix them.
    assert cls.witness.case["registered_on"] == (d.on - timedelta(days=6)).isoformat()
    a_rules = {o.rule for o in cls.a}
    b_rules = {o.rule for o in cls.b}
    assert "lab-2020.dagpenge.interviews-jobcenter-6m" in a_rules
    assert {"lab-2024.dagpenge.first-interview-akasse", "lab-2024.dagpenge.interviews-akasse-3m"} <= b_rules
    first = next(o for o in cls.b if o.rule == "lab-2024.dagpenge.first-interview-akasse")
    assert (first.deadline, first.status) == (date(2024, 2, 18), "due")
    assert "offer is not modelled in dk-lab-2020" in cls.description
    # Cases begun before 2024 keep the 2020 course (the transition): another class.
    old = [c for c in d.behavioural.classes if c.facts.get("period_start") == "2023-12-31"]
    assert old and all("lab-2020.dagpenge.interviews-jobcenter-6m" not in c.description for c in old)


def test_reform_classes_say_what_replaces_a_lifted_rule() -> None:
    d = cached_diff("dk-lab-2024", "dk-reform-2026")
    words = [
        c.description
        for c in d.behavioural.classes
        if "lab-2024.dagpenge.interviews-akasse-3m: 3 a-kasse job interviews under A" in c.description
    ]
    assert words
    assert all(
        "exempted by reform-2026.dagpenge.akasse-interviews-quota (lov nr. 1750 af 29/12/2025) and a "
        "waivable quota of 2 a-kasse job interviews" in w
        for w in words
    )
    cls = next(c for c in d.behavioural.classes if c.description in words)
    lifted = next(o for o in cls.b if o.rule == "lab-2024.dagpenge.interviews-akasse-3m")
    assert (lifted.status, lifted.by) == ("exempted", "reform-2026.dagpenge.akasse-interviews-quota")
    quota = next(o for o in cls.b if o.rule == "reform-2026.dagpenge.akasse-interviews-quota")
    assert (quota.kind, quota.status, quota.count) == ("quota", "waivable", 2)


def test_behavioural_false_and_a_given_date() -> None:
    d = diff("dk-lab-2020", "dk-lab-2024", on=date(2024, 3, 10))
    assert d.on == date(2024, 3, 10)
    assert all(c.witness.on == date(2024, 3, 10) for c in d.behavioural.classes)


# --------------------------------------------------------------------------------------------
# No missed class
# --------------------------------------------------------------------------------------------

_EXAMPLES = max(20, settings().max_examples // 4)


def _check_no_missed_class(a: str, b: str, data: dict[str, object]) -> None:
    d = cached_diff(a, b)
    assert d.on is not None
    case = regimes.parse_case(data)
    ev_a = evaluate(case, a, d.on, explain=True)
    ev_b = evaluate(case, b, d.on, explain=True)
    # The classes partition the law of the diff date. A duty that falls due under another law
    # (C8, regimes.transitions: a version or regime boundary after the date) is judged by that
    # law, which the classes do not partition: such cases are outside what the argument covers.
    va, vb, keys = views(a, b)
    assume(not (_crosses_a_boundary(ev_a, va) or _crosses_a_boundary(ev_b, vb)))
    key = difference(va, vb, fact_row(case, d.on))
    if compared(ev_a) != compared(ev_b):
        assert key[0] or key[1], "evaluations differ although every applying rule's signature is equal"
        assert key in keys, f"case {data} differs but falls in no reported class"
    if not (key[0] or key[1]):
        assert compared(ev_a) == compared(ev_b)


def _crosses_a_boundary(ev: Evaluation, view: SignatureView) -> bool:
    """Whether a duty of ``ev`` was judged by a law other than the one ``view`` partitions."""
    from regimes.evaluate import _law_key, engine_for
    from regimes.library import load_regime
    from regimes.transitions import NOT_OWED_THEN

    own = _law_key(view.compiled, view.day)
    for o in ev.obligations:
        if o.judged_under is None or o.judged_on is None:
            continue
        if _law_key(engine_for(load_regime(o.judged_under)).compiled, o.judged_on) != own:
            return True
    return any(n.reason.startswith(NOT_OWED_THEN) for n in ev.not_applied or [])


def _no_missed_class_test(a: str, b: str) -> None:
    on = cached_diff(a, b).on
    assert on is not None

    @settings(
        max_examples=_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=threshold_case_dicts(on))
    def run(data: dict[str, object]) -> None:
        _check_no_missed_class(a, b, data)

    run()


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_no_missed_class(a: str, b: str) -> None:
    _no_missed_class_test(a, b)
