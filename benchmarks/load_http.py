"""Load benchmark of the HTTP service: many concurrent clients, one case per ``POST /evaluate``.

Not part of the test run: it prints figures, it asserts nothing. Loopback only, bounded in
count (``--requests``) and in time (``--time-limit``: no request is started after it, and
every request has its own timeout). Run::

    .venv/bin/python benchmarks/load_http.py                      # 20,000 requests, 200 clients
    .venv/bin/python benchmarks/load_http.py --workers 2          # passed on to `regimes serve`
    .venv/bin/python benchmarks/load_http.py --url http://127.0.0.1:8000   # a server you started

What it does: starts ``regimes serve`` on a free port of 127.0.0.1 (unless ``--url``), waits
for ``GET /health``, sends a warm-up, reads the server's resident memory (``VmRSS`` of the
server and its worker processes, from ``/proc``), then runs ``--concurrency`` clients that
share one connection pool (aiohttp, keep-alive) and send ``--requests`` evaluations of
distinct synthetic cases between them. It prints throughput, latency percentiles (p50, p95,
p99, max), errors (any answer but 200), lost responses (a request that got no answer: a
timeout or a dropped connection) and RSS before and after.

Why aiohttp rather than httpx for the client: on a 2-core machine the client shares the CPU
with the server, and httpx's pure-Python client costs several times more per request, so it
measures itself more than the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ON = date(2024, 10, 1)
GROUPS = ["dagpenge", "kontanthjaelp_jobparat", "kontanthjaelp_aktivitetsparat", "sygedagpenge"]
MUNICIPALITIES = ["101", "147", "219", "461", "751", "851"]


def synthetic_cases(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` valid, distinct cases (JSON objects) with a few events each, deterministic per seed."""
    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    for i in range(n):
        group = rng.choice(GROUPS)
        start = ON - timedelta(days=rng.randint(1, 300))
        case: dict[str, Any] = {
            "id": f"load-{i}",
            "birth_date": (start - timedelta(days=rng.randint(25 * 365, 60 * 365))).isoformat(),
            "municipality": rng.choice(MUNICIPALITIES),
            "group": group,
        }
        if group == "dagpenge":
            case["registered_on"] = start.isoformat()
        elif group == "sygedagpenge":
            case["sickness_first_day"] = start.isoformat()
        else:
            case["first_inquiry_on"] = start.isoformat()
        events = []
        for _ in range(rng.randint(0, 3)):
            day = start + timedelta(days=rng.randint(0, max(0, (ON - start).days)))
            events.append({"kind": "job_interview", "on": day.isoformat(), "actor": "jobcenter"})
        if events:
            case["events"] = events
        cases.append(case)
    return cases


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers), from /proc."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        todo.extend(int(child) for child in children)
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    total = 0
    for current in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants so far, in seconds."""
    ticks = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    """What came back: one latency per answered request, and the failures by kind."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    not_sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def run_load(
    url: str, bodies: list[bytes], requests: int, concurrency: int, time_limit: float, timeout: float
) -> tuple[Tally, float]:
    import aiohttp

    tally = Tally()
    issued = 0
    deadline = time.monotonic() + time_limit
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    headers = {"content-type": "application/json"}

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:

        async def client() -> None:
            nonlocal issued
            while issued < requests and time.monotonic() < deadline:
                body = bodies[issued % len(bodies)]
                issued += 1
                started = time.perf_counter()
                try:
                    async with session.post(f"{url}/evaluate", data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    tally.lost += 1
                    tally.error(type(exc).__name__)
                    continue
                tally.latencies.append(time.perf_counter() - started)
                if status != 200:
                    tally.error(f"HTTP {status}")

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    tally.not_sent = requests - issued
    return tally, elapsed


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def wait_ready(url: str, seconds: float) -> None:
    import urllib.error
    import urllib.request

    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:  # an answer all the same (an older server without /health)
            return
        except OSError:
            time.sleep(0.2)
    msg = f"the server at {url} did not answer GET /health within {seconds:.0f} s"
    raise SystemExit(msg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="evaluations to send (default 20000)")
    parser.add_argument("--concurrency", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--time-limit", type=float, default=180.0, help="start no request after (s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (s)")
    parser.add_argument("--cases", type=int, default=1000, help="distinct cases cycled through")
    parser.add_argument("--url", help="a server already running on loopback (default: start one)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object too")
    args, serve_args = parser.parse_known_args(argv)
    if args.requests > 200_000 or args.concurrency > 2_000 or args.time_limit > 900:
        parser.error("bounded: at most 200,000 requests, 2,000 clients and 900 s")

    server: subprocess.Popen[bytes] | None = None
    url = args.url
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        regimes = Path(sys.executable).with_name("regimes")
        command = [str(regimes), "serve", "--host", "127.0.0.1", "--port", str(port), *serve_args]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elif not url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        parser.error("loopback only: --url must be http://127.0.0.1:PORT (or localhost)")
    try:
        wait_ready(url, 30)
        bodies = [
            json.dumps({"case": case, "regime": "dk-lab-2024", "on": ON.isoformat()}).encode()
            for case in synthetic_cases(args.cases)
        ]
        asyncio.run(run_load(url, bodies, min(500, args.requests), args.concurrency, 30, args.timeout))
        before = rss_mb(server.pid) if server else float("nan")
        cpu_before = cpu_seconds(server.pid) if server else float("nan")
        client_before = time.process_time()
        tally, elapsed = asyncio.run(
            run_load(url, bodies, args.requests, args.concurrency, args.time_limit, args.timeout)
        )
        client_cpu = time.process_time() - client_before
        server_cpu = (cpu_seconds(server.pid) if server else float("nan")) - cpu_before
        after = rss_mb(server.pid) if server else float("nan")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    latencies = sorted(tally.latencies)
    answered = len(latencies)
    figures = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "server_args": serve_args,
        "answered": answered,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(answered / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round((latencies[-1] if latencies else float("nan")) * 1000, 1),
        "errors": sum(n for kind, n in tally.errors.items() if kind.startswith("HTTP")),
        "lost": tally.lost,
        "not_sent": tally.not_sent,
        "error_kinds": tally.errors,
        "server_cpu_ms_per_request": round(server_cpu / max(1, answered) * 1000, 3),
        "client_cpu_ms_per_request": round(client_cpu / max(1, answered) * 1000, 3),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(
        f"{answered} answered of {args.requests} in {elapsed:.1f} s at {args.concurrency} clients "
        f"(server: regimes serve {' '.join(serve_args)})"
    )
    print(
        f"throughput {figures['throughput_rps']} req/s; latency p50 {figures['p50_ms']} ms, "
        f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
    )
    print(f"errors {figures['errors']}, lost {tally.lost}, not sent {tally.not_sent} {tally.errors or ''}")
    print(
        f"CPU per request: server {figures['server_cpu_ms_per_request']} ms, "
        f"client {figures['client_cpu_ms_per_request']} ms"
    )
    print(f"server RSS {before:.1f} MB before, {after:.1f} MB after; load average {figures['load_avg_1m']}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
