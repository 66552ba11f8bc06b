"""Mixed traffic against the demo under gunicorn: zero 5xx, zero lost writes.

``python -m bench.load [--seconds 20] [--threads 8]`` starts the demo under gunicorn (2
workers, SQLite store, bcrypt cost 4, address rate limits off because every request
comes from 127.0.0.1), sends session reads, protected pages, good and bad sign-ins and
sign-ups from several threads for a fixed time, stops the server, then checks the store:
every sign-up that was answered 200 must be a user, and no other user may exist.
With ``--outage 5`` the store is locked (an exclusive SQLite lock held by another
connection) for that many seconds in the middle of the run: routes that need the store
must answer 503 (never another 5xx) while it lasts, and serve normally after.
``--store postgresql`` runs the same on a throwaway PostgreSQL cluster (Debian's binaries,
durable settings) through the SQLAlchemy adapter; there the outage is the server itself
stopped abruptly (``pg_ctl stop -m immediate``, as a crash) and started again, while the
app servers keep running; afterwards no user may be missing or lack its password hash.
Loopback only; bounded by ``--seconds``; exits non-zero on any unexpected 5xx or lost write.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from .server import running

MIX = [("session", 40), ("dashboard", 25), ("sign_in", 10), ("wrong_password", 15), ("sign_up", 10)]


class Browser:
    """One keep-alive connection with its own cookie jar, like one person's browser."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, data

    def post_json_true(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        _, token = self.request("GET", "/api/auth/csrf")
        form = {**fields, "csrfToken": json.loads(token)["csrfToken"], "json": "true"}
        return self.request("POST", path, form)


def hold_lock(store: str, start_after: float, seconds: float) -> None:
    time.sleep(start_after)
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    db.execute("ROLLBACK")
    db.close()
    MOMENTS["store_back"] = time.monotonic()


#: ``time.monotonic()`` of the last 503 any worker got, and of the end of the outage.
MOMENTS = {"last_503": 0.0, "store_back": 0.0}


def stop_server(cluster: Any, start_after: float, seconds: float) -> None:
    time.sleep(start_after)
    cluster.stop("immediate")
    time.sleep(seconds)
    cluster.start()
    MOMENTS["store_back"] = time.monotonic()


class Store:
    """Where the demo keeps its users: a SQLite file, or a PostgreSQL database."""

    def __init__(self, kind: str, folder: str) -> None:
        self.kind = kind
        self.path = str(Path(folder) / "load.sqlite3")
        self.cluster: Any = None
        self.env: dict[str, str] = {}
        if kind == "postgresql":
            from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter
            from tests.postgres import Cluster, create_database, find_binaries

            binaries = find_binaries()
            if binaries is None:
                raise SystemExit("--store postgresql needs Debian's postgresql package")
            self.cluster = Cluster(binaries, durable=True).start()
            self.url = create_database(self.cluster.url(), "load")
            adapter = SQLAlchemyAdapter(self.url)
            adapter.create_tables()
            adapter.engine.dispose()
            self.env = {"BENCH_DATABASE_URL": self.url}

    def outage(self, start_after: float, seconds: float) -> threading.Thread:
        if self.cluster is not None:
            return threading.Thread(target=stop_server, args=(self.cluster, start_after, seconds))
        return threading.Thread(target=hold_lock, args=(self.path, start_after, seconds))

    def check(self) -> tuple[set[str], str]:
        """Every user's email, and what the store says of its own integrity."""
        if self.cluster is None:
            with sqlite3.connect(self.path) as db:
                users = {row[0] for row in db.execute("SELECT email FROM users")}
                return users, db.execute("PRAGMA integrity_check").fetchone()[0]
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as db:
            users = set(db.execute(text("SELECT email FROM authjs_users")).scalars())
            unhashed = db.execute(
                text(
                    "SELECT count(*) FROM authjs_users u LEFT JOIN authjs_passwords p "
                    "ON p.user_id = u.id WHERE p.user_id IS NULL"
                )
            ).scalar()
        engine.dispose()
        return users, "ok" if unhashed == 0 else f"{unhashed} users without a password hash"

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def run(port: int, seconds: float, threads: int) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    signed_up: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    kinds = [kind for kind, weight in MIX for _ in range(weight)]

    def worker(seed: int) -> None:
        chooser = random.Random(seed)
        browser = Browser(port)
        browser.post_json_true(
            "/api/auth/callback/credentials", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
        while time.monotonic() < deadline:
            kind = chooser.choice(kinds)
            if kind == "session":
                status, _ = browser.request("GET", "/api/auth/session")
            elif kind == "dashboard":
                status, _ = browser.request("GET", "/dashboard")
            elif kind == "sign_in":
                status, _ = browser.post_json_true(
                    "/api/auth/callback/credentials",
                    {"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
                )
            elif kind == "wrong_password":
                # Spread over many accounts (credential stuffing), so the per-account limit
                # does not lock the demo account that the good sign-ins use.
                status, _ = browser.post_json_true(
                    "/api/auth/callback/credentials",
                    {"email": f"guess-{chooser.randrange(10**6)}@example.com", "password": "x"},
                )
            else:
                email = f"load-{uuid.uuid4().hex[:12]}@example.com"
                status, _ = browser.post_json_true(
                    "/api/auth/signup", {"email": email, "password": "load-password-1"}
                )
                if status == 200:
                    with lock:
                        signed_up.append(email)
            with lock:
                counts[f"{kind} {status}"] += 1
                if status == 503:
                    MOMENTS["last_503"] = time.monotonic()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts, signed_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--outage", type=float, default=0, help="seconds the store is down")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    server_env = {"BENCH_RATE_LIMITS": "off", "BENCH_STORE_TIMEOUT": "1"}
    with tempfile.TemporaryDirectory() as folder:
        store = Store(options.store, folder)
        try:
            started = time.monotonic()
            with running("gunicorn", "demo", store.path, {**server_env, **store.env}) as port:
                if options.outage:
                    outage = store.outage(options.seconds / 3, options.outage)
                    outage.start()
                counts, signed_up = run(port, options.seconds, options.threads)
                if options.outage:
                    outage.join()
                after = Browser(port).post_json_true(
                    "/api/auth/callback/credentials",
                    {"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
                )[0]
            elapsed = time.monotonic() - started
            users, integrity = store.check()
        finally:
            store.close()
    total = sum(counts.values())
    unavailable = sum(n for key, n in counts.items() if key.endswith(" 503"))
    server_errors = (
        sum(n for key, n in counts.items() if key.rsplit(" ", 1)[1].startswith("5")) - unavailable
    )
    lost = [email for email in signed_up if email not in users]
    phantom = users - set(signed_up) - {DEMO_EMAIL}
    print(
        f"{total} requests in {options.seconds:.0f} s of load ({elapsed:.0f} s with start-up), "
        f"{total / options.seconds:.0f} req/s, {options.threads} threads, gunicorn 2 workers, "
        f"{options.store}"
    )
    for key in sorted(counts):
        print(f"  {key:28} {counts[key]}")
    print(f"503 (store unavailable): {unavailable}; a sign-in after the run: {after}")
    if options.outage and unavailable:
        recovery = max(0.0, MOMENTS["last_503"] - MOMENTS["store_back"])
        print(f"last 503 {recovery:.2f} s after the store was back")
    print(
        f"other 5xx: {server_errors}; sign-ups answered 200: {len(signed_up)}; lost: {len(lost)}; "
        f"users without a 200: {len(phantom)}; store integrity: {integrity}"
    )
    failed = server_errors or lost or phantom or integrity != "ok" or after != 200
    return 1 if failed or (unavailable and not options.outage) else 0


if __name__ == "__main__":
    raise SystemExit(main())
