"""The HTTP service behind ``regimes serve`` (contract.md, "HTTP"; docs/http.md).

Why a service: an embedding system (a jobcenter's case system, an a-kasse's portal) asks the
same question as the CLI, over HTTP, without Python. So every answer is the CLI's JSON, built
by the same functions: ``GET /regimes`` is ``regimes list --format json``, ``GET /regimes/{id}``
is ``regimes show ID --format json``, ``POST /evaluate`` is ``regimes evaluate --format json``
and ``POST /diff`` is ``regimes diff A B --format json``.

Design choices, each for a reason:

- **Nothing is kept between requests** (contract) except the sessions a caller creates with
  ``POST /sessions``, held in a bounded :class:`~regimes.session.SessionStore` per app.
- **Bad input is 422 naming the field**, in one shape for every error::

      {"detail": [{"field": "case.birth_date", "message": "'case.birth_date' must be ..."}]}

  Cases are validated by :func:`regimes.parse_case` (not by FastAPI's pydantic pass), so the
  messages are the CLI's; FastAPI's own validation errors are converted to the same shape.
- **Only bundled regime ids** are accepted (the CLI also takes a path to a YAML file; a
  server must not read files a caller names). An unknown id is 404 on ``GET /regimes/{id}``,
  where the id is the resource, and 422 with field ``regime`` (or ``a``/``b``) in a body,
  where it is bad input.
- **Handlers are plain functions**: evaluation is CPU-bound, and FastAPI runs plain handlers
  in its thread pool so one slow diff does not stall the event loop.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, NamedTuple

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError

from regimes.case import Case, Event, IsoDate, parse_case
from regimes.errors import CaseError, EngineError, RegimesError, ResolutionError, RulesetError
from regimes.layer import Regime
from regimes.library import RegimeInfo
from regimes.results import Evaluation
from regimes.session import Session, SessionStore

__all__ = ["ErrorBody", "Problem", "create_app"]


# --------------------------------------------------------------------------------------------
# Errors: one shape, the field named
# --------------------------------------------------------------------------------------------


class Problem(BaseModel):
    """One thing wrong with a request: where (a dotted path into the body or the query) and what."""

    field: str | None = Field(
        description="Dotted path of the bad input, e.g. `case.birth_date`; null if none."
    )
    message: str


class ErrorBody(BaseModel):
    """Every error response: a list of problems (422 bad input, 404 unknown resource, 501, 500)."""

    detail: list[Problem]


class InputError(Exception):
    """A request the handlers reject themselves, with its status and the field at fault."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def _error_response(status: int, problems: Sequence[Problem]) -> JSONResponse:
    return JSONResponse(ErrorBody(detail=list(problems)).model_dump(mode="json"), status_code=status)


def _renamed(message: str, old: str | None, new: str) -> str:
    """``message`` quoting ``new`` where it quoted ``old``: our messages begin with the field's path."""
    if old and f"'{old}'" in message:
        return message.replace(f"'{old}'", f"'{new}'", 1)
    return message


def _join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p is not None and p != "")


def _problem(error: Any) -> Problem:
    """One of FastAPI's validation errors as a :class:`Problem`."""
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
    path = ".".join(where)
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    msg = str(error.get("msg", "invalid"))
    if kind == "regimes_case":  # a case (or events) our parser rejected: its field, its message
        field = _join(path, ctx.get("field")) or "body"
        return Problem(field=field, message=_renamed(str(ctx.get("message", msg)), ctx.get("field"), field))
    if kind == "json_invalid":
        return Problem(field="body", message=f"the body is not valid JSON ({ctx.get('error', msg)})")
    field = path or "body"
    if kind == "missing":
        return Problem(field=field, message=f"'{field}' is required")
    if kind == "extra_forbidden":
        return Problem(field=field, message=f"'{field}' is not a known field")
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        msg = "must be a JSON object"
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) and len(repr(got)) <= 80 else ""
    if msg.startswith(("must ", "is ")):
        return Problem(field=field, message=f"'{field}' {msg}{shown}")
    return Problem(field=field, message=f"'{field}': {msg}{shown}")


