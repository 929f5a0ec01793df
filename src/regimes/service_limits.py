"""Resource limits of the HTTP service: body size, reading time, request time, abandoned work.

Why a module of its own: these guards sit *outside* the app (an ASGI middleware and a uvicorn
protocol), run before any route is matched, and are the same for every endpoint; the routes in
:mod:`regimes.service` only add the limits that need the parsed body (cases per request, events
per case, sessions). docs/http.md, "Limits", lists every limit and its ``regimes serve`` option.

What each guard prevents (issue 12, item 7):

- **Body size** (:attr:`Limits.max_body_bytes`): a declared ``Content-Length`` above the limit
  is answered 413 before a byte of the body is read; a body sent without one (chunked) is
  counted as it streams and answered 413 the moment it passes the limit. Nothing larger than the
  limit is ever held in memory.
- **Slow bodies** (:attr:`Limits.body_seconds`): the whole body must arrive within this time
  of the request's headers, else 408 and the connection is closed.
- **Slow headers** (:attr:`Limits.header_seconds`, :mod:`regimes.service_protocol`): a
  connection that opens and sends no complete request head within this time is closed
  (uvicorn itself only times out *idle* keep-alive connections).
- **Request time** (:attr:`Limits.request_seconds`): a request still being worked on after
  this time is cancelled and answered 503 naming the limit.
- **Abandoned work**: when the client disconnects before its answer, the request's work is
  cancelled. Routes do their work in short steps (a chunk of cases, a batch of a population)
  with an ``await`` between steps, so cancellation takes effect after the current step.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Limits", "LimitsMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """Every limit of the service, with the defaults ``regimes serve`` uses (docs/http.md)."""

    max_body_bytes: int = 2 * 1024 * 1024
    """Largest request body accepted (413 beyond it)."""
    max_cases: int = 1000
    """Most cases in one ``POST /evaluate`` (``cases``) or ``POST /diff`` (``cases``)."""
    max_events: int = 1000
    """Most events in one case, in a request or in a session as it grows."""
    max_sessions: int = 1000
    """Sessions kept at most; the least recently used is dropped beyond it."""
    max_population: int = 20_000
    """Largest synthetic population ``POST /diff`` computes (``synthetic``)."""
    request_seconds: float = 30.0
    """Longest a request may take, body and work together (503 beyond it)."""
    body_seconds: float = 10.0
    """Longest the body may take to arrive after the headers (408 beyond it)."""
    header_seconds: float = 10.0
    """Longest a connection may take to send a complete request head (closed beyond it)."""

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_cases", "max_events", "max_sessions", "max_population"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                msg = f"'{name}' must be a positive integer (got {value!r})"
                raise ValueError(msg)
        for name in ("request_seconds", "body_seconds", "header_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                msg = f"'{name}' must be a positive number of seconds (got {value!r})"
                raise ValueError(msg)


def _error(status: int, field: str | None, message: str, *, close: bool = False) -> tuple[Message, Message]:
    """The start and body messages of an error in the service's one shape (``ErrorBody``)."""
    body = json.dumps({"detail": [{"field": field, "message": message}]}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body, "more_body": False},
    )


class _Refused(Exception):  # noqa: N818 - a signal inside this module, never raised out of it
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


class LimitsMiddleware:
    """Reads the body within the limits, then runs the app under the request time limit.

    The body is read here, whole, before the app sees the request: so a body over the size
    limit or too slow is refused before any parsing, and the app gets a body it can parse
    without waiting on the network. After the body, the real ``receive`` is watched for the
    client's disconnect, which cancels the app's work.
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        declared = _content_length(scope)
        if declared is not None and declared > limits.max_body_bytes:
            await self._send_error(send, 413, _too_large(limits, f"Content-Length is {declared}"), close=True)
            return
        try:
            body = await asyncio.wait_for(self._read_body(receive), timeout=limits.body_seconds)
        except _Refused as refused:
            await self._send_error(send, refused.status, refused.message, close=True)
            return
        except TimeoutError:
            message = (
                f"the body did not arrive within the limit of {limits.body_seconds:g} s "
                "(regimes serve --body-seconds)"
            )
            await self._send_error(send, 408, message, close=True)
            return
        if body is None:  # the client left while sending
            return
        await self._run(scope, body, receive, send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                raise _Refused(
                    413, _too_large(self.limits, f"more than {self.limits.max_body_bytes} bytes sent")
                )
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _run(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        started = False
        finished = False
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # the app asks after the body only to learn of a disconnect

        async def tracked(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                finished = True
            await send(message)

        work = asyncio.ensure_future(self.app(scope, replay, tracked))
        watcher = asyncio.ensure_future(self._until_disconnect(receive, work, lambda: finished))
        try:
            done, _ = await asyncio.wait({work}, timeout=self.limits.request_seconds)
            if work in done:
                if not work.cancelled():  # cancelled: the client left, nobody to answer
                    work.result()  # re-raise what the app raised (the server logs it)
                return
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            if not started:
                message = (
                    f"the request took longer than the limit of {self.limits.request_seconds:g} s "
                    "(regimes serve --request-seconds); send fewer cases or a smaller population"
                )
                await self._send_error(send, 503, message, close=True)
        finally:
            watcher.cancel()
            if not work.done():
                work.cancel()

    @staticmethod
    async def _until_disconnect(
        receive: Receive, work: asyncio.Future[None], finished: Callable[[], bool]
    ) -> None:
        """Cancel ``work`` if the client disconnects before its answer is complete."""
        while not work.done():
            message = await receive()
            if message["type"] == "http.disconnect":
                if not finished():
                    work.cancel()
                return

    @staticmethod
    async def _send_error(send: Send, status: int, message: str, *, close: bool = False) -> None:
        start, body = _error(status, "body" if status in (408, 413) else None, message, close=close)
        await send(start)
        await send(body)


def _too_large(limits: Limits, what: str) -> str:
    return (
        f"the body is larger than the limit of {limits.max_body_bytes} bytes ({what}; "
        "regimes serve --max-body-bytes)"
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
