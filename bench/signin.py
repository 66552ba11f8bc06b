"""Sign-in cost: everything around bcrypt must be close to free.

A credentials sign-in against the SQLite store is replayed straight into the WSGI app
(the same prebuilt POST each time) and compared with one bare ``bcrypt.checkpw`` at the
same cost, interleaved, so ``sign-in - bcrypt`` is our overhead. Then: an existing
against a missing account (they must cost the same, or timing reveals accounts), the
store at 100 against 100,000 users, and sign-ins per second on every core against the
bcrypt limit (cores / bcrypt time).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import bcrypt
from flask import Flask
from werkzeug.test import EnvironBuilder

from flask_authjs import AuthJS, CredentialsProvider

from . import apps, replay

ROUNDS = 12


def store_app(directory: str, rounds: int = ROUNDS) -> Flask:
    os.makedirs(directory, exist_ok=True)  # the store's folder must exist (AUTHJS_DATABASE_URL)
    app = replay.base_app("signin")
    app.config.update(
        AUTHJS_SECRET=apps.AUTHJS_SECRET,
        AUTHJS_URL=replay.ORIGIN,
        AUTHJS_BCRYPT_ROUNDS=rounds,
        AUTHJS_DATABASE_URL=f"sqlite:///{os.path.join(directory, 'users.sqlite3')}",
        # The limits are counted (their store read and write are part of the cost) but set
        # out of reach: a replayed failed sign-in would otherwise trip them and skip bcrypt.
        AUTHJS_RATE_LIMIT_PER_ACCOUNT=10**9,
        AUTHJS_RATE_LIMIT_PER_ADDRESS=10**9,
    )
    AuthJS(app, providers=[CredentialsProvider()])
    return app


def fill_store(app: Flask, users: int, password_hash: str) -> None:
    """``users`` accounts by direct SQL in one transaction (one precomputed hash for all)."""
    context = app.extensions["authjs"]
    context.adapter.get_user_by_email("nobody@example.com")  # creates the schema
    path = context.settings.database_url[len("sqlite:///") :]
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)",
            (
                (uuid.uuid4().hex, f"user{i}@example.com", f"User {i}", password_hash)
                for i in range(users)
            ),
        )


class SignIn:
    """One credentials sign-in, prebuilt (CSRF token and its cookie included), replayable."""

    def __init__(self, app: Flask, email: str, password: str) -> None:
        client = app.test_client()
        csrf = client.get("/api/auth/csrf").get_json()["csrfToken"]
        # The CSRF token is checked against its double-submit cookie.
        csrf_cookie = client.get_cookie("authjs.csrf-token")
        assert csrf_cookie is not None
        builder = EnvironBuilder(
            path="/api/auth/callback/credentials",
            base_url=replay.ORIGIN,
            method="POST",
            headers={
                **replay.BROWSER_HEADERS,
                "Cookie": f"authjs.csrf-token={csrf_cookie.value}",
            },
            data={"email": email, "password": password, "csrfToken": csrf, "json": "true"},
        )
        self.environ = builder.get_environ()
        self.body = self.environ["wsgi.input"].read()
        self.wsgi = app.wsgi_app
        self.status = ""

    def __call__(self) -> str:
        environ = dict(self.environ)
        environ["wsgi.input"] = io.BytesIO(self.body)
        body = self.wsgi(environ, self._start)
        b"".join(body)
        return self.status

    def _start(self, status: str, _headers: Any, _exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = status
        return lambda _data: None


def wall(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def paired(
    sign_ins: dict[str, SignIn], check: Callable[[], object], samples: int
) -> dict[str, Any]:
    """Per sign-in kind: median time, and the median of (sign-in - the bcrypt check beside it).

    Each sample runs one bcrypt check and then every kind of sign-in, so all share the
    machine's state of the moment.
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sign_ins}
    for _ in range(samples):
        bcrypt_time = wall(check)
        for name, sign_in in sign_ins.items():
            times[name].append((wall(sign_in), bcrypt_time))
    return {
        name: {
            "sign_in_ms": 1e3 * statistics.median(s for s, _ in pairs),
            "bcrypt_ms": 1e3 * statistics.median(c for _, c in pairs),
            "overhead_ms": 1e3 * statistics.median(s - c for s, c in pairs),
        }
        for name, pairs in times.items()
    }


