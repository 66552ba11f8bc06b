"""The embedded default store: one SQLite file, WAL, one connection per thread.

SQLite needs no server, so the demo and small deployments work out of the box; WAL lets
readers go on while a writer commits, and ``busy_timeout`` bounds how long a locked
database can hold a request before it becomes :class:`StoreUnavailable`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .base import DuplicateAccount, DuplicateEmail, StoreUnavailable, User

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    image TEXT,
    password_hash TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_account_id TEXT NOT NULL,
    access_token TEXT,
    refresh_token TEXT,
    expires_at INTEGER,
    token_type TEXT,
    scope TEXT,
    id_token TEXT,
    UNIQUE (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS accounts_user_id ON accounts (user_id);
"""
#: Columns of ``accounts`` copied from the Auth.js account dict under the same names.
_ACCOUNT_TOKENS = ("access_token", "refresh_token", "expires_at", "token_type", "scope", "id_token")
_USER_COLUMNS = "id, email, name, image, password_hash"


class SQLiteAdapter:
    def __init__(self, path: str, *, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout
        self._local = threading.local()
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            directory = os.path.dirname(self.path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            self._local.connection = connection
            with self._schema_lock:
                if not self._schema_ready:
                    connection.executescript(SCHEMA)
                    self._schema_ready = True
        return connection

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection()
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(f"SQLite store {self.path!r}: {error}") from error

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        user = User(
            id=uuid.uuid4().hex, email=email, name=name, image=image, password_hash=password_hash
        )
        try:
            with self._cursor() as db:
                db.execute(
                    f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?)",  # noqa: S608
                    (user["id"], email, name, image, password_hash),
                )
        except sqlite3.IntegrityError as error:
            raise DuplicateEmail(email) from error
        return user

    def get_user(self, user_id: str) -> User | None:
        return self._one_user("id", user_id)

    def get_user_by_email(self, email: str) -> User | None:
        return self._one_user("email", email)

    def _one_user(self, column: str, value: str) -> User | None:
        with self._cursor() as db:
            row = db.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE {column} = ?",  # noqa: S608
                (value,),
            ).fetchone()
        return None if row is None else User(**dict(row))  # type: ignore[typeddict-item]

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._cursor() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        columns = ", ".join(f"users.{c.strip()}" for c in _USER_COLUMNS.split(","))
        with self._cursor() as db:
            row = db.execute(
                f"SELECT {columns} FROM accounts JOIN users ON users.id = accounts.user_id "  # noqa: S608
                "WHERE accounts.provider = ? AND accounts.provider_account_id = ?",
                (provider, provider_account_id),
            ).fetchone()
        return None if row is None else User(**dict(row))  # type: ignore[typeddict-item]

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        tokens = [account.get(key) for key in _ACCOUNT_TOKENS]
        try:
            with self._cursor() as db:
                db.execute(
                    "INSERT INTO accounts (id, user_id, type, provider, provider_account_id, "  # noqa: S608
                    f"{', '.join(_ACCOUNT_TOKENS)}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        uuid.uuid4().hex,
                        user_id,
                        account["type"],
                        account["provider"],
                        account["providerAccountId"],
                        *tokens,
                    ),
                )
        except sqlite3.IntegrityError as error:
            raise DuplicateAccount(account["provider"]) from error
