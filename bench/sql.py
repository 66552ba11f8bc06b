"""PostgreSQL against SQLite, and 100,000 users against 100, in one run.

``python -m bench.sql [--rounds 7] [--users 100000]`` starts a throwaway PostgreSQL
cluster from Debian's binaries (durable settings, as in production), fills four stores
(SQLite and PostgreSQL through the SQLAlchemy adapter, each with 100 and with 100,000
users) and times, in interleaved rounds, on each store:

- a credentials sign-in replayed into the WSGI app (bcrypt cost 4, so the store's share
  is visible; rate limits counted, as in production),
- a database-session lookup (``get_session``),
- a rate-limit check (``count_attempts`` for an account and an address key).

Wall time per operation (the database server's CPU is part of the cost), medians of the
rounds, and ratios as medians of per-round ratios (this machine is shared: a variant moves
by 2-4x between rounds, its neighbour in the same round much less). Quoted: PostgreSQL
over SQLite at 100 users, and 100,000 over 100 users per store.
"""

from __future__ import annotations

import argparse
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

from flask_authjs import AuthJS, CredentialsProvider
from flask_authjs.adapters import Adapter, SQLiteAdapter

from . import apps, replay
from .signin import SignIn
from .timing import machine_line

OPERATIONS = ("sign_in", "session_lookup", "rate_limit_check")
SESSIONS = 1000
NOW = 1_900_000_000


def fill(adapter: Adapter, users: int, password_hash: str) -> None:
    """``users`` accounts, a session for each of the first ``SESSIONS``, in bulk."""
    emails = [f"user{i}@example.com" for i in range(users)]
    ids = [uuid.uuid4().hex for _ in range(users)]
    sessions = [(f"session-{i}", ids[i], NOW, "{}") for i in range(min(users, SESSIONS))]
    if isinstance(adapter, SQLiteAdapter):
        adapter.get_user("create the schema")
        with sqlite3.connect(adapter.path) as db:
            db.executemany(
                "INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)",
                ((i, e, "User", password_hash) for i, e in zip(ids, emails, strict=True)),
            )
            db.executemany(
                "INSERT INTO sessions (session_key, user_id, expires, data) VALUES (?, ?, ?, ?)",
                sessions,
            )
        return
    from sqlalchemy import insert

    from flask_authjs.adapters.sql_engine import moment
    from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter

    assert isinstance(adapter, SQLAlchemyAdapter)
    schema = adapter.schema
    adapter.create_tables()
    expires = moment(NOW, schema.sessions.c.expires)
    with adapter.engine.begin() as connection:
        connection.execute(
            insert(schema.users),
            [{"id": i, "email": e, "name": "User"} for i, e in zip(ids, emails, strict=True)],
        )
        connection.execute(
            insert(schema.passwords), [{"user_id": i, "password_hash": password_hash} for i in ids]
        )
        connection.execute(
            insert(schema.sessions),
            [{"session_token": k, "user_id": u, "expires": expires} for k, u, _, _ in sessions],
        )
        connection.execute(
            insert(schema.session_data),
            [{"session_token": k, "data": d} for k, _, _, d in sessions],
        )


def operations(adapter: Adapter, users: int) -> dict[str, Callable[[], object]]:
    app: Flask = replay.base_app("sql-bench")
    app.config.update(
        AUTHJS_SECRET=apps.AUTHJS_SECRET,
        AUTHJS_URL=replay.ORIGIN,
        AUTHJS_BCRYPT_ROUNDS=4,
        AUTHJS_RATE_LIMIT_PER_ACCOUNT=10**9,
        AUTHJS_RATE_LIMIT_PER_ADDRESS=10**9,
    )
    AuthJS(app, providers=[CredentialsProvider()], adapter=adapter)
    sign_in = SignIn(app, f"user{users - 7}@example.com", apps.PASSWORD)
    assert sign_in().startswith("200"), sign_in.status
    keys = ["signin-account:bench", "signin-address:bench"]
    adapter.record_attempt(keys, time.time(), time.time() + 900)
    assert adapter.get_session("session-7") is not None
    return {
        "sign_in": sign_in,
        "session_lookup": lambda: adapter.get_session("session-7"),
        "rate_limit_check": lambda: adapter.count_attempts(keys, time.time() - 900),
    }


