"""The embedded default store: one SQLite file, WAL, one connection per thread.

SQLite needs no server, so the demo and small deployments work out of the box; WAL lets
readers go on while a writer commits, and ``busy_timeout`` bounds how long a locked
database can hold a request before it becomes :class:`StoreUnavailable`. Uniqueness
(normalised email; provider + providerAccountId) is enforced by the schema, so it holds
across threads and processes alike; every write is one statement or one transaction,
so nothing is ever half-written. The file is created 0600: it holds password hashes.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from ..exceptions import ConfigurationError
from .base import (
    Attempts,
    DuplicateAccount,
    DuplicateEmail,
    StoredSession,
    StoreUnavailable,
    User,
    VerificationToken,
    plain_str,
)
from .sqlite_factors import SCHEMA as FACTORS_SCHEMA
from .sqlite_factors import SQLiteFactorsMixin

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    image TEXT,
    password_hash TEXT,
    email_verified INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS accounts (
    provider TEXT NOT NULL,
    provider_account_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS accounts_user_id ON accounts (user_id);
CREATE TABLE IF NOT EXISTS sessions (
    session_key TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
CREATE TABLE IF NOT EXISTS session_revocations (
    user_id TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verification_tokens (
    identifier TEXT NOT NULL,
    token TEXT NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (identifier, token)
);
CREATE TABLE IF NOT EXISTS rate_limit_attempts (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    expires REAL NOT NULL,
    id TEXT
);
CREATE INDEX IF NOT EXISTS rate_limit_attempts_key_at ON rate_limit_attempts (key, at);
"""
    + FACTORS_SCHEMA
)
logger = logging.getLogger("flask_authjs")

_GET_SESSION = "SELECT user_id, expires, data FROM sessions WHERE session_key = ?"
_USER_COLUMNS = "id, email, name, image, password_hash, email_verified"
_USER_COLUMNS_OF_U = "u.id, u.email, u.name, u.image, u.password_hash, u.email_verified"


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Columns added after a store file was first created (``CREATE TABLE IF NOT EXISTS``
    leaves an existing table as it was)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    if "email_verified" not in columns:
        db.execute("ALTER TABLE users ADD COLUMN email_verified INTEGER")


@lru_cache(maxsize=1024)
def _session_data(text: str) -> Mapping[str, Any]:
    """A session's stored JSON, parsed; the same text always parses the same (callers copy)."""
    data: Mapping[str, Any] = json.loads(text)
    return data


def _create_private(path: str) -> None:
    """Create the store file readable by its owner only (0600), before SQLite opens it.

    It holds password hashes and OAuth accounts, and umask 022 would make it
    world-readable. SQLite creates the ``-wal`` and ``-shm`` files with the database
    file's own permissions, so they are 0600 too. An existing file is left as it is.
    """
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _warn_if_world_readable(path: str) -> None:
    """Say so, once, when an existing store file can be read by every user of the machine.

    Its mode is the operator's choice (a backup group may need to read it), so it is not
    changed; but world-readable password hashes are rarely a choice.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & stat.S_IROTH:
        logger.warning(
            "flask-authjs: the SQLite store %r is readable by every user (mode %o); "
            "it holds password hashes: chmod 600 it",
            path,
            stat.S_IMODE(mode),
        )


def _add_attempt_ids(connection: sqlite3.Connection) -> None:
    """Stores made before attempts were reserved have no ``id`` column yet: add it."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(rate_limit_attempts)")}
    if "id" in columns:
        return
    try:
        connection.execute("ALTER TABLE rate_limit_attempts ADD COLUMN id TEXT")
    except sqlite3.OperationalError as error:  # another process added it a moment ago
        if "duplicate column" not in str(error):
            raise


