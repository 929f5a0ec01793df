"""``regimes serve``: the HTTP service (docs/http.md) on uvicorn.

Why a command rather than "run uvicorn yourself": the rulesets are loaded and checked before
the port opens, so a broken ruleset is one message and exit 1 (contract), not a 500 on the first
request; users get the contract's defaults (127.0.0.1:8000, local only) without knowing the
app's import path; and every resource limit of the service (docs/http.md, "Limits") is an
option here, passed to each worker process through ``REGIMES_SERVE``.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Annotated, Any

import typer

from regimes.cli import app, errors, friendly
from regimes.service_limits import Limits

_DEFAULTS = Limits()


def _missing_service_deps() -> list[str]:
    return [name for name in ("fastapi", "uvicorn") if importlib.util.find_spec(name) is None]


@app.command("serve")
@friendly
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for every one).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (one per core is usual).")
    ] = 1,
    backend: Annotated[
        str | None,
        typer.Option("--backend", metavar="NAME", help="durable, vector or reference (default: reference)."),
    ] = None,
    max_body_bytes: Annotated[
        int, typer.Option("--max-body-bytes", min=1, metavar="N", help="Largest request body (413 beyond).")
    ] = _DEFAULTS.max_body_bytes,
    max_cases: Annotated[
        int, typer.Option("--max-cases", min=1, metavar="N", help="Most cases in one request (422 beyond).")
    ] = _DEFAULTS.max_cases,
    max_events: Annotated[
        int,
        typer.Option(
            "--max-events", min=1, metavar="N", help="Most events in a case or a session (422 beyond)."
        ),
    ] = _DEFAULTS.max_events,
    max_sessions: Annotated[
        int,
        typer.Option(
            "--max-sessions", min=1, metavar="N", help="Sessions kept; least recently used dropped."
        ),
    ] = _DEFAULTS.max_sessions,
    max_population: Annotated[
        int,
        typer.Option("--max-population", min=1, metavar="N", help="Largest synthetic population of /diff."),
    ] = _DEFAULTS.max_population,
    request_seconds: Annotated[
        float,
        typer.Option("--request-seconds", min=0.001, metavar="S", help="Time limit of a request (503)."),
    ] = _DEFAULTS.request_seconds,
    body_seconds: Annotated[
        float, typer.Option("--body-seconds", min=0.001, metavar="S", help="Time to send the body (408).")
    ] = _DEFAULTS.body_seconds,
    header_seconds: Annotated[
        float,
        typer.Option(
            "--header-seconds", min=0.001, metavar="S", help="Time to send the request head (closed)."
        ),
    ] = _DEFAULTS.header_seconds,
    keep_alive_seconds: Annotated[
        float,
        typer.Option(
            "--keep-alive-seconds", min=0.001, metavar="S", help="Idle keep-alive connections close."
        ),
    ] = 5.0,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request (costs throughput).")
    ] = False,
) -> None:
    """Serve the HTTP API: /regimes, /evaluate, /diff, /sessions, /openapi.json."""
    missing = _missing_service_deps()
    if missing:
        errors.print(
            f"[bold red]error:[/] regimes serve needs {' and '.join(missing)}: "
            "install the service extra, pip install 'regimes[service]'",
            highlight=False,
        )
        raise typer.Exit(1)
    import uvicorn

    from regimes.library import load_all
    from regimes.service_protocol import best_protocol

    limits = Limits(
        max_body_bytes=max_body_bytes,
        max_cases=max_cases,
        max_events=max_events,
        max_sessions=max_sessions,
        max_population=max_population,
        request_seconds=request_seconds,
        body_seconds=body_seconds,
        header_seconds=header_seconds,
    )
    if backend is not None:
        from engine.backends import available_backends

        if backend not in available_backends():
            choices = ", ".join(available_backends())
            raise typer.BadParameter(f"{backend!r} is not a back end ({choices})", param_hint="--backend")
    load_all()  # load and validate every ruleset now: a broken one stops here, before serving
    config: dict[str, Any] = {"limits": limits.__dict__, "backend": backend}
    os.environ["REGIMES_SERVE"] = json.dumps(config)
    uvicorn.run(
        "regimes.service:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=best_protocol(),
        timeout_keep_alive=keep_alive_seconds,  # type: ignore[arg-type]
        access_log=access_log,
        h11_max_incomplete_event_size=16 * 1024,
        log_level="info",
    )
