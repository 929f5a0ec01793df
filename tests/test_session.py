"""Sessions: incremental evaluation of one case, and the bounded store the HTTP service keeps them in.

What matters to a caller: a session answers exactly as :func:`regimes.evaluate` would for the
case as it stands; a bad event changes nothing; adding events does not recompile the regime;
and the store neither loses sessions under concurrent use nor grows without bound.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from regimes.case import StepEvent, parse_case
from regimes.errors import CaseError, ResolutionError
from regimes.evaluate import evaluate
from regimes.session import Session, SessionStore
from regimes.vocabulary import Actor, Status

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cases" / "dagpenge-2024.json"
FIRST = "lab-2024.dagpenge.first-interview-akasse"
THREE = "lab-2024.dagpenge.interviews-akasse-3m"
DAY = dt.date(2024, 3, 15)
INTERVIEW: dict[str, Any] = {"kind": "job_interview", "on": "2024-03-14", "actor": "a_kasse"}
# The module, not the function `regimes.evaluate` that shadows it as a package attribute.
evaluate_module = importlib.import_module("regimes.evaluate")
session_module = importlib.import_module("regimes.session")


@pytest.fixture
def case_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def session(case_data: dict[str, Any]) -> Session:
    return Session(case_data, "dk-lab-2024")


def status(session: Session, rule: str, on: dt.date = DAY) -> Status:
    obligation = session.evaluate(on).obligation(rule)
    assert obligation is not None
    return obligation.status


def test_evaluates_exactly_as_evaluate(session: Session, case_data: dict[str, Any]) -> None:
    expected = evaluate(parse_case(case_data), "dk-lab-2024", dt.date(2024, 3, 10))
    assert session.evaluate(dt.date(2024, 3, 10)) == expected
    assert session.regime is not None and session.regime.id == "dk-lab-2024"


def test_adding_an_interview_meets_the_first_interview(session: Session) -> None:
    assert status(session, FIRST) is Status.DUE
    session.add(INTERVIEW)
    assert status(session, FIRST) is Status.MET
    assert len(session.history) == 1
    assert session.case.events == session.history
    # The event counts only from its own day: the history as it stood on the 13th had none.
    assert status(session, FIRST, dt.date(2024, 3, 13)) is Status.DUE


def test_each_event_counts_as_it_arrives(session: Session) -> None:
    done = []
    for day in ("2024-03-14", "2024-04-10", "2024-05-20"):
        session.add({"kind": "job_interview", "on": day, "actor": "a_kasse"})
        obligation = session.evaluate(dt.date(2024, 5, 31)).obligation(THREE)
        assert obligation is not None
        done.append(obligation.done)
    assert done == [1, 2, 3]
    assert status(session, THREE, dt.date(2024, 5, 31)) is Status.MET


def test_add_takes_event_models(session: Session) -> None:
    event = StepEvent(kind="job_interview", on=dt.date(2024, 3, 14), actor=Actor.A_KASSE)
    session.add(event)
    assert session.history == (event,)


def test_session_equals_evaluate_of_its_case(session: Session) -> None:
    session.add_many(
        [
            INTERVIEW,
            {"kind": "offer", "type": "virksomhedspraktik", "start": "2024-08-26", "end": "2024-10-18"},
        ]
    )
    on = dt.date(2024, 9, 1)
    assert session.evaluate(on) == evaluate(session.case, "dk-lab-2024", on)


def test_bad_event_names_the_field_and_changes_nothing(session: Session) -> None:
    session.add(INTERVIEW)
    before_case, before_history = session.case, session.history
    with pytest.raises(CaseError) as info:
        session.add({"kind": "job_interview", "on": "2024-02-30"})
    assert info.value.field == "events.1.on"
    assert "2024-02-30" in info.value.message
    assert session.case is before_case
    assert session.history == before_history


def test_add_many_is_all_or_none(session: Session) -> None:
    with pytest.raises(CaseError) as info:
        session.add_many([INTERVIEW, {"kind": "offer", "type": "virksomhedspraktik", "start": "2024-08-26"}])
    assert info.value.field == "events.1.end"
    assert session.history == ()
    assert session.case.events == ()
    assert status(session, FIRST) is Status.DUE


def test_add_many_refuses_a_single_event(session: Session) -> None:
    with pytest.raises(TypeError, match="use add"):
        session.add_many(INTERVIEW)  # type: ignore[arg-type]
    session.add_many([])
    assert session.history == ()


def test_bad_case_and_unknown_regime(case_data: dict[str, Any]) -> None:
    with pytest.raises(CaseError) as info:
        Session({**case_data, "birth_date": "1985-02-30"}, "dk-lab-2024")
    assert info.value.field == "birth_date"
    with pytest.raises(ResolutionError, match="unknown regime"):
        Session(case_data, "dk-no-such-regime")


def test_resolved_regime_follows_the_date(case_data: dict[str, Any]) -> None:
    session = Session(case_data)
    assert session.regime is None
    case = parse_case(case_data)
    for on in (dt.date(2024, 3, 10), dt.date(2026, 8, 10)):
        assert session.evaluate(on) == evaluate(case, None, on)
    assert session.evaluate(dt.date(2024, 3, 10)).regime == "dk-lab-2024"


def test_adding_and_evaluating_do_not_recompile(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[object] = []
    real = evaluate_module.compile_regime

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate_module, "compile_regime", counting)
    for day in range(14, 20):
        session.add({"kind": "job_interview", "on": f"2024-03-{day}", "actor": "a_kasse"})
        session.evaluate(dt.date(2024, 3, 20))
    assert compiled == []


def test_concurrent_adds_lose_nothing(session: Session) -> None:
    def work(n: int) -> None:
        for i in range(10):
            session.add({"kind": "job_interview", "on": f"2024-04-{n + 1:02d}", "note": f"{n}-{i}"})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(session.history) == 60
    assert session.case.events == session.history


# --------------------------------------------------------------------------------------------
# SessionStore
# --------------------------------------------------------------------------------------------


def test_store_keeps_gets_and_removes(session: Session) -> None:
    store = SessionStore(max_size=3)
    sid = store.add(session)
    assert sid in store and len(store) == 1
    assert store.get(sid) is session
    assert store.remove(sid) is True
    assert store.remove(sid) is False
    with pytest.raises(KeyError):
        store.get(sid)


def test_store_evicts_the_least_recently_used(case_data: dict[str, Any]) -> None:
    store = SessionStore(max_size=2)
    a = store.add(Session(case_data, "dk-lab-2024"))
    b = store.add(Session(case_data, "dk-lab-2024"))
    store.get(a)  # a is now more recent than b
    c = store.add(Session(case_data, "dk-lab-2024"))
    assert store.ids() == [a, c]
    assert b not in store
    assert store.evicted == 1


def test_store_rejects_a_size_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SessionStore(max_size=0)


def test_store_is_thread_safe(session: Session) -> None:
    store = SessionStore(max_size=50)
    errors: list[BaseException] = []
    removed = [0] * 8

    def work(n: int) -> None:
        try:
            for _ in range(100):
                sid = store.add(session)
                with contextlib.suppress(KeyError):  # evicted by another thread in between: allowed
                    store.get(sid)
                if store.remove(sid):
                    removed[n] += 1
                len(store)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) <= 50
    assert sum(removed) + store.evicted + len(store) == 800
    assert len(set(store.ids())) == len(store)


# --------------------------------------------------------------------------------------------
# Cost: adding validates only what is added; many sessions leave no memory behind (issue 12, item 6)
# --------------------------------------------------------------------------------------------


def test_add_validates_only_the_new_events(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    session.add_many([INTERVIEW] * 50)
    validated: list[int] = []
    real = session_module.Case.model_validate

    def spy(data: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append(len(data["events"]))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(session_module.Case, "model_validate", spy)
    session.add(INTERVIEW)
    session.add_many([INTERVIEW, INTERVIEW])
    assert validated == [1, 2]  # not 51 and 53: the 50 events held are not checked again
    monkeypatch.undo()
    assert session.case == parse_case({**session.case.model_dump(mode="json"), "events": [INTERVIEW] * 53})
    assert session.history == session.case.events


def test_a_bad_event_after_many_is_numbered_in_the_case(session: Session) -> None:
    session.add_many([INTERVIEW] * 7)
    with pytest.raises(CaseError) as info:
        session.add_many([INTERVIEW, {"kind": "job_interview", "on": "2024-13-01"}])
    assert info.value.field == "events.8.on"
    assert info.value.message.startswith("'events.8.on' must be a date")
    assert len(session.case.events) == 7


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")  # pragma: no cover


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_100_000_sessions_opened_and_closed_keep_memory_flat(case_data: dict[str, Any]) -> None:
    """Open a session, add an event, drop it: 100,000 times. RSS grows by well under 20 MB.

    A session holds its case and a reference to the shared compiled regime; one leaked per cycle
    (a case and an event, a few KB) would show as hundreds of MB.
    """
    case = parse_case(case_data)
    store = SessionStore(max_size=100)
    for _ in range(2_000):  # warm-up: allocator pools, caches
        sid = store.add(Session(case, "dk-lab-2024", backend="reference"))
        store.get(sid).add(INTERVIEW)
        store.remove(sid)
    gc.collect()
    before = _rss_mb()
    for _ in range(100_000):
        sid = store.add(Session(case, "dk-lab-2024", backend="reference"))
        store.get(sid).add(INTERVIEW)
        store.remove(sid)
    gc.collect()
    grown = _rss_mb() - before
    assert len(store) == 0
    assert grown < 20.0, f"RSS grew {grown:.1f} MB over 100,000 sessions"