class SQLiteAdapter(SQLiteFactorsMixin):
    def __init__(self, path: str, *, timeout: float = 5.0) -> None:
        directory = os.path.dirname(path)
        if directory and not os.path.isdir(directory):
            # A typo in a path must not quietly become a new, empty user store elsewhere.
            raise ConfigurationError(
                "AUTHJS_DATABASE_URL",
                f"the folder {directory!r} of the SQLite store {path!r} does not exist.",
                "create the folder, or fix the path.",
            )
        self.path = path
        self.timeout = timeout
        self._local = threading.local()
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            _create_private(self.path)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            with self._schema_lock:
                if not self._schema_ready:
                    connection.executescript(SCHEMA)
                    _add_missing_columns(connection)
                    _add_attempt_ids(connection)
                    _warn_if_world_readable(self.path)
                    self._schema_ready = True
            self._local.connection = connection
        return connection

    def _reader(self) -> sqlite3.Cursor:
        """The thread's cursor for the per-request session read (plain tuples)."""
        reader: sqlite3.Cursor | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._connection().cursor()
            reader.row_factory = None
            self._local.reader = reader
        return reader

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection()
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(f"SQLite store {self.path!r}: {error}") from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements that commit together or not at all."""
        with self._cursor() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # Users.

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
        email_verified: int | None = None,
    ) -> User:
        user = User(
            id=uuid.uuid4().hex,
            email=plain_str("email", email),
            name=name,
            image=image,
            password_hash=password_hash,
            email_verified=email_verified,
        )
        try:
            with self._cursor() as db:
                db.execute(
                    f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                    (user["id"], email, name, image, password_hash, email_verified),
                )
        except sqlite3.IntegrityError as error:
            raise DuplicateEmail(email) from error
        return user

    def get_user(self, user_id: str) -> User | None:
        return self._one_user(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?",  # noqa: S608
            (plain_str("user_id", user_id),),
        )

    def get_user_by_email(self, email: str) -> User | None:
        return self._one_user(
            f"SELECT {_USER_COLUMNS} FROM users WHERE email = ?",  # noqa: S608
            (plain_str("email", email),),
        )

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        return self._one_user(
            f"SELECT {_USER_COLUMNS_OF_U} FROM users u JOIN accounts a ON a.user_id = u.id "  # noqa: S608
            "WHERE a.provider = ? AND a.provider_account_id = ?",
            (plain_str("provider", provider), plain_str("providerAccountId", provider_account_id)),
        )

    def _one_user(self, query: str, params: tuple[str, ...]) -> User | None:
        with self._cursor() as db:
            row = db.execute(query, params).fetchone()
        return None if row is None else User(**dict(row))  # type: ignore[typeddict-item]

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        with self._cursor() as db:
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                (password_hash, plain_str("user_id", user_id)),
            )

    def set_email_verified(self, user_id: str, at: int) -> None:
        with self._cursor() as db:
            db.execute(
                "UPDATE users SET email_verified = ? WHERE id = ?",
                (int(at), plain_str("user_id", user_id)),
            )

    # Accounts.

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        provider = plain_str("provider", account.get("provider"))
        provider_account_id = plain_str("providerAccountId", account.get("providerAccountId"))
        try:
            with self._cursor() as db:
                db.execute(
                    "INSERT INTO accounts (provider, provider_account_id, user_id, type, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        provider,
                        provider_account_id,
                        plain_str("user_id", user_id),
                        str(account.get("type", "oauth")),
                        json.dumps(dict(account)),
                    ),
                )
        except sqlite3.IntegrityError as error:
            if "FOREIGN KEY" in str(error):
                raise LookupError(f"no user {user_id!r} to link the account to") from error
            raise DuplicateAccount(provider, provider_account_id) from error

    def list_accounts(self, user_id: str) -> list[dict[str, Any]]:
        with self._cursor() as db:
            rows = db.execute(
                "SELECT provider, provider_account_id, type FROM accounts WHERE user_id = ? "
                "ORDER BY rowid",
                (plain_str("user_id", user_id),),
            ).fetchall()
        return [
            {"provider": r["provider"], "providerAccountId": r[1], "type": r["type"]} for r in rows
        ]

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any], *, now: int
    ) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (int(now),))
            db.execute(
                "INSERT INTO sessions (session_key, user_id, expires, data) VALUES (?, ?, ?, ?)",
                (
                    plain_str("session_key", session_key),
                    plain_str("user_id", user_id),
                    int(expires),
                    json.dumps(dict(data)),
                ),
            )

    def get_session(self, session_key: str) -> StoredSession | None:
        # Every request of a database session comes here: one prepared statement on the
        # thread's connection, plain tuples, and the JSON of a session parsed once.
        key = plain_str("session_key", session_key)
        try:
            # ``fetchall`` runs the statement to its end, so the kept cursor holds no
            # read transaction open between requests.
            rows = self._reader().execute(_GET_SESSION, (key,)).fetchall()
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(f"SQLite store {self.path!r}: {error}") from error
        if not rows:
            return None
        user_id, expires, data = rows[0]
        stored: StoredSession = {
            "session_key": key,
            "user_id": user_id,
            "expires": expires,
            "data": dict(_session_data(data)),
        }
        return stored

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        with self._cursor() as db:
            db.execute(
                "UPDATE sessions SET expires = ? WHERE session_key = ?",
                (int(expires), plain_str("session_key", session_key)),
            )

    def delete_session(self, session_key: str) -> None:
        with self._cursor() as db:
            db.execute(
                "DELETE FROM sessions WHERE session_key = ?",
                (plain_str("session_key", session_key),),
            )

    def delete_user_sessions(self, user_id: str) -> int:
        with self._cursor() as db:
            cursor = db.execute(
                "DELETE FROM sessions WHERE user_id = ?", (plain_str("user_id", user_id),)
            )
        return cursor.rowcount

    def revoke_user_sessions(self, user_id: str, at: int) -> None:
        with self._cursor() as db:
            db.execute(
                "INSERT INTO session_revocations (user_id, revoked_at) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET revoked_at = "
                "max(revoked_at, excluded.revoked_at)",
                (plain_str("user_id", user_id), int(at)),
            )

    def sessions_revoked_at(self, user_id: str) -> int | None:
        with self._cursor() as db:
            row = db.execute(
                "SELECT revoked_at FROM session_revocations WHERE user_id = ?",
                (plain_str("user_id", user_id),),
            ).fetchone()
        return None if row is None else int(row[0])

    # Verification tokens.

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None:
        with self._cursor() as db:
            db.execute(
                "INSERT INTO verification_tokens (identifier, token, expires) VALUES (?, ?, ?)",
                (plain_str("identifier", identifier), plain_str("token", token), int(expires)),
            )

    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        with self._cursor() as db:
            row = db.execute(
                "DELETE FROM verification_tokens WHERE identifier = ? AND token = ? "
                "RETURNING identifier, token, expires",
                (plain_str("identifier", identifier), plain_str("token", token)),
            ).fetchone()
        return None if row is None else VerificationToken(**dict(row))  # type: ignore[typeddict-item]

    def delete_verification_tokens(self, identifier: str) -> int:
        with self._cursor() as db:
            cursor = db.execute(
                "DELETE FROM verification_tokens WHERE identifier = ?",
                (plain_str("identifier", identifier),),
            )
        return cursor.rowcount

    # Rate limiting.

    def reserve_attempt(
        self,
        limits: Mapping[str, int],
        *,
        attempt_id: str,
        since: float,
        at: float,
        expires: float,
    ) -> dict[str, Attempts]:
        keys = [plain_str("key", key) for key in limits]
        marks = ", ".join("?" for _ in keys)
        # BEGIN IMMEDIATE takes the write lock before counting: one reservation at a time.
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT key, count(*), min(at) FROM rate_limit_attempts "  # noqa: S608
                f"WHERE key IN ({marks}) AND at > ? GROUP BY key",
                (*keys, float(since)),
            ).fetchall()
            full = {row[0]: Attempts(row[1], row[2]) for row in rows if row[1] >= limits[row[0]]}
            if not full:
                db.executemany(
                    "INSERT INTO rate_limit_attempts (key, at, expires, id) VALUES (?, ?, ?, ?)",
                    [(key, float(at), float(expires), attempt_id) for key in keys],
                )
                db.execute("DELETE FROM rate_limit_attempts WHERE expires < ?", (float(at),))
        return full

    def release_attempt(self, keys: Sequence[str], attempt_id: str) -> None:
        keys = [plain_str("key", key) for key in keys]
        marks = ", ".join("?" for _ in keys)
        with self._cursor() as db:
            db.execute(
                f"DELETE FROM rate_limit_attempts WHERE id = ? AND key IN ({marks})",  # noqa: S608
                (plain_str("attempt_id", attempt_id), *keys),
            )
