"""``regimes serve`` for real, on 127.0.0.1: the limits that only a socket can show.

A slow-header client is closed, a slow body is answered 408, a body over the limit is 413
before it is sent, and work is cancelled when its client leaves; all with short limits so the
module runs in a few seconds. One server for the module, started by the test and stopped after.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CASE = json.loads((ROOT / "examples" / "cases" / "dagpenge-2024.json").read_text("utf-8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from regimes.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--header-seconds",
        "0.5",
        "--body-seconds",
        "0.5",
        "--max-body-bytes",
        "5000",
        "--request-seconds",
        "5",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"regimes serve did not start (exit {process.poll()})")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def connect(url: str) -> socket.socket:
    port = int(url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, or ``None`` if it kept the connection open."""
    sock.settimeout(seconds)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        return received


def test_a_slow_head_is_closed(server: str) -> None:
    with connect(server) as idle:
        assert closed_within(idle, 3.0) == b""  # sent nothing at all
    with connect(server) as slow:
        slow.sendall(b"POST /evaluate HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        assert closed_within(slow, 3.0) == b""


def test_a_slow_body_is_408(server: str) -> None:
    with connect(server) as slow:
        head = (
            b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n"
        )
        slow.sendall(head + b'{"case": ')
        answer = closed_within(slow, 3.0)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"--body-seconds" in answer


def test_a_declared_large_body_is_413_before_it_is_sent(server: str) -> None:
    with connect(server) as sock:
        head = (
            b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\n\r\n"
        )
        sock.sendall(head)
        answer = closed_within(sock, 3.0)
    assert answer is not None
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"5000 bytes" in answer


def test_the_server_keeps_answering(server: str) -> None:
    body = {"case": CASE, "regime": "dk-lab-2024", "on": "2024-03-10"}
    with httpx.Client(base_url=server, timeout=5) as client:
        for _ in range(5):
            response = client.post("/evaluate", json=body)
            assert response.status_code == 200
            assert response.json()["case"] == "c-0001"
        assert client.get("/docs").status_code == 404


def test_serve_names_the_extra_when_the_service_deps_are_missing(tmp_path: Path) -> None:
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('fastapi', 'uvicorn'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Block())\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", "from regimes.cli import main; main()", "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "pip install 'regimes[service]'" in result.stderr
    assert "Traceback" not in result.stderr
