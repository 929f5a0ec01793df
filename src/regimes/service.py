"""The HTTP service behind ``regimes serve`` (contract.md, "HTTP"; docs/http.md).

Why a service: an embedding system (a jobcenter's case system, an a-kasse's portal) asks the
same question as the CLI, over HTTP, without Python. So every answer is the CLI's JSON, built
by the same functions: ``GET /regimes`` is ``regimes list --format json``, ``GET /regimes/{id}``
is ``regimes show ID --format json``, ``POST /evaluate`` is ``regimes evaluate --format json``
and ``POST /diff`` is ``regimes diff A B --format json`` (with ``--cases``/``--synthetic``).

Design choices, each for a reason:

- **Nothing is kept between requests** (contract) except the sessions a caller creates with
  ``POST /sessions``, held in a bounded :class:`~regimes.session.SessionStore` per app.
- **One error shape, every status documented**::

      {"detail": [{"field": "case.birth_date", "message": "'case.birth_date' must be ..."}]}

  Cases are validated by :func:`regimes.parse_case`, so the messages are the CLI's; FastAPI's
  own validation errors, the package's errors (:mod:`regimes.errors`), unknown paths and
  methods, and anything unforeseen (500, logged, never a traceback to the caller) all answer in
  this shape, and every status an operation can answer is in the OpenAPI document.
- **The body is read by the service, not by FastAPI** (:class:`_JsonRoute`): so a body that is
  not JSON, not UTF-8, sent as another media type, nested too deeply or holding a lone
  surrogate gets a named 415/422 instead of FastAPI's bare 400; FastAPI then validates the parsed
  value against the request model, whose JSON Schema is the one the OpenAPI document shows.
- **Limits on everything a caller controls** (:mod:`regimes.service_limits`): body size and
  reading time, request time, cases per request, events per case and per session, sessions.
- **Only bundled regime ids** are accepted (the CLI also takes a path to a YAML file; a
  server must not read files a caller names). The OpenAPI document lists them as an enum.
- **Fast where it is hot**: one case is evaluated on the event loop (about a millisecond: a
  hop to a worker thread costs more than it saves); a list of cases or a population runs on
  worker threads in chunks, awaiting between chunks, so the loop keeps answering and a cancelled
  request (time limit, client gone) stops after the current chunk. Answers are serialised by
  pydantic straight to JSON bytes.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Coroutine, Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Final, NamedTuple, TypeVar, cast

import anyio.to_thread
from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from regimes.case import Case, Event, IsoDate, parse_case
from regimes.errors import CaseError, EngineError, RegimesError, ResolutionError, RulesetError
from regimes.layer import Regime
from regimes.library import RegimeInfo
from regimes.results import Evaluation
from regimes.service_limits import Limits, LimitsMiddleware
from regimes.session import Session, SessionStore

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["ErrorBody", "Limits", "Problem", "app_from_environment", "create_app"]

log = logging.getLogger("regimes.service")

# --------------------------------------------------------------------------------------------
# Errors: one shape, the field named
# --------------------------------------------------------------------------------------------


class Problem(BaseModel):
    """One thing wrong with a request: where (a dotted path into the body or the query) and what."""

    field: str | None = Field(
        description="Dotted path of the bad input, e.g. `case.birth_date`; null if no one field is at fault."
    )
    message: str = Field(description="What was expected and what came, quoting the field.")


class ErrorBody(BaseModel):
    """Every error response: a list of problems (the first is the one to fix first)."""

    detail: list[Problem] = Field(description="The problems found, at least one.")


class InputError(Exception):
    """A request the handlers reject themselves, with its status and the field at fault."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def _error_response(
    status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        ErrorBody(detail=list(problems)).model_dump(mode="json"), status_code=status, headers=headers
    )


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
# Reading a JSON body: media type, UTF-8, syntax, depth, text
# --------------------------------------------------------------------------------------------