# --------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------


def _validated_case(value: object) -> Case:
    """A case validated by :func:`parse_case`, its error carried to the 422 with its field."""
    try:
        return parse_case(value)
    except CaseError as exc:
        raise PydanticCustomError(
            "regimes_case", "{message}", {"field": exc.field, "message": exc.message}
        ) from None


CaseIn = Annotated[Case, PlainValidator(_validated_case, json_schema_input_type=Case)]
"""A case in a request body: documented by the case's JSON Schema, validated by parse_case."""


class _Body(BaseModel):
    """Request bodies: unknown fields are errors, nothing is coerced (as for cases)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class EvaluateRequest(_Body):
    """``POST /evaluate``: one case (``case``) or several (``cases``), as ``regimes evaluate``."""

    case: CaseIn | None = Field(None, description="One case; the answer is one evaluation.")
    cases: list[CaseIn] | None = Field(None, description="Several cases; the answer is a list.")
    regime: str | None = Field(None, description="A bundled regime id; default: the one resolved per case.")
    on: IsoDate | None = Field(None, description="Evaluation date YYYY-MM-DD; default: today.")
    include_unverified: bool = Field(False, description="Also apply rules tagged unverified.")
    explain: bool = Field(False, description="Also list the rules that did not apply, and why.")


class DiffRequest(_Body):
    """``POST /diff``: two bundled regime ids, as ``regimes diff A B``."""

    a: str = Field(description="The regime to compare from (a bundled id).")
    b: str = Field(description="The regime to compare to (a bundled id).")
    on: IsoDate | None = Field(None, description="The date to compare on; default: the diff's own.")


class SessionRequest(_Body):
    """``POST /sessions``: the case to keep, and the regime to keep it under."""

    case: CaseIn
    regime: str | None = Field(
        None, description="A bundled regime id; default: resolved per evaluation date."
    )
    include_unverified: bool = Field(False, description="Also apply rules tagged unverified.")


class PostedEvents(NamedTuple):
    """The body of ``POST /sessions/{id}/events``: one event (``single``) or a list."""

    single: bool
    items: list[Any]


def _posted_events(value: object) -> PostedEvents:
    """Only the shape is checked here; each event is validated by the session, as in a case."""
    if isinstance(value, dict):
        return PostedEvents(single=True, items=[value])
    if isinstance(value, list):
        return PostedEvents(single=False, items=list(value))
    raise PydanticCustomError(
        "regimes_case",
        "{message}",
        {
            "field": None,
            "message": f"the body must be an event (an object) or a list of events "
            f"(got {type(value).__name__})",
        },
    )


EventsIn = Annotated[PostedEvents, PlainValidator(_posted_events, json_schema_input_type=Event | list[Event])]

_CASE_EVENT = re.compile(r"events\.(\d+)(.*)")


def _event_error(exc: CaseError, base: int, posted: PostedEvents) -> InputError:
    """A session's CaseError (``events.N.on``, counted in its case) named as posted (``event.on``)."""
    field = exc.field or ""
    match = _CASE_EVENT.fullmatch(field)
    if match is None:
        return InputError(422, exc.field, exc.message)
    rest = match.group(2)
    index = int(match.group(1)) - base
    new = f"event{rest}" if posted.single else f"events.{index}{rest}"
    return InputError(422, new, _renamed(exc.message, field, new))


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad input; `field` names it."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such resource."},
    **_ERRORS,
}


