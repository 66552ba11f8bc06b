"""The app factory every test builds on, and helpers that speak the protocol like a client."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, g, jsonify
from flask.testing import FlaskClient

from flask_authjs import AuthJS, CredentialsProvider, login_required
from flask_authjs.adapters import Adapter, MongoDBAdapter, SQLiteAdapter

from .postgres import URL_VARIABLE, Cluster, create_database, find_binaries

SECRET = "test-secret-that-is-long-enough-for-production-use"
USER = {"id": "u1", "name": "Ada", "email": "ada@example.com", "image": None}
PASSWORD = "correct horse"


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    if credentials.get("email") == USER["email"] and credentials.get("password") == PASSWORD:
        return dict(USER)
    return None


AppFactory = Callable[..., Flask]


@pytest.fixture
def app_factory(tmp_path: Any) -> AppFactory:
    """``app_factory(providers=..., pages=..., callbacks=..., **config)`` -> a fresh app.

    Config keys without a prefix are ``AUTHJS_`` settings (``URL="https://x"``).
    """

    def make(
        *,
        providers: list[Any] | None = None,
        pages: dict[str, str] | None = None,
        callbacks: dict[str, Any] | None = None,
        adapter: Any = None,
        testing: bool = True,
        **settings: Any,
    ) -> Flask:
        app = Flask("testapp", instance_path=str(tmp_path / "instance"))
        app.config.update(
            TESTING=testing,
            AUTHJS_SECRET=SECRET,
            AUTHJS_URL="http://localhost",
            AUTHJS_BCRYPT_ROUNDS=4,
            AUTHJS_DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}",
        )
        app.config.update({f"AUTHJS_{key}": value for key, value in settings.items()})
        AuthJS(
            app,
            providers=providers if providers is not None else [CredentialsProvider(authorize)],
            pages=pages,
            callbacks=callbacks,
            adapter=adapter,
        )

        @app.get("/")
        def home() -> str:
            return "home"

        @app.get("/dashboard")
        @login_required
        def dashboard() -> Any:
            return jsonify(g.session)

        return app

    return make


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def raw_client(app: Flask) -> FlaskClient:
    """A client without a cookie jar, so a test's own ``Cookie`` header reaches the app."""
    return app.test_client(use_cookies=False)


def csrf_token(client: FlaskClient) -> str:
    token: str = client.get("/api/auth/csrf").get_json()["csrfToken"]
    return token


def sign_in(
    client: FlaskClient, email: str = USER["email"], password: str = PASSWORD, **fields: str
) -> Any:
    """Post the credentials form in ``json=true`` mode, as ``next-auth/react`` does."""
    return post_json_true(
        client, "/api/auth/callback/credentials", email=email, password=password, **fields
    )


def post_json_true(client: FlaskClient, path: str, **fields: str) -> Any:
    """A form post with a fresh CSRF token and ``json=true``, as the Auth.js clients send."""
    return client.post(path, data={"csrfToken": csrf_token(client), "json": "true", **fields})


def session_cookie(response: Any, name: str = "authjs.session-token") -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0]
    return None