MAX_DEPTH: Final = 32
"""Levels of arrays and objects a body may nest (a request with cases and events needs five)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPE = re.compile(r"application/([a-z0-9.+-]+\+)?json", re.IGNORECASE)


def _is_json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip()
    return bool(_JSON_TYPE.fullmatch(media))


def _text_problem(data: Any) -> Problem | None:
    """The first place where ``data`` nests too deeply or holds a lone surrogate (iteratively)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                where = ".".join(path) or "body"
                return Problem(field=where, message=f"'{where}' holds a lone surrogate (not text: {value!r})")
            continue
        if isinstance(value, dict | list):
            if len(path) >= MAX_DEPTH:
                where = ".".join(path)
                return Problem(field=where, message=f"'{where}' nests more than {MAX_DEPTH} levels deep")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _SURROGATE.search(key):
                    where = ".".join(path) or "body"
                    return Problem(
                        field=where, message=f"a key in '{where}' holds a lone surrogate ({key!r})"
                    )
                stack.append((item, (*path, str(key))))
    return None


class _BodyRefused(Exception):  # noqa: N818 - carried to its handler, never out of the app
    def __init__(self, status: int, problem: Problem) -> None:
        self.status = status
        self.problem = problem


async def _parsed_body(request: Request) -> None:
    """Read, check and parse a JSON body, and leave it where FastAPI looks for it.

    Raises:
        _BodyRefused: 415 for another media type, 422 for everything a JSON parser or our
            checks refuse, each naming ``body`` (or the place in it).
    """
    body = await request.body()
    content_type = request.headers.get("content-type")
    if not _is_json_type(content_type):
        got = f"got {content_type!r}" if content_type else "none was given"
        message = f"the body must be sent as JSON, with 'Content-Type: application/json' ({got})"
        raise _BodyRefused(415, Problem(field="body", message=message))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"the body is not UTF-8 (byte {exc.start}: {body[exc.start : exc.start + 1]!r})"
        raise _BodyRefused(422, Problem(field="body", message=message)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"the body is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        raise _BodyRefused(422, Problem(field="body", message=message)) from None
    except RecursionError:
        message = f"the body nests more than {MAX_DEPTH} levels deep"
        raise _BodyRefused(422, Problem(field="body", message=message)) from None
    problem = _text_problem(data)
    if problem is not None:
        raise _BodyRefused(422, problem)
    request._json = data  # Starlette's cache: FastAPI's request.json() returns it


class _JsonRoute(APIRoute):
    """A route whose JSON body is read and checked by :func:`_parsed_body` before FastAPI sees it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            await _parsed_body(request)
            return await handler(request)

        return checked


# --------------------------------------------------------------------------------------------
# Request and response bodies
# --------------------------------------------------------------------------------------------


def _validated_case(value: object) -> Case:
    """A case validated by :func:`parse_case`, its error carried to the 422 with its field."""
    try:
        return parse_case(value)
    except CaseError as exc:
        raise PydanticCustomError(
            "regimes_case", "{message}", {"field": exc.field, "message": exc.message}
        ) from None


def _validated_case_or_none(value: object) -> Case | None:
    return _validated_case(value)


def _validated_cases(value: object) -> list[Case] | None:
    """A list of cases, each validated by :func:`parse_case`; an error names its index."""
    if not isinstance(value, list):
        raise PydanticCustomError(
            "regimes_case",
            "{message}",
            {"field": None, "message": f"must be a list of cases (got {type(value).__name__})"},
        )
    cases: list[Case] = []
    for index, item in enumerate(value):
        try:
            cases.append(parse_case(item))
        except CaseError as exc:
            field = _join(index, exc.field)
            message = _renamed(exc.message, exc.field, field)
            raise PydanticCustomError(
                "regimes_case", "{message}", {"field": field, "message": message}
            ) from None
    return cases


CaseIn = Annotated[Case, PlainValidator(_validated_case, json_schema_input_type=Case)]
"""A case in a request body: documented by the case's JSON Schema, validated by parse_case."""

OptionalCaseIn = Annotated[Case | None, PlainValidator(_validated_case_or_none, json_schema_input_type=Case)]
"""An optional case: absent is ``None``, but an explicit ``null`` is refused as the schema says."""

OptionalCasesIn = Annotated[
    list[Case] | None, PlainValidator(_validated_cases, json_schema_input_type=list[Case])
]
"""An optional list of cases, likewise never ``null``."""

RegimeId = Annotated[
    str,
    Field(
        description="A bundled regime id (see `GET /regimes`).",
        json_schema_extra={"x-regimes-regime-id": True},
    ),
]
"""A regime id in a body; the OpenAPI document lists the bundled ids as its enum."""


class _Body(BaseModel):
    """Request bodies: unknown fields are errors, nothing is coerced (as for cases)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class EvaluateRequest(_Body):
    """``POST /evaluate``: one case (``case``) or several (``cases``), as ``regimes evaluate``."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["case"]}, {"required": ["cases"]}]})

    case: OptionalCaseIn = Field(None, description="One case; the answer is one evaluation.")
    cases: OptionalCasesIn = Field(
        None,
        description="Several cases (at most the service's `max_cases`, 1000 by default); "
        "the answer is a list in the same order.",
    )
    regime: RegimeId | None = Field(
        None,
        description="A bundled regime id; default: the one in force for each case's municipality on `on`.",
    )
    on: IsoDate | None = Field(None, description="Evaluation date YYYY-MM-DD; default: today (the server's).")
    include_unverified: bool = Field(False, description="Also apply rules tagged unverified.")
    explain: bool = Field(False, description="Also list the rules that did not apply, and why.")


class DiffRequest(_Body):
    """``POST /diff``: two bundled regimes, and optionally the cases for the population part."""

    a: RegimeId = Field(description="The regime to compare from (a bundled id).")
    b: RegimeId = Field(description="The regime to compare to (a bundled id).")
    on: IsoDate | None = Field(None, description="The date to compare on; default: the diff's own.")
    cases: OptionalCasesIn = Field(
        None,
        description="Cases for the population part (as `regimes diff --cases`), at most `max_cases`.",
    )
    synthetic: int | None = Field(
        None,
        ge=0,
        le=Limits.max_population,
        description="A synthetic population of this many cases for the population part "
        "(as `regimes diff --synthetic N`), at most `max_population`.",
    )
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed of the synthetic population.")


class SessionRequest(_Body):
    """``POST /sessions``: the case to keep, and the regime to keep it under."""

    case: CaseIn = Field(description="The case to keep (its events count towards `max_events`).")
    regime: RegimeId | None = Field(
        None, description="A bundled regime id; default: resolved per evaluation date."
    )
    include_unverified: bool = Field(False, description="Also apply rules tagged unverified.")


class SessionCreated(BaseModel):
    """The answer to ``POST /sessions``."""

    session: str = Field(description="The session's id (random, 32 hex digits).")


class SessionView(BaseModel):
    """A session as it stands: ``GET /sessions/{session_id}``."""

    session: str = Field(description="The session's id.")
    regime: str | None = Field(description="The regime evaluated under; null if resolved per date.")
    case: dict[str, Any] = Field(
        description="The case as it stands (the `Case` schema): the original with every added event."
    )
    history: list[dict[str, Any]] = Field(description="The events added since the session began, in order.")


class EventsAdded(BaseModel):
    """The answer to ``POST /sessions/{session_id}/events``."""

    session: str = Field(description="The session's id.")
    added: int = Field(description="Events added by this request.")
    events: int = Field(description="Events the session's case holds now.")


class Health(BaseModel):
    """The answer to ``GET /health``."""

    status: str = Field(description='Always "ok": the service is up and answering.')


class RegimeDetail(BaseModel):
    """A regime with its rules (``regimes show ID --format json``)."""

    id: str = Field(description="The regime's id.")
    title: str = Field(description="Its title.")
    status: str = Field(description="in_force, expired, proposed or never_in_force.")
    legal_basis: str | None = Field(description="The law or order it rests on.")
    valid_from: str | None = Field(description="First day in force (YYYY-MM-DD), if any.")
    valid_to: str | None = Field(description="Last day in force (YYYY-MM-DD), if any.")
    scope: str | list[str] = Field(description='"all" or the kommunekoder it covers.')
    extends: str | None = Field(description="The regime it is layered on, if any.")
    rules: list[dict[str, Any]] = Field(
        description="Its rules: id, effect, step, actor, window in words, citation, confidence, ..."
    )
    exemptions: list[dict[str, Any]] = Field(description="Rules it lifts, with citations.")
    safeguards: list[dict[str, Any]] = Field(description="Safeguards it keeps.")
    not_modelled: list[dict[str, Any]] = Field(description="What of the law it does not model.")
    context: list[dict[str, Any]] = Field(description="Context notes.")
    notes: Any = Field(description="Free-text notes, if any.")


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
# Documented answers
# --------------------------------------------------------------------------------------------

_STATUS_TEXT: Final[dict[int, str]] = {
    404: "No such resource; `field` names the id.",
    408: "The body did not arrive within the service's `body_seconds`.",
    413: "The body is larger than the service's `max_body_bytes`.",
    415: "The body was not sent as `application/json`.",
    422: "Bad input; `field` names it (also: a limit on cases or events exceeded).",
    500: "The service failed (its rulesets or back end); nothing the caller can fix. Logged.",
    501: "This installation cannot compute what was asked.",
    503: "The request took longer than the service's `request_seconds`.",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an operation: the given ones, plus 500 and 503 for every one."""
    return {
        status: {"model": ErrorBody, "description": _STATUS_TEXT[status]}
        for status in sorted({*statuses, 500, 503})
    }


_BODY_ERRORS = (408, 413, 415, 422)

# --------------------------------------------------------------------------------------------
# Work off the event loop, in chunks, cancellable between chunks
# --------------------------------------------------------------------------------------------

CHUNK: Final = 64
"""Cases evaluated per step on a worker thread; a cancelled request stops after its step."""

INLINE: Final = 4
"""Up to this many cases are evaluated on the event loop itself (a thread hop costs more)."""

_T = TypeVar("_T")


async def _in_thread(fn: Callable[[], _T]) -> _T:
    return await anyio.to_thread.run_sync(fn)


def _dump(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as the CLI prints it (``--format json``)."""
    return evaluation.model_dump(mode="json")


def _json_bytes(evaluations: Sequence[Evaluation], single: bool) -> bytes:
    if single:
        return evaluations[0].model_dump_json().encode()
    return b"[" + b",".join(ev.model_dump_json().encode() for ev in evaluations) + b"]"


class _Cancel:
    """A stand-in for rich's ``Progress``: :func:`population_impact` advances it per batch, and
    it raises once its request was abandoned, so a population on a worker thread stops early."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def add_task(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._check()

    def advance(self, *args: Any, **kwargs: Any) -> None:
        self._check()

    def _check(self) -> None:
        if self.event.is_set():
            raise _Abandoned


class _Abandoned(Exception):  # noqa: N818 - a signal, never raised out of the app
    pass


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------


def _bundled(regime_id: str, field: str, status: int = 422) -> Regime:
    """A bundled regime by id; never a path (a server must not read files its caller names)."""
    from regimes.library import bundled

    try:
        return bundled().build(regime_id)
    except ResolutionError as exc:
        raise InputError(status, field, str(exc)) from None


def create_app(
    *,
    backend: str | None = None,
    max_sessions: int | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    """The HTTP service: the contract's endpoints, plus sessions on request.

    Args:
        backend: the back end for evaluations (default: ``REGIMES_BACKEND``, else ``reference``:
            for one case per request it is the fastest, and every back end answers the same).
        max_sessions: sessions kept at most (default: ``limits.max_sessions``).
        limits: the resource limits (default: :class:`~regimes.service_limits.Limits`).
    """
    from regimes import __version__

    limits = limits or Limits()
    if max_sessions is not None:
        limits = Limits(**{**limits.__dict__, "max_sessions": max_sessions})
    engine = backend or os.environ.get("REGIMES_BACKEND") or "reference"
    store = SessionStore(limits.max_sessions)
    app = FastAPI(
        title="regimes",
        version=__version__,
        description=(
            "Rules as code for Danish employment law: which steps a case requires, by whom, by when, "
            "under which paragraph, and how regimes differ. Same JSON as the `regimes` CLI; "
            "limits and errors in docs/http.md."
        ),
        docs_url=None,  # the interactive pages load from a CDN: not served (docs/http.md)
        redoc_url=None,
        separate_input_output_schemas=False,
    )
    app.router.route_class = _JsonRoute
    app.state.sessions = store
    app.state.limits = limits
    app.state.backend = engine
    app.add_middleware(_HotPath, limits=limits, engine=engine)
    app.add_middleware(LimitsMiddleware, limits=limits)  # added last: the outermost

    _install_error_handlers(app)

    @app.get("/health", response_model=Health, operation_id="health", tags=["service"], responses=_errors())
    async def health() -> Health:
        """Liveness: answers at once, without touching the rulesets."""
        return Health(status="ok")

    @app.get(
        "/regimes",
        response_model=list[RegimeInfo],
        operation_id="listRegimes",
        tags=["regimes"],
        responses=_errors(),
    )
    def list_regimes() -> Response:
        """Every bundled regime: id, title, status, dates, scope (as `regimes list --format json`)."""
        return _listing()

    @app.get(
        "/regimes/{regime_id}",
        response_model=RegimeDetail,
        operation_id="showRegime",
        tags=["regimes"],
        responses=_errors(404, 422),
    )
    def show_regime(regime_id: str) -> Response:
        """A regime's rules with citations and windows in words (as `regimes show ID --format json`)."""
        return _detail(regime_id)

    @app.post(
        "/evaluate",
        response_model=Evaluation | list[Evaluation],
        operation_id="evaluate",
        tags=["evaluate"],
        responses=_errors(*_BODY_ERRORS),
    )
    async def evaluate(body: EvaluateRequest) -> Response:
        """Evaluate one case (→ one evaluation) or `cases` (→ a list), as `regimes evaluate --format json`."""
        plan = _plan_evaluation(body, limits, engine)
        if len(plan.cases) <= INLINE:
            results = plan.run(plan.cases, 0)
        else:
            results = []
            for start in range(0, len(plan.cases), CHUNK):
                chunk = plan.cases[start : start + CHUNK]
                results.extend(await _in_thread(functools.partial(plan.run, chunk, start)))
        return Response(_json_bytes(results, plan.single), media_type="application/json")

    @app.post(
        "/diff",
        response_model=_diff_model(),
        operation_id="diff",
        tags=["diff"],
        responses=_errors(*_BODY_ERRORS, 501),
    )
    async def diff(body: DiffRequest) -> Response:
        """How two regimes differ, structurally and in behaviour (as `regimes diff A B --format json`);
        with `cases` or `synthetic`, also the population part (as `--cases` / `--synthetic N`)."""
        a = _bundled(body.a, "a")
        b = _bundled(body.b, "b")
        if body.cases is not None and body.synthetic is not None:
            raise InputError(422, "synthetic", "give either 'cases' or 'synthetic', not both")
        if body.cases is not None:
            _check_sizes(body.cases, limits, "cases", False)
        if body.synthetic is not None and body.synthetic > limits.max_population:
            message = (
                f"'synthetic' must be at most {limits.max_population}, the service's limit "
                f"(regimes serve --max-population; got {body.synthetic})"
            )
            raise InputError(422, "synthetic", message)
        # Imported by name at call time: a service without regimes.diff still serves the rest.
        try:
            module = importlib.import_module("regimes.diff")
        except ImportError:
            module = None
        diff_fn: Callable[..., Any] | None = getattr(module, "diff", None)
        if diff_fn is None:
            raise InputError(501, None, "diff is not available in this installation")
        cancel = _Cancel()
        work = functools.partial(_diff_work, diff_fn, a, b, body, cancel)
        try:
            return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except BaseException:
            cancel.event.set()  # the request was cancelled (time limit, client gone): stop the thread
            raise

    @app.post(
        "/sessions",
        status_code=201,
        response_model=SessionCreated,
        operation_id="createSession",
        tags=["sessions"],
        responses=_errors(*_BODY_ERRORS),
    )
    async def create_session(body: SessionRequest) -> SessionCreated:
        """Keep a case for incremental evaluation; answers `{"session": id}`."""
        _check_sizes([body.case], limits, "case", True)
        regime = _bundled(body.regime, "regime") if body.regime is not None else None
        session = Session(body.case, regime, backend=engine, include_unverified=body.include_unverified)
        return SessionCreated(session=store.add(session))

    @app.get(
        "/sessions/{session_id}",
        response_model=SessionView,
        operation_id="showSession",
        tags=["sessions"],
        responses=_errors(404, 422),
    )
    async def show_session(session_id: str) -> SessionView:
        """The session's case as it stands, and the events added since it began."""
        session = _session(store, session_id)
        return SessionView(
            session=session_id,
            regime=session.regime.id if session.regime is not None else None,
            case=session.case.model_dump(mode="json", exclude_none=True),
            history=[event.model_dump(mode="json", exclude_none=True) for event in session.history],
        )

    @app.post(
        "/sessions/{session_id}/events",
        response_model=EventsAdded,
        operation_id="addEvents",
        tags=["sessions"],
        responses=_errors(404, *_BODY_ERRORS),
    )
    async def add_events(session_id: str, events: Annotated[EventsIn, Body()]) -> EventsAdded:
        """Add one event or a list, all or none; a bad event is 422 and the session is unchanged."""
        session = _session(store, session_id)
        base = len(session.case.events)
        if base + len(events.items) > limits.max_events:
            field = "event" if events.single else "events"
            message = (
                f"the session would hold {base + len(events.items)} events, more than the limit of "
                f"{limits.max_events} (regimes serve --max-events); start a new session"
            )
            raise InputError(422, field, message)
        try:
            session.add_many(events.items)
        except CaseError as exc:
            raise _event_error(exc, base, events) from None
        return EventsAdded(session=session_id, added=len(events.items), events=len(session.case.events))

    @app.get(
        "/sessions/{session_id}/evaluation",
        response_model=Evaluation,
        operation_id="evaluateSession",
        tags=["sessions"],
        responses=_errors(404, 422),
    )
    async def evaluate_session(
        session_id: str,
        on: Annotated[
            IsoDate | None, Query(description="Evaluation date YYYY-MM-DD; default: today.")
        ] = None,
        explain: Annotated[bool, Query(description="Also list the rules that did not apply.")] = False,
    ) -> Response:
        """The session's case evaluated on `on`, as `POST /evaluate` would answer for it."""
        session = _session(store, session_id)
        day = on or date.today()
        if session.regime is None:
            _check_resolvable(session.case, day, "case")
        try:
            result = session.evaluate(day, explain=explain)
        except CaseError as exc:
            raise _case_problem(exc, "case") from None
        return Response(_json_bytes([result], True), media_type="application/json")

    @app.delete(
        "/sessions/{session_id}",
        status_code=204,
        response_class=Response,
        operation_id="deleteSession",
        tags=["sessions"],
        responses={204: {"description": "Forgotten."}, **_errors(404, 422)},
    )
    async def delete_session(session_id: str) -> Response:
        """Forget a session."""
        if not store.remove(session_id):
            raise _unknown_session(session_id)
        return Response(status_code=204)

    app.openapi = functools.partial(_openapi, app)  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """The app as ``regimes serve`` configures it, for uvicorn's workers (``factory=True``).

    ``regimes serve`` puts its options in ``REGIMES_SERVE`` (JSON) before uvicorn starts the
    worker processes, each of which calls this.
    """
    from regimes.service_protocol import set_header_seconds

    config = json.loads(os.environ.get("REGIMES_SERVE", "{}"))
    limits = Limits(**config.get("limits", {}))
    set_header_seconds(limits.header_seconds)
    return create_app(backend=config.get("backend"), limits=limits)


# --------------------------------------------------------------------------------------------
# Helpers of the routes
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _diff_model() -> Any:
    try:
        from regimes.diff.model import RegimeDiff
    except ImportError:  # pragma: no cover - regimes.diff is part of the package
        return dict[str, Any]
    return RegimeDiff


def _listing() -> Response:
    from regimes.library import list_regimes as list_all

    body = "[" + ",".join(info.model_dump_json() for info in list_all()) + "]"
    return Response(body.encode(), media_type="application/json")


def _detail(regime_id: str) -> Response:
    from regimes.explorer import regime_summary

    return JSONResponse(regime_summary(_bundled(regime_id, "regime_id", status=404)))


class _Plan(NamedTuple):
    """A checked ``POST /evaluate``: its cases, whether one was sent, and how to evaluate a chunk."""

    cases: list[Case]
    single: bool
    run: Callable[[Sequence[Case], int], list[Evaluation]]


def _plan_evaluation(body: EvaluateRequest, limits: Limits, engine: str) -> _Plan:
    """Everything ``POST /evaluate`` checks before evaluating; raises :class:`InputError`."""
    if body.case is not None and body.cases is not None:
        raise InputError(422, "cases", "give either 'case' or 'cases', not both")
    if body.case is None and body.cases is None:
        raise InputError(422, "case", "'case' (one case) or 'cases' (a list) is required")
    single = body.case is not None
    cases = [body.case] if body.case is not None else list(body.cases or [])
    prefix = "case" if single else "cases"
    _check_sizes(cases, limits, prefix, single)
    day = body.on or date.today()
    regime = _bundled(body.regime, "regime") if body.regime is not None else None
    if regime is None:
        for index, case in enumerate(cases):
            _check_resolvable(case, day, prefix if single else f"cases.{index}")
    run = functools.partial(
        _evaluate_chunk,
        regime=regime,
        day=day,
        backend=engine,
        include_unverified=body.include_unverified,
        explain=body.explain,
        prefix=prefix,
        single=single,
    )
    return _Plan(cases, single, run)


class _HotPath:
    """``POST /evaluate`` of a few cases, answered without FastAPI's per-request machinery.

    Why: one evaluation costs well under a millisecond, and routing, dependency solving and
    the middleware stack cost a sizeable share on top (measured: docs/benchmarks.md, "HTTP
    service"). This handler runs the *same* checks and evaluation as the route
    (:func:`_plan_evaluation`); anything but a 200 (bad input, a limit, many cases) is handed
    to the full app with the body unchanged, so every error is formatted by one set of handlers
    and the route stays the only definition of the operation.
    """

    def __init__(self, app: Any, limits: Limits, engine: str) -> None:
        self.app = app
        self.limits = limits
        self.engine = engine

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/evaluate":
            await self.app(scope, receive, send)
            return
        message = await receive()
        answer = self._answer(scope, message)
        if answer is None:
            replayed = False

            async def replay() -> Any:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return message
                return await receive()

            await self.app(scope, replay, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer, "more_body": False})

    def _answer(self, scope: Any, message: Any) -> bytes | None:
        if message.get("type") != "http.request" or message.get("more_body", False):
            return None
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"").decode("latin-1")
        if not _is_json_type(content_type):
            return None
        try:
            data = json.loads(message.get("body", b""))
            if _text_problem(data) is not None:
                return None
            body = EvaluateRequest.model_validate(data)
            plan = _plan_evaluation(body, self.limits, self.engine)
            if len(plan.cases) > INLINE:
                return None
            return _json_bytes(plan.run(plan.cases, 0), plan.single)
        except Exception:  # the full app answers it, and formats the error
            return None


