"""``flask authjs init-db`` and the SQL presets' tables: created once, foreign shapes refused,
the Auth.js column types kept, and our secrets out of the shared tables."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from flask_authjs import CredentialsProvider
from flask_authjs.adapters.sql_schemas import PRESETS
from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter
from flask_authjs.config import DATABASE_SCHEMAS

from ..conftest import AppFactory, make_adapter, sign_in
from ..postgres import create_database


@pytest.fixture
def empty_database(postgres_server: str) -> str:
    return create_database(postgres_server, "authjs_tables")


@pytest.fixture
def engine(empty_database: str) -> Iterator[Any]:
    engine = create_engine(empty_database)
    yield engine
    engine.dispose()


def cli_app(app_factory: AppFactory, url: str, schema: str) -> Flask:
    return app_factory(providers=[CredentialsProvider()], DATABASE_URL=url, DATABASE_SCHEMA=schema)


def test_the_preset_names_are_one_list() -> None:
    assert (*PRESETS, "authjs") == DATABASE_SCHEMAS  # config.py does not import SQLAlchemy


@pytest.mark.parametrize("schema", PRESETS)
def test_init_db_creates_the_tables_once(
    app_factory: AppFactory, empty_database: str, schema: str
) -> None:
    runner = cli_app(app_factory, empty_database, schema).test_cli_runner()
    first = runner.invoke(args=["authjs", "init-db"])
    assert first.exit_code == 0, first.output
    assert "created tables:" in first.output and "authjs_passwords" in first.output
    second = runner.invoke(args=["authjs", "init-db"])
    assert second.exit_code == 0, second.output
    assert "all tables exist already" in second.output


def test_the_authjs_pg_tables_have_the_node_adapters_columns(
    app_factory: AppFactory, empty_database: str, engine: Any
) -> None:
    runner = cli_app(app_factory, empty_database, "authjs-pg").test_cli_runner()
    assert runner.invoke(args=["authjs", "init-db"]).exit_code == 0
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "select table_name, column_name, data_type, is_nullable "
                "from information_schema.columns where table_schema = 'public' "
                "and table_name in ('users', 'accounts', 'sessions', 'verification_token')"
            )
        ).all()
    columns = {(t, c): (d, n) for t, c, d, n in rows}
    # packages/adapter-pg/schema.sql of nextauthjs/next-auth, column by column.
    assert columns == {
        ("users", "id"): ("integer", "NO"),
        ("users", "name"): ("character varying", "YES"),
        ("users", "email"): ("character varying", "YES"),
        ("users", "emailVerified"): ("timestamp with time zone", "YES"),
        ("users", "image"): ("text", "YES"),
        ("accounts", "id"): ("integer", "NO"),
        ("accounts", "userId"): ("integer", "NO"),
        ("accounts", "type"): ("character varying", "NO"),
        ("accounts", "provider"): ("character varying", "NO"),
        ("accounts", "providerAccountId"): ("character varying", "NO"),
        ("accounts", "refresh_token"): ("text", "YES"),
        ("accounts", "access_token"): ("text", "YES"),
        ("accounts", "expires_at"): ("bigint", "YES"),
        ("accounts", "id_token"): ("text", "YES"),
        ("accounts", "scope"): ("text", "YES"),
        ("accounts", "session_state"): ("text", "YES"),
        ("accounts", "token_type"): ("text", "YES"),
        ("sessions", "id"): ("integer", "NO"),
        ("sessions", "userId"): ("integer", "NO"),
        ("sessions", "expires"): ("timestamp with time zone", "NO"),
        ("sessions", "sessionToken"): ("character varying", "NO"),
        ("verification_token", "identifier"): ("text", "NO"),
        ("verification_token", "expires"): ("timestamp with time zone", "NO"),
        ("verification_token", "token"): ("text", "NO"),
    }


def test_init_db_refuses_a_table_of_another_shape_and_creates_nothing(
    app_factory: AppFactory, empty_database: str, engine: Any
) -> None:
    with engine.begin() as connection:
        connection.execute(text("create table users (id text primary key, email text)"))
    runner = cli_app(app_factory, empty_database, "authjs-pg").test_cli_runner()
    result = runner.invoke(args=["authjs", "init-db"])
    assert result.exit_code == 1
    assert "refusing to touch existing tables" in result.output
    assert "table 'users' has no column 'emailVerified'" in result.output
    assert "column users.id is TEXT, not INTEGER" in result.output
    with engine.connect() as connection:
        tables = connection.execute(
            text("select table_name from information_schema.tables where table_schema='public'")
        ).scalars()
        assert set(tables) == {"users"}


def test_extra_nullable_columns_are_allowed_but_required_ones_refused(
    empty_database: str, engine: Any
) -> None:
    adapter = SQLAlchemyAdapter(empty_database, schema="drizzle")
    adapter.create_tables()
    with engine.begin() as connection:
        connection.execute(text('alter table "user" add column nickname text'))
    assert adapter.create_tables() == []
    with engine.begin() as connection:
        connection.execute(text('alter table "user" add column tenant text not null'))
    with pytest.raises(ValueError, match="required column 'tenant'"):
        adapter.create_tables()
    adapter.engine.dispose()


def test_missing_tables_are_a_503_that_names_init_db(
    app_factory: AppFactory, empty_database: str, caplog: Any
) -> None:
    app = cli_app(app_factory, empty_database, "flask-authjs")
    response = sign_in(app.test_client(), "ada@example.com", "a password")
    assert response.status_code == 503
    assert response.get_json()["error"] == "StoreUnavailable"
    assert "run `flask authjs init-db`" in caplog.text
    assert app.test_cli_runner().invoke(args=["authjs", "init-db"]).exit_code == 0
    assert sign_in(app.test_client(), "ada@example.com", "a password").status_code == 401


def test_the_password_hash_stays_out_of_the_shared_users_table(
    empty_database: str, engine: Any
) -> None:
    adapter = SQLAlchemyAdapter(empty_database, schema="authjs-pg")
    adapter.create_tables()
    user = adapter.create_user("ada@example.com", password_hash="$2b$04$hash")
    with engine.connect() as connection:
        row = connection.execute(text("select * from users")).mappings().one()
        secret = connection.execute(text("select * from authjs_passwords")).mappings().one()
    assert "$2b$04$hash" not in {str(value) for value in row.values()}
    assert dict(secret) == {"user_id": int(user["id"]), "password_hash": "$2b$04$hash"}
    adapter.set_password_hash(user["id"], "$2b$04$new")
    found = adapter.get_user(user["id"])
    assert found is not None and found["password_hash"] == "$2b$04$new"
    adapter.engine.dispose()


def test_a_sqlite_url_with_a_preset_goes_through_sqlalchemy(
    app_factory: AppFactory, tmp_path: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    app = cli_app(app_factory, url, "prisma")
    assert app.test_cli_runner().invoke(args=["authjs", "init-db"]).exit_code == 0
    adapter = app.extensions["authjs"].adapter
    assert isinstance(adapter, SQLAlchemyAdapter) and adapter.schema.name == "prisma"
    user = adapter.create_user("ada@example.com")
    assert user["id"].startswith("c") and len(user["id"]) == 25


def test_sqlalchemy_is_imported_only_when_a_sql_store_is_used(tmp_path: Any) -> None:
    script = (
        "import sys\n"
        "from flask import Flask\n"
        "from flask_authjs import AuthJS, CredentialsProvider\n"
        "app = Flask('plain')\n"
        f"app.config.update(TESTING=True, AUTHJS_DATABASE_URL='sqlite:///{tmp_path}/a.db')\n"
        "AuthJS(app, providers=[CredentialsProvider()])\n"
        "app.test_client().get('/api/auth/session')\n"
        "assert 'sqlalchemy' not in sys.modules, 'imported on the SQLite default'\n"
        "from flask_authjs.adapters import SQLAlchemyAdapter\n"
        "assert 'sqlalchemy' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_without_delete_returning_a_token_is_locked_read_and_deleted_once(
    empty_database: str, monkeypatch: Any
) -> None:
    """MySQL's way (no ``DELETE ... RETURNING``), run here on PostgreSQL: ten racers, one wins."""
    adapter = SQLAlchemyAdapter(empty_database, schema="authjs-pg")
    adapter.create_tables()
    monkeypatch.setattr(adapter.engine.dialect, "delete_returning", False)
    adapter.create_verification_token("ada@example.com", "hashed", 4102444800)
    start = threading.Barrier(10)
    wins: list[object] = []

    def use() -> None:
        start.wait()
        wins.append(adapter.use_verification_token("ada@example.com", "hashed"))

    racers = [threading.Thread(target=use) for _ in range(10)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert [w for w in wins if w is not None] == [
        {"identifier": "ada@example.com", "token": "hashed", "expires": 4102444800}
    ]
    assert len(wins) == 10
    adapter.engine.dispose()


@pytest.mark.parametrize("schema", ["authjs-pg", "prisma", "drizzle"])
def test_a_session_for_a_user_the_shared_table_lacks_is_refused_with_the_reason(
    empty_database: str, schema: str
) -> None:
    adapter = SQLAlchemyAdapter(empty_database, schema=schema)
    adapter.create_tables()
    with pytest.raises(LookupError, match="sessions belong to stored users"):
        adapter.create_session("token", "u1", 4102444800, {}, now=4102444800 - 3600)
    assert adapter.get_session("token") is None
    adapter.engine.dispose()


def test_init_db_on_the_other_stores(app_factory: AppFactory) -> None:
    mongomock = pytest.importorskip("mongomock")
    from flask_authjs.adapters import MongoDBAdapter

    sqlite = app_factory().test_cli_runner().invoke(args=["authjs", "init-db"])
    assert sqlite.exit_code == 0 and "the SQLite store is ready" in sqlite.output
    database = mongomock.MongoClient()["authjs_init_db"]
    app = app_factory(adapter=MongoDBAdapter(database, schema="authjs"))
    mongo = app.test_cli_runner().invoke(args=["authjs", "init-db"])
    assert mongo.exit_code == 0 and "MongoDB indexes are in place" in mongo.output
    assert "session_token_unique" in database.sessions.index_information()


@pytest.fixture(params=["sqlalchemy-sqlite", "postgresql"])
def sql_store(request: Any, tmp_path: Any) -> Iterator[SQLAlchemyAdapter]:
    yield from make_adapter(request.param, request, tmp_path)


def test_rate_limit_keys_no_one_tried_for_a_window_are_forgotten(
    sql_store: SQLAlchemyAdapter,
) -> None:
    """A flood of distinct accounts leaves one lock row and attempt per account; later
    reservations clear those, so the tables hold the current window, not all history."""
    now = 1_800_000_000

    def reserve(key: str, at: float) -> object:
        return sql_store.reserve_attempt(
            {key: 5}, attempt_id=key, since=at - 900, at=at, expires=at + 900
        )

    for index in range(30):
        assert reserve(f"account:{index}", now - 2000) == {}
    assert reserve("account:recent", now - 100) == {}
    assert reserve("account:new", now) == {}

    def keys(table: str) -> list[str]:
        with sql_store.engine.connect() as connection:
            return sorted(connection.execute(text(f"SELECT key FROM {table}")).scalars())

    assert keys("authjs_rate_limit_keys") == ["account:new", "account:recent"]
    assert keys("authjs_rate_limit_attempts") == ["account:new", "account:recent"]


def test_a_new_session_sweeps_the_users_sessions_expired_by_the_given_now(
    sql_store: SQLAlchemyAdapter,
) -> None:
    """Expiry is judged by the app's clock passed in (``now``), not the wall clock: these
    times are decades ahead, so only ``now`` can call the first session expired."""
    now = 4_000_000_000
    user = sql_store.create_user("ada@example.com")["id"]
    sql_store.create_session("old", user, now + 60, {}, now=now)
    sql_store.create_session("still", user, now + 600, {}, now=now)
    assert sql_store.get_session("old") is not None
    sql_store.create_session("new", user, now + 700, {}, now=now + 60)
    assert sql_store.get_session("old") is None
    assert sql_store.get_session("still") is not None
    assert sql_store.get_session("new") is not None
