"""Faults for ``bench.load``: a full disk, a killed worker, and the workers' memory over time.

*Disk full.* SQLite's ``PRAGMA max_page_count`` is a per-connection limit, so it has to
be set inside the server's own connections: with ``BENCH_FULL_FLAG`` set, the bench app
checks before each request whether that file exists and, when it appears or goes, pins
its connection's ``max_page_count`` to the file's current size (every write that needs
a new page then fails with ``SQLITE_FULL``, as on a full disk) or lifts it again.
Bench-only: ``bench/serve.py`` installs it, the library knows nothing of it.

*A killed worker.* The gunicorn workers are the children of the master whose command
line names our port; one of them gets SIGKILL, and gunicorn starts another.

*Memory.* ``VmRSS`` of each worker from ``/proc``, sampled while the load runs, and the
least-squares slope after a warm-up.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

#: SQLite's default maximum page count (no limit in practice).
UNLIMITED_PAGES = 4294967294


def install_disk_full_switch(app: Flask, flag: str) -> None:
    """Make ``app``'s SQLite store "full" while the file ``flag`` exists (see above)."""
    state = threading.local()

    @app.before_request
    def follow_the_flag() -> None:
        full = os.path.exists(flag)
        if getattr(state, "full", False) == full:
            return
        connection = app.extensions["authjs"].adapter._connection()
        # Pinning to 1 page sets the limit to the file's current size (it cannot shrink).
        connection.execute(f"PRAGMA max_page_count = {1 if full else UNLIMITED_PAGES}")
        state.full = full


def fill_disk_for(flag: str, start_after: float, seconds: float) -> None:
    time.sleep(start_after)
    Path(flag).touch()
    time.sleep(seconds)
    Path(flag).unlink()


def processes_serving(port: int) -> dict[int, int]:
    """``{pid: parent pid}`` of our processes whose command line binds ``127.0.0.1:port``."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if f"127.0.0.1:{port}" in command and "gunicorn" in command:
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def workers(port: int) -> list[int]:
    serving = processes_serving(port)
    return sorted(pid for pid, parent in serving.items() if parent in serving)


def kill_workers(
    port: int, start_after: float, count: int, every: float, killed: list[int]
) -> None:
    """SIGKILL a gunicorn worker of ``port`` ``count`` times, ``every`` seconds apart."""
    time.sleep(start_after)
    for _ in range(count):
        victims = [pid for pid in workers(port) if pid not in killed]
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])
        time.sleep(every)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def sample_rss(
    port: int, every: float, until: Callable[[], bool], samples: dict[int, list[tuple[float, int]]]
) -> None:
    """Append ``(seconds since start, RSS KiB)`` per worker pid every ``every`` seconds."""
    start = time.monotonic()
    while not until():
        moment = time.monotonic() - start
        for pid in workers(port):
            rss = rss_kib(pid)
            if rss is not None:
                samples.setdefault(pid, []).append((moment, rss))
        time.sleep(every)


def slope_kib_per_minute(points: list[tuple[float, int]], warm_up: float) -> float | None:
    """Least-squares slope of RSS over time after ``warm_up`` seconds, in KiB per minute."""
    steady = [(t, rss) for t, rss in points if t >= warm_up]
    if len(steady) < 3:
        return None
    mean_t = sum(t for t, _ in steady) / len(steady)
    mean_r = sum(r for _, r in steady) / len(steady)
    spread = sum((t - mean_t) ** 2 for t, _ in steady)
    covariance = sum((t - mean_t) * (r - mean_r) for t, r in steady)
    return 60 * covariance / spread if spread else None


def rss_report(
    samples: dict[int, list[tuple[float, int]]], warm_up: float, seconds: float
) -> list[dict[str, Any]]:
    """Per worker: RSS at the marks, and the slope after ``warm_up`` and over the second half
    (by then the token cache, the ``iso_time`` cache and SQLite's page cache are full)."""
    rows = []
    for pid, points in sorted(samples.items()):
        steady = [rss for t, rss in points if t >= warm_up]
        rows.append(
            {
                "pid": pid,
                "samples": len(points),
                "first_kib": points[0][1],
                "after_warm_up_kib": steady[0] if steady else None,
                "last_kib": points[-1][1],
                "max_kib": max(rss for _, rss in points),
                "slope_kib_per_min": slope_kib_per_minute(points, warm_up),
                "second_half_slope_kib_per_min": slope_kib_per_minute(points, seconds / 2),
                "points": points,
            }
        )
    return rows