def _check_sizes(cases: Sequence[Case], limits: Limits, prefix: str, single: bool) -> None:
    """422 naming the limit: too many cases in one request, or too many events in one case."""
    if not single and len(cases) > limits.max_cases:
        message = (
            f"'{prefix}' holds {len(cases)} cases, more than the limit of {limits.max_cases} per request "
            "(regimes serve --max-cases); send them in several requests"
        )
        raise InputError(422, prefix, message)
    for index, case in enumerate(cases):
        if len(case.events) > limits.max_events:
            where = f"{prefix}.events" if single else f"{prefix}.{index}.events"
            message = (
                f"'{where}' holds {len(case.events)} events, more than the limit of {limits.max_events} "
                "per case (regimes serve --max-events)"
            )
            raise InputError(422, where, message)


def _evaluate_chunk(
    cases: Sequence[Case],
    start: int,
    *,
    regime: Regime | None,
    day: date,
    backend: str,
    include_unverified: bool,
    explain: bool,
    prefix: str,
    single: bool,
) -> list[Evaluation]:
    """Evaluate ``cases`` (positions ``start``… of the request); a CaseError names its case."""
    from regimes.evaluate import evaluate_many

    try:
        return evaluate_many(
            cases, regime, day, backend=backend, include_unverified=include_unverified, explain=explain
        )
    except CaseError as exc:
        if single:
            raise _case_problem(exc, prefix) from None
        ids = [case.id for case in cases]
        index = start + ids.index(exc.case) if exc.case in ids else None
        raise _case_problem(exc, f"{prefix}.{index}" if index is not None else prefix) from None


