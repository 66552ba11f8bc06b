"""The SQL store: any database SQLAlchemy 2 speaks, in our tables or an Auth.js adapter's.

``SQLAlchemyAdapter("postgresql+psycopg://app:secret@db/app", schema="authjs-pg")``, or
``SQLAlchemyAdapter(db.engine)`` to share an engine (Flask-SQLAlchemy's) with the app.
The table layouts are in :mod:`.sql_schemas`; every query here goes through the columns'
logical keys, so one code path serves every preset and dialect.

Writes that touch two tables (a user and its password hash; a session and its claims)
commit together in one transaction, so a database that goes away mid-request leaves
nothing half-written. Connections are checked before use (``pool_pre_ping``), so the
store recovers by itself when the server is back; until then every call fails within the
store timeout as :class:`StoreUnavailable` (a 503). Tables are created by
``flask authjs init-db`` (or :meth:`SQLAlchemyAdapter.create_tables`), never on the fly.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.sql.schema import Column

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
from .sql_schemas import OAUTH_FIELDS, build
from .sql_shapes import shape_problems

#: Drivers we install with the ``[sql]`` extra, for URLs that name none.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def engine_for_url(url: str, *, timeout: float) -> Engine:
    """An engine with pre-ping and every wait bounded by ``timeout`` seconds."""
    parsed = make_url(url)
    name = _DEFAULT_DRIVERS.get(parsed.drivername, parsed.drivername)
    parsed = parsed.set(drivername=name)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        milliseconds = max(1, int(timeout * 1000))
        connect_args = {
            "connect_timeout": max(1, math.ceil(timeout)),
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
        }
    elif parsed.get_backend_name() == "sqlite":
        connect_args = {"timeout": timeout}
    engine = create_engine(
        parsed, pool_pre_ping=True, pool_timeout=timeout, connect_args=connect_args
    )
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _: object) -> None:
    """Foreign keys (the cascades) and WAL, which SQLite leaves off by default."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _moment(timestamp: float, column: Column[Any]) -> datetime:
    """A column's datetime for epoch seconds: aware if it has a zone, else naive UTC."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment if getattr(column.type, "timezone", False) else moment.replace(tzinfo=None)


def _epoch(value: datetime) -> int:
    """Naive values are UTC: Prisma and Drizzle write them so, SQLite drops the zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


