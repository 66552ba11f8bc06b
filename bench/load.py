"""Mixed traffic against the demo under gunicorn: zero 5xx, zero lost writes.

``python -m bench.load [--seconds 20] [--threads 8]`` starts the demo under gunicorn (2
workers, SQLite store by default, bcrypt cost 4, address rate limits off because every request
comes from 127.0.0.1), sends session reads, protected pages, good and bad sign-ins and
sign-ups from several threads for a fixed time, stops the server, then checks the store:
every sign-up that was answered 200 must be a user, and no other user may exist.
With ``--outage 5`` the store is locked (an exclusive SQLite lock held by another
connection) for that many seconds in the middle of the run: routes that need the store
must answer 503 (never another 5xx) while it lasts, and serve normally after.
``--store postgresql`` runs the same on a throwaway PostgreSQL cluster (Debian's binaries,
durable settings) through the SQLAlchemy adapter; there ``--outage`` is the server itself
stopped abruptly (``pg_ctl stop -m immediate``, as a crash) and started again while the
app servers keep running; afterwards no user may be missing or lack its password hash.
Either way the run reports how long after the store was back the last 503 came.
``--disk-full 5`` (SQLite only) makes the store full for that long instead
(``bench/faults.py``): the same 503s, no half-written user, normal service after.
``--kill-workers 3`` SIGKILLs a gunicorn worker three times in the middle third of the
run (with ``--only sign_up --bcrypt-rounds 10``, a burst of slow sign-ups, so each kill
lands mid-request): requests it held see the connection drop (a retryable error);
afterwards each interrupted sign-up is retried and must answer 200 (it had not happened) or 409 (it
had), and no user may exist that no client caused.
``--sample-rss 10`` records each worker's RSS every 10 s and asks each worker for the
size of its token cache (the soak: ``--seconds 600 --threads 4 --pause 0.01``).
Loopback only; bounded by ``--seconds``; exits non-zero on any unexpected 5xx or lost write.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from . import faults
from .server import running

#: The status recorded when the connection dropped before an answer (a killed worker).
DROPPED = 0

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
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request connects again
            return DROPPED, b""
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, data

    def post_json_true(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        status, token = self.request("GET", "/api/auth/csrf")
        if status != 200:
            return status, b""
        form = {**fields, "csrfToken": json.loads(token)["csrfToken"], "json": "true"}
        return self.request("POST", path, form)


#: ``time.monotonic()`` of the last 503 any thread got, and of the end of the outage.
MOMENTS = {"last_503": 0.0, "store_back": 0.0}


def hold_lock(store: str, start_after: float, seconds: float) -> None:
    time.sleep(start_after)
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    db.execute("ROLLBACK")
    db.close()
    MOMENTS["store_back"] = time.monotonic()


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

    def outage(self, start_after: float, seconds: float) -> tuple[Any, tuple[Any, ...]]:
        """The fault ``--outage`` means on this store: a crashed server, or a held lock."""
        if self.cluster is not None:
            return stop_server, (self.cluster, start_after, seconds)
        return hold_lock, (self.path, start_after, seconds)

    def check(self) -> tuple[set[str], int, str]:
        """Every user's email, how many lack a password hash, and the store's own integrity
        check (SQLite's ``integrity_check``; PostgreSQL's ``amcheck`` on every B-tree index)."""
        if self.cluster is None:
            with sqlite3.connect(self.path) as db:
                users = {row[0] for row in db.execute("SELECT email FROM users")}
                integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
                no_hash = db.execute("SELECT count(*) FROM users WHERE password_hash IS NULL")
                return users, no_hash.fetchone()[0], integrity
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import DBAPIError

        engine = create_engine(self.url)
        with engine.connect() as db:
            users = set(db.execute(text("SELECT email FROM authjs_users")).scalars())
            unhashed = db.execute(
                text(
                    "SELECT count(*) FROM authjs_users u LEFT JOIN authjs_passwords p "
                    "ON p.user_id = u.id WHERE p.user_id IS NULL"
                )
            ).scalar()
            db.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = db.execute(
                text(
                    "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).scalars()
            integrity = "ok"
            for index in list(indexes):
                try:
                    db.execute(text("SELECT bt_index_check(:index, true)"), {"index": index})
                except DBAPIError as error:
                    integrity = str(error.orig)
                    break
        engine.dispose()
        return users, int(unhashed or 0), integrity

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def run(
    port: int, seconds: float, threads: int, pause: float, only: str | None = None
) -> tuple[Counter[str], list[str], list[str]]:
    counts: Counter[str] = Counter()
    signed_up: list[str] = []
    interrupted: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    kinds = [only] if only else [kind for kind, weight in MIX for _ in range(weight)]

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
                if status in (200, DROPPED):
                    with lock:
                        (signed_up if status == 200 else interrupted).append(email)
            with lock:
                counts[f"{kind} {status}"] += 1
                if status == 503:
                    MOMENTS["last_503"] = time.monotonic()
            if pause:
                time.sleep(pause)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts, signed_up, interrupted


def retry_sign_ups(port: int, emails: list[str]) -> Counter[int]:
    """Each interrupted sign-up once more: 200 (it had not happened) or 409 (it had)."""
    browser = Browser(port)
    return Counter(
        browser.post_json_true("/api/auth/signup", {"email": e, "password": "load-password-1"})[0]
        for e in emails
    )


def probe_workers(port: int, rounds: int = 8) -> dict[int, int]:
    """``{worker pid: token cache size}`` from ``/bench/probe`` (each worker answers some)."""
    seen: dict[int, int] = {}
    for _ in range(rounds):
        status, body = Browser(port).request("GET", "/bench/probe")
        if status == 200:
            answer = json.loads(body)
            seen[answer["pid"]] = answer["token_cache"]
    return seen


def main() -> int:
    # A SIGTERM (``timeout``, Ctrl-C in a parent) unwinds, so the server is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--pause", type=float, default=0, help="seconds between a thread's requests"
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--outage", type=float, default=0, help="seconds the store is locked (or down)"
    )
    parser.add_argument(
        "--disk-full", type=float, default=0, help="seconds the store is full (SQLite only)"
    )
    parser.add_argument("--kill-workers", type=int, default=0, help="workers to SIGKILL mid-run")
    parser.add_argument("--sample-rss", type=float, default=0, help="RSS sampling interval (s)")
    parser.add_argument("--rss-json", help="write the RSS samples to this file")
    parser.add_argument("--only", choices=[kind for kind, _ in MIX], help="one kind of request")
    parser.add_argument("--bcrypt-rounds", type=int, default=4, help="the server's bcrypt cost")
    options = parser.parse_args()
    if options.disk_full and options.store != "sqlite":
        parser.error(
            "--disk-full fills a SQLite file (a per-connection page limit); it has no "
            "PostgreSQL counterpart here: use --store sqlite, or --outage for a server crash"
        )
    with tempfile.TemporaryDirectory() as folder:
        store = Store(options.store, folder)
        try:
            return load(options, store, folder)
        finally:
            store.close()


def load(options: argparse.Namespace, store: Store, folder: str) -> int:
    """One run of the load with the faults ``options`` ask for; the exit status."""
    flag = str(Path(folder) / "disk-full")
    server_env = {
        **store.env,
        "BENCH_RATE_LIMITS": "off",
        "BENCH_STORE_TIMEOUT": "1",
        "BENCH_FULL_FLAG": flag,
        "BENCH_PROBE": "on" if options.sample_rss else "off",
        "BENCH_BCRYPT_ROUNDS": str(options.bcrypt_rounds),
    }
    started = time.monotonic()
    killed: list[int] = []
    samples: dict[int, list[tuple[float, int]]] = {}
    caches: dict[int, int] = {}
    with running("gunicorn", "demo", store.path, server_env) as port:
        faulting = []
        if options.outage:
            faulting.append(store.outage(options.seconds / 3, options.outage))
        if options.disk_full:
            faulting.append((faults.fill_disk_for, (flag, options.seconds / 3, options.disk_full)))
        if options.kill_workers:
            every = options.seconds / 3 / options.kill_workers
            kill = (port, options.seconds / 3, options.kill_workers, every, killed)
            faulting.append((faults.kill_workers, kill))
        done = threading.Event()
        if options.sample_rss:
            faulting.append((faults.sample_rss, (port, options.sample_rss, done.is_set, samples)))
        helpers = [threading.Thread(target=f, args=a) for f, a in faulting]
        for helper in helpers:
            helper.start()
        counts, signed_up, interrupted = run(
            port, options.seconds, options.threads, options.pause, options.only
        )
        done.set()
        for helper in helpers:
            helper.join()
        if options.sample_rss:
            caches = probe_workers(port)
        retried = retry_sign_ups(port, interrupted)
        after = Browser(port).post_json_true(
            "/api/auth/callback/credentials", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )[0]
        fresh = f"after-{uuid.uuid4().hex[:12]}@example.com"
        sign_up_after = Browser(port).post_json_true(
            "/api/auth/signup", {"email": fresh, "password": "load-password-1"}
        )[0]
    elapsed = time.monotonic() - started
    users, half_written, integrity = store.check()
    total = sum(counts.values())
    unavailable = sum(n for key, n in counts.items() if key.endswith(" 503"))
    dropped = sum(n for key, n in counts.items() if key.endswith(f" {DROPPED}"))
    server_errors = (
        sum(n for key, n in counts.items() if key.rsplit(" ", 1)[1].startswith("5")) - unavailable
    )
    lost = [email for email in signed_up if email not in users]
    phantom = users - set(signed_up) - set(interrupted) - {DEMO_EMAIL, fresh}
    faults_on = []
    if options.outage:
        what = "down (crashed)" if options.store == "postgresql" else "locked"
        faults_on.append(f"store {what} {options.outage:g} s")
    if options.disk_full:
        faults_on.append(f"store full {options.disk_full:g} s")
    if options.kill_workers:
        faults_on.append(f"{len(killed)} workers SIGKILLed")
    print(
        f"{total} requests in {options.seconds:.0f} s of load ({elapsed:.0f} s with start-up), "
        f"{total / options.seconds:.0f} req/s, {options.threads} threads, gunicorn 2 workers, "
        f"{options.store}" + (f"; faults: {', '.join(faults_on)}" if faults_on else "")
    )
    for key in sorted(counts):
        print(f"  {key:28} {counts[key]}")
    print(
        f"503 (store unavailable): {unavailable}; dropped connections: {dropped}; "
        f"after the run: sign-in {after}, sign-up {sign_up_after}"
    )
    if options.outage and unavailable:
        recovery = MOMENTS["last_503"] - MOMENTS["store_back"]
        if recovery > 0:
            print(f"last 503 {recovery:.2f} s after the store was back")
        else:
            print(f"no 503 after the store was back (the last {-recovery:.2f} s before)")
    print(f"interrupted sign-ups: {len(interrupted)}, retried: {dict(sorted(retried.items()))}")
    print(
        f"other 5xx: {server_errors}; sign-ups answered 200: {len(signed_up)}; lost: {len(lost)}; "
        f"users no client caused: {len(phantom)}; users without a password hash: {half_written}; "
        f"{options.store} integrity check: {integrity}"
    )
    if options.sample_rss:
        warm_up = min(60.0, options.seconds / 4)
        rows = faults.rss_report(samples, warm_up, options.seconds)
        for row in rows:
            slope, late = row["slope_kib_per_min"], row["second_half_slope_kib_per_min"]
            print(
                f"worker {row['pid']}: RSS {row['first_kib']} KiB at start, "
                f"{row['after_warm_up_kib']} KiB after {warm_up:.0f} s, {row['last_kib']} KiB "
                f"at the end (max {row['max_kib']}); slope after {warm_up:.0f} s "
                f"{'n/a' if slope is None else f'{slope:+.1f}'} KiB/min, over the second half "
                f"{'n/a' if late is None else f'{late:+.1f}'} KiB/min ({row['samples']} samples)"
            )
        print(f"token cache per worker at the end: {caches} (bound 4096)")
        if options.rss_json:
            Path(options.rss_json).write_text(json.dumps(rows))
    failed = (
        server_errors
        or lost
        or phantom
        or half_written
        or integrity != "ok"
        or after != 200
        or sign_up_after != 200
        or set(retried) - {200, 409}
        or any(size > 4096 for size in caches.values())
    )
    expected_503 = options.outage or options.disk_full
    expected_drops = options.kill_workers
    return (
        1 if failed or (unavailable and not expected_503) or (dropped and not expected_drops) else 0
    )


if __name__ == "__main__":
    raise SystemExit(main())