def _case_problem(exc: CaseError, prefix: str) -> InputError:
    """A CaseError raised while evaluating: ``on`` is the body's; any other field is the case's."""
    field = exc.field
    if field in (None, "on"):
        return InputError(422, field or prefix, exc.message)
    where = f"{prefix}.{field}"
    return InputError(422, where, _renamed(exc.message, field, where))


def _diff_work(
    diff_fn: Callable[..., Any], a: Regime, b: Regime, body: DiffRequest, cancel: _Cancel
) -> Response:
    """The diff and its population part, on a worker thread; stops when ``cancel`` is set."""
    try:
        result = diff_fn(a.id, b.id, on=body.on) if body.on is not None else diff_fn(a.id, b.id)
    except CaseError as exc:
        # The request holds no case: a witness the diff built for the date is invalid.
        on = body.on.isoformat() if body.on is not None else "its default date"
        message = f"the diff cannot be computed on {on}: {exc}"
        raise InputError(422, "on", message) from None
    if body.cases is not None or body.synthetic is not None:
        from regimes.diff.population import population_impact

        if body.synthetic is not None:
            from regimes.synthetic import ASSUMPTIONS, synthetic_population

            cases = synthetic_population(body.synthetic, body.seed, on=result.on)
            source = f"synthetic n={body.synthetic} seed={body.seed}"
            assumptions: Any = ASSUMPTIONS
        else:
            cases, source, assumptions = list(body.cases or []), "request", None
        try:
            population = population_impact(
                cases,
                a,
                b,
                on=result.on,
                source=source,
                progress=cast("Progress", cancel),  # duck-typed: add_task, update, advance
                assumptions=assumptions,
            )
        except _Abandoned:
            return Response(status_code=499)  # never sent: the request is gone
        except CaseError as exc:
            raise InputError(422, "cases" if body.cases is not None else "synthetic", str(exc)) from None
        result = result.model_copy(update={"population": population})
    # The contract's diff JSON keeps nulls ("population": null), unlike an evaluation's.
    return JSONResponse(result.model_dump(mode="json"))


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