STORES = ["sqlite", "mongomock", "mongodb", "sqlalchemy-sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A superuser URL of a PostgreSQL server for the whole run.

    ``AUTHJS_TEST_POSTGRES_URL`` if set; otherwise a throwaway cluster from Debian's
    binaries, removed at the end. Without either the tests that need it skip, and with
    ``CI=true`` they fail instead.
    """
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield url
        return
    binaries = find_binaries()
    if binaries is None:
        reason = (
            "PostgreSQL tests need Debian's postgresql package (/usr/lib/postgresql/*/bin) "
            f"or {URL_VARIABLE}=postgresql+psycopg://user@host/db"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster(binaries).start()
    try:
        yield cluster.url()
    finally:
        cluster.remove()


@pytest.fixture(scope="session")
def postgres_stores(postgres_server: str) -> Iterator[dict[str, Any]]:
    """One database per schema preset, tables created once; engines shared by the tests."""
    engines: dict[str, Any] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


def sql_adapter(stores: dict[str, Any], server: str, preset: str) -> Any:
    """A ``SQLAlchemyAdapter`` on the preset's database, emptied before the test."""
    from sqlalchemy import text

    from flask_authjs.adapters.sql_engine import engine_for_url
    from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter

    if preset not in stores:
        url = create_database(server, "authjs_test_" + preset.replace("-", "_"))
        stores[preset] = engine_for_url(url, timeout=5.0)
        SQLAlchemyAdapter(stores[preset], schema=preset).create_tables()
    adapter = SQLAlchemyAdapter(stores[preset], schema=preset)
    names = ", ".join(f'"{table.name}"' for table in adapter.schema.metadata.sorted_tables)
    with adapter.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return adapter


def make_adapter(name: str, request: Any, tmp_path: Any) -> Iterator[Adapter]:
    """The store called ``name``: ``sqlite``, ``mongomock[-authjs]``, ``mongodb`` (a real
    server, when ``MONGODB_URI`` is set), ``sqlalchemy-sqlite[-<preset>]``, and
    ``postgresql[-<preset>]`` (the SQLAlchemy adapter, on an Auth.js schema preset)."""
    if name == "sqlite":
        yield SQLiteAdapter(str(tmp_path / "adapter.sqlite3"), timeout=5.0)
    elif name.startswith("mongomock"):
        mongomock = pytest.importorskip("mongomock")
        # mongomock clients share one in-process server: a database of its own per test.
        database = mongomock.MongoClient()[f"authjs_test_{uuid.uuid4().hex[:12]}"]
        yield MongoDBAdapter(
            database, schema=name.removeprefix("mongomock").removeprefix("-") or "flask-authjs"
        )
    elif name.startswith("sqlalchemy-sqlite"):
        from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter

        preset = name.removeprefix("sqlalchemy-sqlite").removeprefix("-") or "flask-authjs"
        url = f"sqlite:///{tmp_path / 'sa.sqlite3'}"
        adapter = SQLAlchemyAdapter(url, schema=preset, timeout=5.0)
        adapter.create_tables()
        yield adapter
        adapter.engine.dispose()
    elif name.startswith("postgresql"):
        preset = name.removeprefix("postgresql").removeprefix("-") or "flask-authjs"
        server = request.getfixturevalue("postgres_server")
        yield sql_adapter(request.getfixturevalue("postgres_stores"), server, preset)
    else:
        uri = os.environ.get("MONGODB_URI")
        if not uri:
            pytest.skip("set MONGODB_URI=mongodb://host:port to run against a real MongoDB")
        from pymongo import MongoClient

        client: Any = MongoClient(uri, serverSelectionTimeoutMS=2000)
        database = f"authjs_test_{uuid.uuid4().hex[:12]}"
        try:
            yield MongoDBAdapter(client[database])
        finally:
            client.drop_database(database)
            client.close()


@pytest.fixture(params=STORES)
def adapter(request: Any, tmp_path: Any) -> Iterator[Adapter]:
    """Every store the app-level store tests run against (see :func:`make_adapter`)."""
    yield from make_adapter(request.param, request, tmp_path)


DAY = 24 * 60 * 60


class FakeClock:
    """A clock tests move by hand: ``clock.advance(seconds)``.

    It starts ten days in the past, so the JWTs it stamps stay valid for PyJWT (which
    refuses an ``iat`` in the future of the real clock) while a test moves days ahead.
    """

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(float(int(time.time()) - 10 * DAY))


def use_clock(app: Flask, clock: FakeClock) -> Flask:
    """Make the app's sessions and rate limits read ``clock`` instead of the real time."""
    app.extensions["authjs"].clock = clock
    return app


def sign_up(
    client: FlaskClient, email: str, password: str = "new password 1", **fields: str
) -> Any:
    """Post the sign-up form in ``json=true`` mode."""
    return post_json_true(client, "/api/auth/signup", email=email, password=password, **fields)


NEXTAUTH_DIR = os.path.join(os.path.dirname(__file__), "nextauth")


def require_npm_package(package: str) -> None:
    """Skip without node or ``package`` in tests/nextauth; in CI (``CI=true``), fail."""
    import shutil

    if shutil.which("node") and os.path.isdir(os.path.join(NEXTAUTH_DIR, "node_modules", package)):
        return
    reason = "node or the npm packages are missing (cd tests/nextauth && npm ci)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run these tests", pytrace=False)
    pytest.skip(reason)


NodeCodec = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def node_codec() -> NodeCodec:
    """Run requests through the real ``next-auth/jwt`` and ``@auth/core/jwt`` (codec.mjs)."""
    import json
    import subprocess

    require_npm_package("@auth/core")

    def run(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        done = subprocess.run(
            ["node", os.path.join(NEXTAUTH_DIR, "codec.mjs")],
            input=json.dumps(requests),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        answers: list[dict[str, Any]] = json.loads(done.stdout)
        return answers

    return run
