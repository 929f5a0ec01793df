"""``regimes serve``: the HTTP service (docs/http.md) on uvicorn.

Why a command rather than "run uvicorn yourself": the rulesets are loaded and checked before
the port opens, so a broken ruleset is one message and exit 1 (contract), not a 500 on the first
request; and users get the contract's defaults (127.0.0.1:8000, local only) without knowing the
app's import path.
"""

from __future__ import annotations

from typing import Annotated

import typer

from regimes.cli import app, friendly


@app.command("serve")
@friendly
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for every one).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API: /regimes, /evaluate, /diff, /sessions, /openapi.json."""
    import uvicorn

    from regimes.library import load_all
    from regimes.service import create_app

    load_all()  # load and validate every ruleset now: a broken one stops here, before serving
    uvicorn.run(create_app(), host=host, port=port)