# --------------------------------------------------------------------------------------------
# Error handlers: every failure in the one shape, with a documented status
# --------------------------------------------------------------------------------------------


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, [_problem(error) for error in exc.errors()])

    @app.exception_handler(_BodyRefused)
    async def _on_body(request: Request, exc: _BodyRefused) -> JSONResponse:
        return _error_response(exc.status, [exc.problem])

    @app.exception_handler(InputError)
    async def _on_input(request: Request, exc: InputError) -> JSONResponse:
        return _error_response(exc.status, [Problem(field=exc.field, message=exc.message)])

    @app.exception_handler(CaseError)
    async def _on_case(request: Request, exc: CaseError) -> JSONResponse:
        return _error_response(422, [Problem(field=exc.field, message=exc.message)])

    @app.exception_handler(ResolutionError)
    async def _on_resolution(request: Request, exc: ResolutionError) -> JSONResponse:
        return _error_response(422, [Problem(field=None, message=str(exc))])

    @app.exception_handler(RulesetError)
    @app.exception_handler(EngineError)
    @app.exception_handler(RegimesError)
    async def _on_server(request: Request, exc: RegimesError) -> JSONResponse:
        # The service's own rulesets or back end are broken: not the caller's fault.
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return _error_response(500, [Problem(field=None, message=str(exc))])

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = _allowed_methods(app, request)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed on {request.url.path} (allowed: {', '.join(allowed)})"
            return _error_response(405, [Problem(field=None, message=message)], headers)
        if exc.status_code == 404:
            message = f"no such path: {request.url.path} (see /openapi.json)"
            return _error_response(404, [Problem(field=None, message=message)], headers)
        return _error_response(exc.status_code, [Problem(field=None, message=str(exc.detail))], headers)

    @app.exception_handler(Exception)
    async def _on_anything(request: Request, exc: Exception) -> JSONResponse:
        # A bug: logged with its traceback here, answered without one.
        reference = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", reference, request.method, request.url.path)
        message = f"internal error (reference {reference}); the service's log has the details"
        return _error_response(500, [Problem(field=None, message=message)])


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route accepts on this path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and _path_matches(route, request):
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _path_matches(route: Any, request: Request) -> bool:
    regex = getattr(route, "path_regex", None)
    return bool(regex is not None and regex.match(request.url.path))


# --------------------------------------------------------------------------------------------
# The OpenAPI document
# --------------------------------------------------------------------------------------------


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the bundled regime ids as an enum wherever a body takes one."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from regimes.library import bundled

    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    ids = sorted(bundled().regime_ids())

    def mark(node: Any) -> None:
        if isinstance(node, dict):
            if node.pop("x-regimes-regime-id", False):
                node["enum"] = ids
            for value in node.values():
                mark(value)
        elif isinstance(node, list):
            for value in node:
                mark(value)

    mark(spec)
    _drop_unused_schemas(spec)
    app.openapi_schema = spec
    return spec


def _drop_unused_schemas(spec: dict[str, Any]) -> None:
    """Keep only the component schemas some operation refers to, directly or through another.

    FastAPI also emits the serialisation schema of internal types (the posted-events wrapper),
    which no request or answer uses and a client generator would turn into a stray class.
    """
    schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    used: set[str] = set()
    todo: list[Any] = [spec["paths"]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                name = ref.removeprefix(prefix)
                if name not in used and name in schemas:
                    used.add(name)
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    for name in list(schemas):
        if name not in used:
            del schemas[name]
