"""A store that cannot answer in time is a 503 (JSON, a page, or text), never a 500."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_authjs import CredentialsProvider
from flask_authjs.adapters import MongoDBAdapter, SQLiteAdapter

from .conftest import DAY, PASSWORD, USER, AppFactory, FakeClock, sign_in, sign_up, use_clock


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"] == "StoreUnavailable"
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.fixture
def sqlite_path(tmp_path: Any) -> str:
    return str(tmp_path / "locked.sqlite3")


@pytest.fixture
def locked(sqlite_path: str) -> Iterator[None]:
    """Another connection holds the write lock (as a long transaction elsewhere would)."""
    SQLiteAdapter(sqlite_path).get_user("create the schema")
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def sqlite_app(app_factory: AppFactory, path: str, **settings: Any) -> Flask:
    return app_factory(
        providers=[CredentialsProvider()],
        adapter=SQLiteAdapter(path, timeout=0.2),
        SIGNUP=True,
        **settings,
    )


def test_a_locked_sqlite_store_fails_sign_up_with_503_and_no_user(
    app_factory: AppFactory, sqlite_path: str, locked: None
) -> None:
    app = sqlite_app(app_factory, sqlite_path)
    assert_unavailable(sign_up(app.test_client(), "new@example.com"))


def test_nothing_was_written_once_the_lock_is_gone(
    app_factory: AppFactory, sqlite_path: str
) -> None:
    app = sqlite_app(app_factory, sqlite_path, SESSION_STRATEGY="database")
    store = app.extensions["authjs"].adapter
    SQLiteAdapter(sqlite_path).get_user("create the schema")
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_unavailable(sign_up(app.test_client(), "new@example.com"))
        assert_unavailable(sign_in(app.test_client(), "nobody@example.com", "wrong password"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.get_user_by_email("new@example.com") is None
    rows = sqlite3.connect(sqlite_path).execute(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM sessions), "
        "(SELECT count(*) FROM rate_limit_attempts)"
    )
    assert rows.fetchone() == (0, 0, 0)
    assert sign_up(app.test_client(), "new@example.com").status_code == 200


def test_a_database_session_that_cannot_be_written_is_a_503(
    app_factory: AppFactory, sqlite_path: str, locked: None
) -> None:
    app = app_factory(adapter=SQLiteAdapter(sqlite_path, timeout=0.2), SESSION_STRATEGY="database")
    assert_unavailable(sign_in(app.test_client()))


@pytest.fixture
def unreachable_mongo() -> MongoDBAdapter:
    from pymongo import MongoClient

    client: Any = MongoClient(
        f"mongodb://127.0.0.1:{closed_port()}/authjs", serverSelectionTimeoutMS=200
    )
    return MongoDBAdapter(client["authjs"])


def test_an_unreachable_mongo_fails_sign_in_and_sign_up_with_503(
    app_factory: AppFactory, unreachable_mongo: MongoDBAdapter
) -> None:
    app = app_factory(adapter=unreachable_mongo, SIGNUP=True)
    assert_unavailable(sign_in(app.test_client()))
    assert_unavailable(sign_up(app.test_client(), "new@example.com"))
    # CSRF is checked before the store is asked: a bad token is the CSRF answer, not a 503.
    page = app.test_client().post(
        "/api/auth/callback/credentials",
        data={"email": USER["email"], "password": PASSWORD, "csrfToken": "x"},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 302
    assert page.headers["Location"].startswith("http://localhost/api/auth/signin?csrf=true")
    scripted = app.test_client().post(
        "/api/auth/callback/credentials",
        data={"email": USER["email"], "password": PASSWORD, "csrfToken": "x", "json": "true"},
    )
    assert scripted.status_code == 403
    assert scripted.get_json()["error"] == "MissingCSRF"


@pytest.mark.parametrize("timeout", [0.2, 1.0])
def test_the_database_url_and_store_timeout_settings_bound_the_wait(
    app_factory: AppFactory, timeout: float
) -> None:
    """The sign-in gives up after about ``AUTHJS_STORE_TIMEOUT`` (not the driver's 30 s
    default). Each store read waits at most the timeout; a sign-in makes a few reads."""
    url = f"mongodb://127.0.0.1:{closed_port()}/authjs"
    app = app_factory(DATABASE_URL=url, STORE_TIMEOUT=timeout)
    adapter = app.extensions["authjs"].adapter
    assert isinstance(adapter, MongoDBAdapter)
    assert adapter.database.name == "authjs"
    client = app.test_client()
    csrf = client.get("/api/auth/csrf").get_json()["csrfToken"]
    started = time.monotonic()
    response = client.post(
        "/api/auth/callback/credentials",
        data={"csrfToken": csrf, "json": "true", "email": USER["email"], "password": PASSWORD},
    )
    waited = time.monotonic() - started
    assert_unavailable(response)
    assert timeout * 0.9 <= waited <= timeout * 3 + 1.5


def test_a_database_session_lookup_without_the_store_is_a_503_not_a_sign_out(
    app_factory: AppFactory, unreachable_mongo: MongoDBAdapter
) -> None:
    app = app_factory(adapter=unreachable_mongo, SESSION_STRATEGY="database")
    client = app.test_client()
    client.set_cookie("authjs.session-token", "a" * 43)
    response = client.get("/api/auth/session", headers={"Accept": "application/json"})
    assert_unavailable(response)
    page = client.get("/dashboard")
    assert page.status_code == 503
    assert page.mimetype == "text/plain"
    assert "Set-Cookie" not in page.headers


def test_a_jwt_renewal_without_the_store_keeps_the_session(
    app_factory: AppFactory, unreachable_mongo: MongoDBAdapter
) -> None:
    clock = FakeClock(float(int(time.time()) - 5 * DAY))
    working = use_clock(app_factory(), clock)
    client = working.test_client()
    assert sign_in(client).status_code == 200
    broken = use_clock(app_factory(adapter=unreachable_mongo), clock)
    cookie = client.get_cookie("authjs.session-token")
    assert cookie is not None
    other = broken.test_client()
    other.set_cookie("authjs.session-token", cookie.value)
    clock.advance(DAY)
    response = other.get("/api/auth/session")
    assert response.get_json()["user"]["id"] == "u1"
    assert "Set-Cookie" not in response.headers  # renewal waits for the store


@pytest.mark.parametrize(
    ("referer", "retry"),
    [
        ("http://localhost/login?next=/x", "http://localhost/login?next=/x"),
        ("https://evil.example/", "http://localhost/api/auth/signin"),  # never off-site
    ],
)
def test_a_browser_form_post_during_an_outage_gets_a_page_with_a_way_to_retry(
    app_factory: AppFactory, sqlite_path: str, locked: None, referer: str, retry: str
) -> None:
    client = sqlite_app(app_factory, sqlite_path).test_client()
    token = client.get("/api/auth/csrf").get_json()["csrfToken"]
    form = {"csrfToken": token, "email": USER["email"], "password": PASSWORD}
    response = client.post(
        "/api/auth/callback/credentials",
        data=form,
        headers={"Accept": "text/html", "Referer": referer},
    )
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "<h1>Temporarily unavailable</h1>" in html
    assert f'id="retry" href="{retry}"' in html
    assert "Traceback" not in html


def test_a_page_view_during_a_session_store_outage_is_a_page_for_a_browser(
    app_factory: AppFactory, unreachable_mongo: MongoDBAdapter
) -> None:
    app = app_factory(adapter=unreachable_mongo, SESSION_STRATEGY="database")
    client = app.test_client()
    client.set_cookie("authjs.session-token", "a" * 43)
    page = client.get("/dashboard", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "Try again" in page.get_data(as_text=True) and page.headers["Retry-After"]