def overhead_at_cost_4(directory: str, samples: int) -> dict[str, Any]:
    """The same overhead where bcrypt takes about a millisecond, so noise hides nothing.

    Everything around bcrypt does the same work at any cost; at cost 12 the paired
    difference of two ~300 ms timings is within the machine's noise.
    """
    password_hash = bcrypt.hashpw(apps.PASSWORD.encode(), bcrypt.gensalt(4))
    app = store_app(os.path.join(directory, "cost4"), rounds=4)
    fill_store(app, 100, password_hash.decode())
    sign_ins = {
        "existing": SignIn(app, "user7@example.com", apps.PASSWORD),
        "missing": SignIn(app, "nobody7@example.com", apps.PASSWORD),
    }

    def check() -> bool:
        return bcrypt.checkpw(apps.PASSWORD.encode(), password_hash)

    return paired(sign_ins, check, samples * 20)


def run(*, samples: int, big_store: int) -> dict[str, Any]:
    password_hash = bcrypt.hashpw(apps.PASSWORD.encode(), bcrypt.gensalt(ROUNDS))
    result: dict[str, Any] = {"bcrypt_rounds": ROUNDS, "samples": samples}

    def check() -> bool:
        return bcrypt.checkpw(apps.PASSWORD.encode(), password_hash)

    with tempfile.TemporaryDirectory() as directory:
        small = store_app(os.path.join(directory, "small"))
        fill_store(small, 100, password_hash.decode())
        existing = SignIn(small, "user7@example.com", apps.PASSWORD)
        missing = SignIn(small, "nobody7@example.com", apps.PASSWORD)
        assert existing().startswith("200"), existing.status
        assert missing().startswith("401"), missing.status
        result.update(paired({"existing": existing, "missing": missing}, check, samples))
        result["overhead_at_cost_4"] = overhead_at_cost_4(directory, samples)
        result["missing_over_existing"] = (
            result["missing"]["sign_in_ms"] / result["existing"]["sign_in_ms"]
        )

        large = store_app(os.path.join(directory, "large"))
        start = time.perf_counter()
        fill_store(large, big_store, password_hash.decode())
        result["large_store_fill_s"] = time.perf_counter() - start
        at_large = SignIn(large, f"user{big_store - 7}@example.com", apps.PASSWORD)
        assert at_large().startswith("200"), at_large.status
        small_times, large_times = [], []
        for _ in range(samples):
            small_times.append(wall(existing))
            large_times.append(wall(at_large))
        result["store_scaling"] = {
            "users_small": 100,
            "users_large": big_store,
            "sign_in_ms_small": 1e3 * statistics.median(small_times),
            "sign_in_ms_large": 1e3 * statistics.median(large_times),
            "large_over_small": statistics.median(large_times) / statistics.median(small_times),
        }
        result["all_cores"] = all_cores(
            directory, password_hash, result["existing"]["bcrypt_ms"] / 1e3, max(4, samples)
        )
    return result


def _sign_in_worker(directory: str, count: int, barrier: Any, queue: Any) -> None:
    app = store_app(directory)  # built in the worker: its own SQLite connection
    sign_in = SignIn(app, "user7@example.com", apps.PASSWORD)
    sign_in()
    barrier.wait()
    start = time.perf_counter()
    statuses = [sign_in() for _ in range(count)]
    queue.put((start, time.perf_counter(), all(s.startswith("200") for s in statuses)))


def _bcrypt_worker(password_hash: bytes, count: int, barrier: Any, queue: Any) -> None:
    barrier.wait()
    start = time.perf_counter()
    ok = all(bcrypt.checkpw(apps.PASSWORD.encode(), password_hash) for _ in range(count))
    queue.put((start, time.perf_counter(), ok))


def per_second(target: Callable[..., None], args: tuple[Any, ...], count: int) -> float:
    """Operations per second of one ``target`` process per core, started together."""
    workers = os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=target, args=(*args, count, barrier, queue)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    if not all(ok for _, _, ok in results):
        raise RuntimeError(f"{target.__name__}: a worker failed")
    elapsed = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return workers * count / elapsed


def all_cores(
    directory: str, password_hash: bytes, bcrypt_seconds: float, count: int
) -> dict[str, Any]:
    """Sign-ins per second on every core, against cores / bcrypt time (the limit) and
    against bare bcrypt checks on every core measured just before and after (what this
    machine, shared as it is, actually gives)."""
    workers = os.cpu_count() or 1
    store = os.path.join(directory, "small")
    bcrypt_before = per_second(_bcrypt_worker, (password_hash,), count)
    rate = per_second(_sign_in_worker, (store,), count)
    bcrypt_after = per_second(_bcrypt_worker, (password_hash,), count)
    measured = (bcrypt_before + bcrypt_after) / 2
    limit = workers / bcrypt_seconds
    return {
        "workers": workers,
        "sign_ins_per_second": rate,
        "bcrypt_limit_per_second": limit,
        "fraction_of_limit": rate / limit,
        "bcrypt_only_per_second": measured,
        "fraction_of_bcrypt_only": rate / measured,
    }