def per_second(function: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return calls / (time.perf_counter() - start)


def run(*, rounds: int, users: int, calls: int = 100) -> dict[str, Any]:
    from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter
    from tests.postgres import Cluster, create_database, find_binaries

    binaries = find_binaries()
    if binaries is None:
        return {"skipped": "PostgreSQL binaries not found (apt-get install postgresql)"}
    password_hash = bcrypt.hashpw(apps.PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    cluster = Cluster(binaries, durable=True).start()
    stores: dict[str, Adapter] = {}
    fill_seconds: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            for size in (100, users):
                started = time.perf_counter()
                stores[f"sqlite {size}"] = SQLiteAdapter(os.path.join(directory, f"{size}.db"))
                fill(stores[f"sqlite {size}"], size, password_hash)
                fill_seconds[f"sqlite {size}"] = time.perf_counter() - started
                started = time.perf_counter()
                url = create_database(cluster.url(), f"bench_{size}")
                stores[f"postgresql {size}"] = SQLAlchemyAdapter(url)
                fill(stores[f"postgresql {size}"], size, password_hash)
                fill_seconds[f"postgresql {size}"] = time.perf_counter() - started
            variants = {
                (store, name): function
                for store, adapter in stores.items()
                for name, function in operations(adapter, int(store.split()[1])).items()
            }
            samples: dict[tuple[str, str], list[float]] = {key: [] for key in variants}
            for number in range(rounds):
                # The four stores of one operation back to back (the ratios compare them),
                # in reversed order every other round.
                for operation in OPERATIONS:
                    group = [key for key in variants if key[1] == operation]
                    count = calls // 5 if operation == "sign_in" else calls
                    for key in group if number % 2 == 0 else group[::-1]:
                        samples[key].append(per_second(variants[key], count))
            for adapter in stores.values():
                if isinstance(adapter, SQLAlchemyAdapter):
                    adapter.engine.dispose()
    finally:
        cluster.remove()
    median = {f"{s} {o}": statistics.median(v) for (s, o), v in samples.items()}

    def ratio(variant: tuple[str, str], baseline: tuple[str, str]) -> float:
        """The median of the per-round ratios: both sides of each taken moments apart."""
        pairs = zip(samples[variant], samples[baseline], strict=True)
        return statistics.median(v / b for v, b in pairs)

    ratios = {}
    for operation in OPERATIONS:
        ratios[f"postgresql/sqlite {operation}"] = ratio(
            ("postgresql 100", operation), ("sqlite 100", operation)
        )
        for store in ("sqlite", "postgresql"):
            ratios[f"{store} {users}/100 {operation}"] = ratio(
                (f"{store} {users}", operation), (f"{store} 100", operation)
            )
    return {
        "machine": machine_line(),
        "rounds": rounds,
        "users": users,
        "fill_seconds": fill_seconds,
        "ops_per_second": median,
        "ratios": ratios,
    }


def report(result: dict[str, Any]) -> list[str]:
    if "skipped" in result:
        return [f"SQL stores: skipped: {result['skipped']}"]
    lines = [
        f"SQL stores (wall time; medians of {result['rounds']} interleaved rounds, "
        "ratios: medians of the per-round ratios)"
    ]
    for key, value in result["ops_per_second"].items():
        lines.append(f"  {key:<42} {value:9.0f} ops/s")
    for key, value in result["ratios"].items():
        lines.append(f"  ratio {key:<44} {value:6.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--users", type=int, default=100_000)
    options = parser.parse_args()
    print("\n".join(report(run(rounds=options.rounds, users=options.users))))


if __name__ == "__main__":
    main()
