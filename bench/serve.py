"""The WSGI apps the real-server benchmark serves: ``bench.serve:demo`` and ``bench.serve:bare``.

Both are built at import, in each server worker, from the environment the benchmark
sets: ``BENCH_STORE`` (a SQLite file for the demo) or ``BENCH_DATABASE_URL`` (any store
URL, e.g. PostgreSQL), and ``BENCH_ORIGIN`` (``AUTHJS_URL``).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from demo.app import create_app

from .faults import install_disk_full_switch
from .replay import SECRET_KEY, bare_app


def demo_app() -> Flask:
    config: dict[str, Any] = {
        "SECRET_KEY": SECRET_KEY,
        "AUTHJS_URL": os.environ.get("BENCH_ORIGIN", "http://127.0.0.1:8000"),
        "AUTHJS_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or "sqlite:///" + os.environ.get("BENCH_STORE", "/tmp/bench.sqlite3"),
        "AUTHJS_BCRYPT_ROUNDS": int(os.environ.get("BENCH_BCRYPT_ROUNDS", "4")),
    }
    if "BENCH_STORE_TIMEOUT" in os.environ:
        config["AUTHJS_STORE_TIMEOUT"] = float(os.environ["BENCH_STORE_TIMEOUT"])
    if os.environ.get("BENCH_RATE_LIMITS") == "off":
        # The load test sends every failure from 127.0.0.1, which the limits would stop.
        config.update(AUTHJS_RATE_LIMIT_PER_ADDRESS=0, AUTHJS_SIGNUP_LIMIT_PER_ADDRESS=0)
    app = create_app(config)
    if "BENCH_FULL_FLAG" in os.environ:
        install_disk_full_switch(app, os.environ["BENCH_FULL_FLAG"])
    if os.environ.get("BENCH_PROBE") == "on":

        @app.get("/bench/probe")
        def probe() -> dict[str, int]:
            """Which worker answered, and how many verified tokens its cache holds."""
            return {
                "pid": os.getpid(),
                "token_cache": app.extensions["authjs"].session_codec.cache_len,
            }

    return app


demo = demo_app() if os.environ.get("BENCH_APP", "demo") == "demo" else None
bare = bare_app()