class SQLAlchemyAdapter:
    def __init__(
        self, engine_or_url: Engine | str, *, schema: str = "flask-authjs", timeout: float = 5.0
    ) -> None:
        self.engine = (
            engine_for_url(engine_or_url, timeout=timeout)
            if isinstance(engine_or_url, str)
            else engine_or_url
        )
        self.schema = build(schema)
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._tables_checked = False
        self._check_lock = threading.Lock()

    # Tables.

    def create_tables(self) -> list[str]:
        """Create the missing tables; refuse (``ValueError``) tables of another shape.

        Returns the names of the tables created (none when all exist: idempotent).
        """
        with self._guard(), self.engine.begin() as connection:
            problems = shape_problems(connection, self.schema.metadata)
            if problems:
                raise ValueError("; ".join(problems))
            existing = set(inspect(connection).get_table_names())
            created = [t.name for t in self.schema.metadata.sorted_tables if t.name not in existing]
            self.schema.metadata.create_all(connection, checkfirst=True)
        return created

    def drop_tables(self) -> None:
        """Drop every table of the preset (tests and teardown only)."""
        with self._guard():
            self.schema.metadata.drop_all(self.engine)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if _unavailable(error):
                raise StoreUnavailable(f"SQL store: {type(error).__name__}") from error
            raise

    def _ensure_tables(self) -> None:
        """Once per adapter: a missing table is a 503 that says what to run, not a 500."""
        with self._check_lock:
            if self._tables_checked:
                return
            with self._guard(), self.engine.connect() as connection:
                existing = set(inspect(connection).get_table_names())
            missing = [t.name for t in self.schema.metadata.sorted_tables if t.name not in existing]
            if missing:
                raise StoreUnavailable(
                    f"SQL store: tables {missing} do not exist; run `flask authjs init-db`"
                )
            self._tables_checked = True

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """One transaction: it commits when the block ends, or rolls back entirely."""
        if not self._tables_checked:
            self._ensure_tables()
        with self._guard(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read statement, without ``BEGIN``/``COMMIT`` round trips around it."""
        if not self._tables_checked:
            self._ensure_tables()
        with self._guard(), self._reader.connect() as connection:
            yield connection

    def _user_id(self, user_id: object) -> int | str | None:
        """The database's form of a user id; ``None`` if it cannot name a user."""
        value = plain_str("user_id", user_id)
        if not self.schema.integer_ids:
            return value
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            return None
        return int(value)

    # Users.

    def _user_query(self) -> Any:
        users, passwords = self.schema.users, self.schema.passwords
        return select(
            users.c.id, users.c.email, users.c.name, users.c.image, passwords.c.password_hash
        ).select_from(users.outerjoin(passwords, passwords.c.user_id == users.c.id))

    def _one_user(self, query: Any) -> User | None:
        with self._read() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return User(
            id=str(row.id),
            email=row.email,
            name=row.name,
            image=row.image,
            password_hash=row.password_hash,
        )

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        users = self.schema.users
        values: dict[str, Any] = {"email": plain_str("email", email), "name": name, "image": image}
        if self.schema.new_user_id is not None:
            values["id"] = self.schema.new_user_id()
        try:
            with self._begin() as connection:
                result = connection.execute(insert(users).values(**values))
                user_id = values.get("id", result.inserted_primary_key[0])  # type: ignore[index]
                if password_hash is not None:
                    connection.execute(
                        insert(self.schema.passwords).values(
                            user_id=user_id, password_hash=password_hash
                        )
                    )
        except IntegrityError as error:
            raise DuplicateEmail(email) from error
        return User(
            id=str(user_id), email=email, name=name, image=image, password_hash=password_hash
        )

    def get_user(self, user_id: str) -> User | None:
        key = self._user_id(user_id)
        if key is None:
            return None
        return self._one_user(self._user_query().where(self.schema.users.c.id == key))

    def get_user_by_email(self, email: str) -> User | None:
        email = plain_str("email", email)
        return self._one_user(self._user_query().where(self.schema.users.c.email == email))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        key = self._user_id(user_id)
        passwords = self.schema.passwords
        with self._begin() as connection:
            changed = connection.execute(
                update(passwords)
                .where(passwords.c.user_id == key)
                .values(password_hash=password_hash)
            ).rowcount
            if not changed and key is not None:
                connection.execute(
                    insert(passwords).values(user_id=key, password_hash=password_hash)
                )

    # Accounts.

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        accounts, users = self.schema.accounts, self.schema.users
        query = (
            self._user_query()
            .join(accounts, accounts.c.user_id == users.c.id)
            .where(
                accounts.c.provider == plain_str("provider", provider),
                accounts.c.provider_account_id
                == plain_str("providerAccountId", provider_account_id),
            )
        )
        return self._one_user(query)

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        provider = plain_str("provider", account.get("provider"))
        provider_account_id = plain_str("providerAccountId", account.get("providerAccountId"))
        key = self._user_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r} to link the account to")
        values: dict[str, Any] = {
            "user_id": key,
            "type": str(account.get("type", "oauth")),
            "provider": provider,
            "provider_account_id": provider_account_id,
        }
        for field in OAUTH_FIELDS:
            value = account.get(field)
            if value is not None:
                values[field] = int(value) if field == "expires_at" else str(value)
        try:
            with self._begin() as connection:
                connection.execute(insert(self.schema.accounts).values(**values))
        except IntegrityError as error:
            if self.get_user(user_id) is None:
                raise LookupError(f"no user {user_id!r} to link the account to") from error
            raise DuplicateAccount(provider, provider_account_id) from error

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any]
    ) -> None:
        sessions = self.schema.sessions
        token = plain_str("session_key", session_key)
        key = self._user_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r} to create a session for")
        now = _moment(time.time(), sessions.c.expires)
        with self._begin() as connection:
            if sessions.c.user_id.index:
                # The user's expired sessions go as a new one comes. Auth.js's tables have
                # no index on the user for this; there expired sessions go when read.
                self._delete_sessions(
                    connection, (sessions.c.user_id == key) & (sessions.c.expires <= now)
                )
            connection.execute(
                insert(sessions).values(
                    session_token=token,
                    user_id=key,
                    expires=_moment(expires, sessions.c.expires),
                )
            )
            connection.execute(
                insert(self.schema.session_data).values(
                    session_token=token, data=json.dumps(dict(data))
                )
            )

    def get_session(self, session_key: str) -> StoredSession | None:
        sessions, data, users = self.schema.sessions, self.schema.session_data, self.schema.users
        token = plain_str("session_key", session_key)
        query = (
            select(
                sessions.c.user_id,
                sessions.c.expires,
                data.c.data,
                users.c.name,
                users.c.email,
                users.c.image,
            )
            .select_from(
                sessions.outerjoin(
                    data, data.c.session_token == sessions.c.session_token
                ).outerjoin(users, users.c.id == sessions.c.user_id)
            )
            .where(sessions.c.session_token == token)
        )
        with self._read() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        # A session the JavaScript side made has no claims of ours: Auth.js builds a
        # database session from the user, and so do we.
        claims = (
            json.loads(row.data)
            if row.data is not None
            else {"name": row.name, "email": row.email, "picture": row.image}
        )
        return StoredSession(
            session_key=token,
            user_id=str(row.user_id),
            expires=_epoch(row.expires),
            data=claims,
        )

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        sessions = self.schema.sessions
        with self._begin() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.session_token == plain_str("session_key", session_key))
                .values(expires=_moment(expires, sessions.c.expires))
            )

    def delete_session(self, session_key: str) -> None:
        token = plain_str("session_key", session_key)
        with self._begin() as connection:
            self._delete_sessions(connection, self.schema.sessions.c.session_token == token)

    def delete_user_sessions(self, user_id: str) -> int:
        key = self._user_id(user_id)
        if key is None:
            return 0
        with self._begin() as connection:
            return self._delete_sessions(connection, self.schema.sessions.c.user_id == key)

    def _delete_sessions(self, connection: Connection, where: Any) -> int:
        """Sessions and their claims; explicit, for SQLite engines without foreign keys."""
        sessions, data = self.schema.sessions, self.schema.session_data
        tokens = select(sessions.c.session_token).where(where)
        connection.execute(delete(data).where(data.c.session_token.in_(tokens)))
        return int(connection.execute(delete(sessions).where(where)).rowcount)

    # JWT revocation.

    def revoke_user_sessions(self, user_id: str, at: int) -> None:
        revocations = self.schema.revocations
        user = plain_str("user_id", user_id)
        with self._begin() as connection:
            newer = revocations.c.revoked_at < int(at)
            changed = connection.execute(
                update(revocations)
                .where(revocations.c.user_id == user)
                .values(revoked_at=case((newer, int(at)), else_=revocations.c.revoked_at))
            ).rowcount
            if not changed:
                connection.execute(insert(revocations).values(user_id=user, revoked_at=int(at)))

    def sessions_revoked_at(self, user_id: str) -> int | None:
        revocations = self.schema.revocations
        query = select(revocations.c.revoked_at).where(
            revocations.c.user_id == plain_str("user_id", user_id)
        )
        with self._read() as connection:
            value = connection.execute(query).scalar()
        return None if value is None else int(value)

    # Verification tokens.

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None:
        table = self.schema.verification_tokens
        with self._begin() as connection:
            connection.execute(
                insert(table).values(
                    identifier=plain_str("identifier", identifier),
                    token=plain_str("token", token),
                    expires=_moment(expires, table.c.expires),
                )
            )

    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        table = self.schema.verification_tokens
        where = (table.c.identifier == plain_str("identifier", identifier)) & (
            table.c.token == plain_str("token", token)
        )
        with self._begin() as connection:
            if connection.dialect.delete_returning:
                row = connection.execute(
                    delete(table).where(where).returning(table.c.expires)
                ).first()
            else:
                # MySQL has no DELETE ... RETURNING: lock the row, read it, delete it.
                row = connection.execute(
                    select(table.c.expires).where(where).with_for_update()
                ).first()
                if row is not None:
                    connection.execute(delete(table).where(where))
        if row is None:
            return None
        return VerificationToken(identifier=identifier, token=token, expires=_epoch(row.expires))

    # Rate limiting.

    def count_attempts(self, keys: Sequence[str], since: float) -> dict[str, Attempts]:
        attempts = self.schema.attempts
        names = [plain_str("key", key) for key in keys]
        query = (
            select(attempts.c.key, func.count(), func.min(attempts.c.at))
            .where(attempts.c.key.in_(names), attempts.c.at > float(since))
            .group_by(attempts.c.key)
        )
        with self._read() as connection:
            rows = connection.execute(query).all()
        return {row[0]: Attempts(int(row[1]), float(row[2])) for row in rows}

    def record_attempt(self, keys: Sequence[str], at: float, expires: float) -> None:
        attempts = self.schema.attempts
        rows = [
            {"key": plain_str("key", key), "at": float(at), "expires": float(expires)}
            for key in keys
        ]
        with self._begin() as connection:
            if rows:
                connection.execute(insert(attempts), rows)
            connection.execute(delete(attempts).where(attempts.c.expires < float(at)))
