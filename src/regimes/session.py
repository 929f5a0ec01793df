"""Incremental evaluation: one case under one regime, kept while its events arrive.

Why a session: a case worker's system learns about a case one event at a time (an interview
held, an offer given) and asks after each "what is due now?". Re-reading the rulesets and
rebuilding the matcher for every question would cost far more than the question. A
:class:`Session` holds what does not change (the regime, its compiled rules and the back end's
matcher) and grows only what does (the case's history).

What is incremental, and what is not:

- **Compiled once.** The regime's rules are compiled into a match program and the back end
  builds its matcher (for ``durable``, the Rete network) once per regime, back end and
  ``include_unverified`` (:func:`regimes.evaluate.engine_for` caches it for the process).
  Every session under the same regime shares it; adding events never recompiles.
- **Asserted per evaluation.** An evaluation on date D derives the case's facts as they stood
  on D, asserts them into the matcher and deletes them afterwards, so the network holds no
  case between evaluations and one network serves any number of sessions and threads.
- **Events change windows and counts.** Events do not add rules; they move windows (an
  interruption, an exemption ground) and are counted against them, which
  :mod:`regimes.windows` computes in plain Python from the case, without the network.
- **Validated as they come, and only they.** :meth:`Session.add` validates the new events as
  strictly as the original case (every validator of :class:`~regimes.Case` runs on them), in
  time proportional to the events added, not to the events held; a bad event raises
  :class:`~regimes.errors.CaseError` naming the field and leaves the session as it was.
- **Evaluated whole.** :meth:`Session.evaluate` is one :func:`regimes.evaluate` of the case as
  it stands: it costs what a fresh evaluation of that case costs (no re-reading or recompiling,
  but windows and counts are computed again from all events, which is what makes the answer
  equal to the CLI's). Keeping per-rule counts across evaluations would save little: a
  single evaluation is well under a millisecond, and most of it is the match and the statuses,
  which change with the date.

An evaluation is exactly :func:`regimes.evaluate` of :attr:`Session.case`, so a session never
answers differently from the CLI or the library for the same case, regime and date.

    >>> import datetime as dt
    >>> s = Session({"id": "c-1", "birth_date": "1985-06-01", "municipality": "219",
    ...              "group": "dagpenge", "registered_on": "2024-03-04"},
    ...             "dk-lab-2024", backend="reference")
    >>> rule = "lab-2024.dagpenge.first-interview-akasse"
    >>> s.evaluate(dt.date(2024, 3, 15)).obligation(rule).status.value
    'due'
    >>> s.add({"kind": "job_interview", "on": "2024-03-14", "actor": "a_kasse"})
    >>> s.evaluate(dt.date(2024, 3, 15)).obligation(rule).status.value
    'met'

:class:`SessionStore` keeps sessions by id for the HTTP service (:mod:`regimes.service`),
bounded so that callers who never delete their sessions cannot exhaust the server's memory.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from regimes.case import (
    Case,
    EarlyFollowupRequestedEvent,
    Event,
    ExemptionGroundEvent,
    InterviewRequestedEvent,
    OfferEvent,
    StepEvent,
    _case_error,
    parse_case,
)
from regimes.errors import CaseError
from regimes.evaluate import DEFAULT_BACKEND, engine_for, evaluate
from regimes.layer import Regime
from regimes.results import Evaluation

__all__ = ["EventInput", "Session", "SessionStore"]

EventInput = (
    StepEvent
    | OfferEvent
    | InterviewRequestedEvent
    | EarlyFollowupRequestedEvent
    | ExemptionGroundEvent
    | Mapping[str, Any]
)
"""An event as :meth:`Session.add` takes it: a validated event model, or its JSON-parsed mapping."""


class Session:
    """A long-lived evaluation of one case under one regime (or the resolved one).

    Args:
        case: a :class:`~regimes.Case`, or its JSON-parsed mapping (validated by
            :func:`regimes.parse_case`).
        regime: a :class:`~regimes.Regime`, a bundled regime id or a path to YAML; ``None``
            evaluates under the regime :func:`regimes.resolve` picks for the case's
            municipality on each evaluation date (so it may change with the date).
        backend: the back end (default: ``REGIMES_BACKEND`` or ``durable``, as
            :func:`regimes.evaluate`).
        include_unverified: also apply rules tagged ``unverified``.

    A session is safe to share between threads: additions are serialised, and an evaluation
    reads one consistent snapshot of the case (cases are immutable).

    Raises:
        CaseError: the case is invalid.
        ResolutionError: the regime id is unknown.
        RulesetError: the regime's files are invalid.
    """

    def __init__(
        self,
        case: Case | Mapping[str, Any],
        regime: Regime | str | None = None,
        *,
        backend: str = DEFAULT_BACKEND,
        include_unverified: bool = False,
    ) -> None:
        from regimes.library import load_regime

        self._case: Case = case if isinstance(case, Case) else parse_case(case)
        self._regime: Regime | None = load_regime(regime) if regime is not None else None
        self._backend = backend
        self._include_unverified = include_unverified
        self._history: tuple[Event, ...] = ()
        self._lock = threading.Lock()
        if self._regime is not None:
            # Compile now: a broken regime or back end fails at creation, not on the first
            # question, and the first evaluation costs no more than the later ones.
            engine_for(self._regime, backend, include_unverified)

    @property
    def case(self) -> Case:
        """The case as it stands now: the original with every added event appended."""
        return self._case

    @property
    def history(self) -> tuple[Event, ...]:
        """The events added since the session began, validated, in the order added."""
        return self._history

    @property
    def regime(self) -> Regime | None:
        """The regime evaluated under, or ``None`` when it is resolved per evaluation date."""
        return self._regime

    @property
    def backend(self) -> str:
        """The back end the session evaluates with."""
        return self._backend

    @property
    def include_unverified(self) -> bool:
        """Whether rules tagged ``unverified`` are applied."""
        return self._include_unverified

    def add(self, event: EventInput) -> None:
        """Append one event (a model or a mapping), validated as in the case.

        Raises:
            CaseError: the event is invalid; ``field`` is its path in the session's case
                (``events.3.on``). The session is unchanged.
        """
        self.add_many([event])

    def add_many(self, events: Iterable[EventInput]) -> None:
        """Append several events, all or none: one invalid event rejects the whole batch.

        All or none, because a caller sending a batch (an import, a retry) must be able to
        resend it after fixing one event without duplicating the others.

        Raises:
            CaseError: an event is invalid; ``field`` is its path in the session's case
                (``events.3.on``). The session is unchanged.
            TypeError: ``events`` is one event rather than an iterable of them.
        """
        if isinstance(events, Mapping | str | bytes) or _is_event_model(events):
            msg = "add_many takes an iterable of events; use add() for one event"
            raise TypeError(msg)
        items = tuple(events)
        if not items:
            return
        with self._lock:
            case = self._case
            added = _validated_events(case, items)
            self._case = case.model_copy(update={"events": (*case.events, *added)})
            self._history = (*self._history, *added)

    def evaluate(self, on: date | None = None, *, explain: bool = False) -> Evaluation:
        """The evaluation of the current case on ``on`` (default: today).

        Exactly :func:`regimes.evaluate` with this session's case, regime and options; the
        compiled regime comes from the cache, so this costs one match of one fact row.

        Raises:
            ResolutionError: no regime given and none is in force for the case's
                municipality on ``on``.
            EngineError: the back end failed.
        """
        case = self._case  # one snapshot: an add() in another thread does not tear it
        return evaluate(
            case,
            self._regime,
            on,
            backend=self._backend,
            include_unverified=self._include_unverified,
            explain=explain,
        )

    def __repr__(self) -> str:
        regime = self._regime.id if self._regime is not None else "resolved"
        return f"Session(case={self._case.id!r}, regime={regime!r}, events={len(self._case.events)})"


def _validated_events(case: Case, items: tuple[EventInput, ...]) -> tuple[Event, ...]:
    """``items`` validated as events of ``case``, in time proportional to ``items`` alone.

    The case's own fields with only the new events are validated as a case: so each event is
    checked exactly as it would be in the case (every validator of :class:`~regimes.Case` runs),
    but the events already held are not checked again. Sound because no rule of the case model
    relates one event to another; the fields are already valid models and are not re-parsed.

    Raises:
        CaseError: an event is invalid; ``field`` is counted in the grown case (``events.N...``).
    """
    data: dict[str, object] = {name: getattr(case, name) for name in _FIELDS}
    data["events"] = items
    try:
        return Case.model_validate(data).events
    except ValidationError as exc:
        error = _case_error(exc, data)
    base = len(case.events)
    field = error.field or ""
    match = _EVENT_FIELD.fullmatch(field)
    if match is None:
        raise error
    renamed = f"events.{base + int(match.group(1))}{match.group(2)}"
    message = error.message.replace(f"'{field}'", f"'{renamed}'", 1)
    raise CaseError(message, field=renamed, case=case.id) from None


_FIELDS = tuple(name for name in Case.model_fields if name != "events")
_EVENT_FIELD = re.compile(r"events\.(\d+)(.*)")


def _is_event_model(value: object) -> bool:
    return isinstance(
        value,
        StepEvent | OfferEvent | InterviewRequestedEvent | EarlyFollowupRequestedEvent | ExemptionGroundEvent,
    )


class SessionStore:
    """Sessions by id, at most ``max_size``, evicting the least recently used.

    Why bounded and LRU: the HTTP service keeps a session only because a caller asked for one,
    and a caller may never delete it. A bound caps memory; evicting the session used least
    recently drops the one most likely abandoned. A caller whose session was evicted gets
    "unknown session" and creates a new one from its own copy of the case.

    Thread-safe: the service runs handlers in a thread pool, so every operation holds a lock.
    Ids are random (UUID4), so one caller cannot guess another's session.
    """

    def __init__(self, max_size: int = 1000) -> None:
        if max_size < 1:
            msg = f"max_size must be at least 1 (got {max_size})"
            raise ValueError(msg)
        self._max_size = max_size
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self._evicted = 0

    @property
    def max_size(self) -> int:
        """How many sessions are kept at most."""
        return self._max_size

    @property
    def evicted(self) -> int:
        """How many sessions were dropped to make room, since the store was made."""
        with self._lock:
            return self._evicted

    def add(self, session: Session) -> str:
        """Keep ``session`` under a new id, evicting the least recently used one if full."""
        session_id = uuid.uuid4().hex
        with self._lock:
            while len(self._sessions) >= self._max_size:
                self._sessions.popitem(last=False)
                self._evicted += 1
            self._sessions[session_id] = session
        return session_id

    def get(self, session_id: str) -> Session:
        """The session with ``session_id``, now the most recently used.

        Raises:
            KeyError: no such session (never created, deleted, or evicted).
        """
        with self._lock:
            session = self._sessions[session_id]
            self._sessions.move_to_end(session_id)
            return session

    def remove(self, session_id: str) -> bool:
        """Forget a session; ``False`` if there was none with that id."""
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def ids(self) -> list[str]:
        """The ids kept, least recently used first."""
        with self._lock:
            return list(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        """Whether ``session_id`` is kept (does not count as a use)."""
        with self._lock:
            return session_id in self._sessions

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
