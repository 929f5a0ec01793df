"""uvicorn's HTTP protocols with a time limit on the request head (slow-header clients).

Why: uvicorn times out only *idle* keep-alive connections. A client that opens a connection
and sends its request head slowly, or never, holds a socket forever (issue 12: 1,100 sockets
held for 60 s). These subclasses close such a connection after
:attr:`~regimes.service_limits.Limits.header_seconds`. The body has its own limit, in
:class:`~regimes.service_limits.LimitsMiddleware`.

How: a timer is armed when a connection opens and whenever data arrives while no request is
in progress; when it fires, the connection is closed unless a request head was completed since
it was armed (uvicorn starts a new ``cycle`` for each complete head). A client trickling a
head byte by byte is closed within ``header_seconds`` of its first byte (within twice that
after an earlier request on the same connection).

Imported only by ``regimes serve`` and its workers: importing uvicorn costs start-up time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from regimes.service_limits import Limits

__all__ = ["TimedH11Protocol", "TimedHttpToolsProtocol", "best_protocol", "set_header_seconds"]


class _HeaderTimeout:
    """The timer, for either of uvicorn's protocols (mixed in before the protocol class)."""

    header_seconds: float = Limits.header_seconds
    _header_timer: asyncio.TimerHandle | None = None
    _header_cycle: object = None
    cycle: Any
    transport: Any
    loop: asyncio.AbstractEventLoop

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._arm_header_timer()
        super().data_received(data)  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_cycle = self.cycle
            self._header_timer = self.loop.call_later(self.header_seconds, self._header_expired)

    def _header_expired(self) -> None:
        self._header_timer = None
        idle = self.cycle is None or self.cycle.response_complete
        if self.cycle is self._header_cycle and idle and not self.transport.is_closing():
            self.transport.close()


class TimedH11Protocol(_HeaderTimeout, H11Protocol):
    """uvicorn's h11 protocol with the head time limit."""


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: the h11 protocol serves
    TimedHttpToolsProtocol: type[Any] | None = None
else:

    class _TimedHttpTools(_HeaderTimeout, HttpToolsProtocol):
        """uvicorn's httptools protocol with the head time limit."""

    _TimedHttpTools.__name__ = _TimedHttpTools.__qualname__ = "TimedHttpToolsProtocol"
    TimedHttpToolsProtocol = _TimedHttpTools


def best_protocol() -> type[Any]:
    """The faster protocol available: httptools if installed, else h11."""
    return TimedHttpToolsProtocol or TimedH11Protocol


def set_header_seconds(seconds: float) -> None:
    """Set the head time limit of every connection this process opens from now on."""
    for protocol in (TimedHttpToolsProtocol, TimedH11Protocol):
        if protocol is not None:
            protocol.header_seconds = seconds
