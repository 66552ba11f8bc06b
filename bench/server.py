"""Over a real server: the demo under gunicorn and granian, loaded by ``wrk`` on 127.0.0.1.

For each server, in one run: the demo's protected page and ``GET /api/auth/session``
with a valid session cookie, and a bare Flask view returning the same JSON, served with
the same settings (2 workers, one per core). Each load is bounded (``-d``), each server
is stopped at the end whatever happens, and a request is checked for a 200 (not a
redirect) before and after each load, since ``wrk`` counts 3xx as success.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import replay

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def command(server: str, target: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ]
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--workers",
        str(WORKERS),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        target,
    ]


@contextmanager
def running(
    server: str, app: str, store: str, extra_env: dict[str, str] | None = None
) -> Iterator[int]:
    """A server on a free port of 127.0.0.1, stopped (its whole process group) on exit."""
    port = free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": ROOT,
        "BENCH_APP": app,
        "BENCH_STORE": store,
        "BENCH_ORIGIN": f"http://127.0.0.1:{port}",
    }
    # The server's log goes to a file: a pipe nobody reads fills up (64 KiB) under a
    # fault that logs every request, and then every worker blocks writing to it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command(server, f"bench.serve:{app}", port),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        error = log.read().decode(errors="replace")
                        raise RuntimeError(f"{server} did not start: {error[-2000:]}") from None
                    time.sleep(0.2)
            time.sleep(1.0)  # let every worker finish importing
            yield port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def get_status(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={**replay.BROWSER_HEADERS, "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wrk(port: int, path: str, cookie: str, seconds: int) -> dict[str, Any]:
    before = get_status(port, path, cookie)
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    after = get_status(port, path, cookie)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "status_before_after": [before, after],
        "socket_errors": errors[1] if errors else "",
    }


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[match[2]]
    return float(match[1]) * scale


def session_cookie(store: str) -> str:
    """A Flask session and a valid session token, minted by a demo app with the same keys."""
    from .apps import jwt_session_token

    os.environ["BENCH_STORE"] = store
    from .serve import demo_app

    app = demo_app()
    flask_session = replay.signed_flask_session(app, replay.CSRF_SESSION)
    return f"session={flask_session}; authjs.session-token={jwt_session_token(app)}"


def run(*, seconds: int, rounds: int) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install -y wrk)"}
    results: dict[str, Any] = {"seconds": seconds, "rounds": rounds, "workers": WORKERS}
    with tempfile.TemporaryDirectory() as directory:
        store = os.path.join(directory, "demo.sqlite3")
        cookie = session_cookie(store)
        for server in ("gunicorn", "granian"):
            samples: dict[str, list[dict[str, Any]]] = {"dashboard": [], "session": [], "bare": []}
            for _ in range(rounds):
                with running(server, "demo", store) as port:
                    samples["dashboard"].append(wrk(port, "/dashboard", cookie, seconds))
                    samples["session"].append(wrk(port, "/api/auth/session", cookie, seconds))
                with running(server, "bare", store) as port:
                    samples["bare"].append(wrk(port, "/session.json", cookie, seconds))
            best = {name: _median_run(runs) for name, runs in samples.items()}
            best["session_over_bare"] = (
                best["session"]["requests_per_second"] / best["bare"]["requests_per_second"]
            )
            results[server] = {"median": best, "runs": samples}
    return results


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda run: run["requests_per_second"])
    return ordered[len(ordered) // 2]