def _dump(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as the CLI prints it (``--format json``)."""
    return evaluation.model_dump(mode="json")


def _bundled(regime_id: str, field: str, status: int = 422) -> Regime:
    """A bundled regime by id; never a path (a server must not read files its caller names)."""
    from regimes.library import bundled

    try:
        return bundled().build(regime_id)
    except ResolutionError as exc:
        raise InputError(status, field, str(exc)) from None


def create_app(*, backend: str | None = None, max_sessions: int = 1000) -> FastAPI:
    """The HTTP service: the contract's endpoints, plus sessions on request.

    Args:
        backend: the back end for evaluations (default: as :func:`regimes.evaluate`).
        max_sessions: sessions kept at most; the least recently used is dropped beyond it.
    """
    from regimes import __version__
    from regimes.evaluate import DEFAULT_BACKEND

    engine = backend or DEFAULT_BACKEND
    store = SessionStore(max_sessions)
    app = FastAPI(
        title="regimes",
        version=__version__,
        description=(
            "Rules as code for Danish employment law: which steps a case requires, by whom, by when, "
            "under which paragraph, and how regimes differ. Same JSON as the `regimes` CLI; "
            "see docs/http.md."
        ),
    )
    app.state.sessions = store

    @app.exception_handler(RequestValidationError)
    def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, [_problem(error) for error in exc.errors()])

    @app.exception_handler(InputError)
    def _on_input(request: Request, exc: InputError) -> JSONResponse:
        return _error_response(exc.status, [Problem(field=exc.field, message=exc.message)])

    @app.exception_handler(CaseError)
    def _on_case(request: Request, exc: CaseError) -> JSONResponse:
        return _error_response(422, [Problem(field=exc.field, message=exc.message)])

    @app.exception_handler(ResolutionError)
    def _on_resolution(request: Request, exc: ResolutionError) -> JSONResponse:
        return _error_response(422, [Problem(field=None, message=str(exc))])

    @app.exception_handler(RulesetError)
    @app.exception_handler(EngineError)
    def _on_server(request: Request, exc: RegimesError) -> JSONResponse:
        # The service's own rulesets or back end are broken: not the caller's fault.
        return _error_response(500, [Problem(field=None, message=str(exc))])

    @app.get("/regimes", responses={200: {"model": list[RegimeInfo]}}, tags=["regimes"])
    def list_regimes() -> JSONResponse:
        """Every bundled regime: id, title, status, dates, scope (as `regimes list --format json`)."""
        from regimes.library import list_regimes as list_all

        return JSONResponse([info.model_dump(mode="json") for info in list_all()])

    @app.get("/regimes/{regime_id}", responses=_NOT_FOUND, tags=["regimes"])
    def show_regime(regime_id: str) -> JSONResponse:
        """A regime's rules with citations and windows in words (as `regimes show ID --format json`)."""
        from regimes.explorer import regime_summary

        return JSONResponse(regime_summary(_bundled(regime_id, "regime_id", status=404)))

    @app.post(
        "/evaluate",
        responses={200: {"model": Evaluation | list[Evaluation]}, **_ERRORS},
        tags=["evaluate"],
    )
    def evaluate(body: EvaluateRequest) -> JSONResponse:
        """Evaluate one case (→ one evaluation) or `cases` (→ a list), as `regimes evaluate --format json`."""
        from regimes.evaluate import evaluate_many

        if body.case is not None and body.cases is not None:
            raise InputError(422, "cases", "give either 'case' or 'cases', not both")
        if body.case is None and body.cases is None:
            raise InputError(422, "case", "'case' (one case) or 'cases' (a list) is required")
        single = body.case is not None
        cases = [body.case] if body.case is not None else list(body.cases or [])
        day = body.on or date.today()
        regime = _bundled(body.regime, "regime") if body.regime is not None else None
        if regime is None:
            for index, case in enumerate(cases):
                _check_resolvable(case, day, "case" if single else f"cases.{index}")
        results = evaluate_many(
            cases,
            regime,
            day,
            backend=engine,
            include_unverified=body.include_unverified,
            explain=body.explain,
        )
        dumped = [_dump(ev) for ev in results]
        return JSONResponse(dumped[0] if single else dumped)

    @app.post(
        "/diff",
        responses={501: {"model": ErrorBody, "description": "Diff not available."}, **_ERRORS},
        tags=["diff"],
    )
    def diff(body: DiffRequest) -> JSONResponse:
        """How two regimes differ, structurally and in behaviour (as `regimes diff A B --format json`)."""
        a = _bundled(body.a, "a")
        b = _bundled(body.b, "b")
        # Imported by name at call time: regimes.diff is optional to this module (it is written
        # apart, and a service without it still serves everything else).
        try:
            module = importlib.import_module("regimes.diff")
        except ImportError:
            module = None
        diff_fn: Callable[..., Any] | None = getattr(module, "diff", None)
        if diff_fn is None:
            raise InputError(501, None, "diff is not available in this installation")
        result = diff_fn(a.id, b.id, on=body.on) if body.on is not None else diff_fn(a.id, b.id)
        # The contract's diff JSON keeps nulls ("population": null), unlike an evaluation's.
        return JSONResponse(result.model_dump(mode="json"))

    @app.post("/sessions", status_code=201, responses=_ERRORS, tags=["sessions"])
    def create_session(body: SessionRequest) -> dict[str, str]:
        """Keep a case for incremental evaluation; answers `{"session": id}`."""
        regime = _bundled(body.regime, "regime") if body.regime is not None else None
        session = Session(body.case, regime, backend=engine, include_unverified=body.include_unverified)
        return {"session": store.add(session)}

    @app.get("/sessions/{session_id}", responses=_NOT_FOUND, tags=["sessions"])
    def show_session(session_id: str) -> dict[str, Any]:
        """The session's case as it stands, and the events added since it began."""
        session = _session(store, session_id)
        return {
            "session": session_id,
            "regime": session.regime.id if session.regime is not None else None,
            "case": session.case.model_dump(mode="json", exclude_none=True),
            "history": [event.model_dump(mode="json", exclude_none=True) for event in session.history],
        }

    @app.post("/sessions/{session_id}/events", responses=_NOT_FOUND, tags=["sessions"])
    def add_events(session_id: str, events: Annotated[EventsIn, Body()]) -> dict[str, Any]:
        """Add one event or a list, all or none; a bad event is 422 and the session is unchanged."""
        session = _session(store, session_id)
        base = len(session.case.events)
        try:
            session.add_many(events.items)
        except CaseError as exc:
            raise _event_error(exc, base, events) from None
        return {"session": session_id, "added": len(events.items), "events": len(session.case.events)}

    @app.get(
        "/sessions/{session_id}/evaluation",
        responses={200: {"model": Evaluation}, **_NOT_FOUND},
        tags=["sessions"],
    )
    def evaluate_session(
        session_id: str,
        on: Annotated[
            IsoDate | None, Query(description="Evaluation date YYYY-MM-DD; default: today.")
        ] = None,
        explain: Annotated[bool, Query(description="Also list the rules that did not apply.")] = False,
    ) -> JSONResponse:
        """The session's case evaluated on `on`, as `POST /evaluate` would answer for it."""
        session = _session(store, session_id)
        day = on or date.today()
        if session.regime is None:
            _check_resolvable(session.case, day, "case")
        return JSONResponse(_dump(session.evaluate(day, explain=explain)))

    @app.delete("/sessions/{session_id}", status_code=204, responses=_NOT_FOUND, tags=["sessions"])
    def delete_session(session_id: str) -> Response:
        """Forget a session."""
        if not store.remove(session_id):
            raise _unknown_session(session_id)
        return Response(status_code=204)

    return app


def _check_resolvable(case: Case, day: date, prefix: str) -> None:
    """Resolve before evaluating, so that a failure names the case's municipality."""
    from regimes.resolve import resolve

    try:
        resolve(case.municipality, day)
    except ResolutionError as exc:
        raise InputError(422, f"{prefix}.municipality", str(exc)) from None


def _unknown_session(session_id: str) -> InputError:
    return InputError(
        404,
        "session_id",
        f"unknown session {session_id!r} (never created, deleted, or dropped as least recently used)",
    )


def _session(store: SessionStore, session_id: str) -> Session:
    try:
        return store.get(session_id)
    except KeyError:
        raise _unknown_session(session_id) from None
