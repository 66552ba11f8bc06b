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
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    case,
    delete,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

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
from .sql_engine import engine_for_url, epoch, moment, unavailable
from .sql_queries import Queries
from .sql_schemas import OAUTH_FIELDS, build
from .sql_shapes import shape_problems
from .sqlalchemy_factors import SQLAlchemyFactorsMixin

#: Idle rate-limit keys one reservation forgets: a bounded cost per request that still
#: outpaces the keys a flood of distinct accounts creates (one or two per reservation).
PRUNED_PER_RESERVATION = 100


class SQLAlchemyAdapter(SQLAlchemyFactorsMixin):
    def __init__(
        self, engine_or_url: Engine | str, *, schema: str = "flask-authjs", timeout: float = 5.0
    ) -> None:
        self.engine = (
            engine_for_url(engine_or_url, timeout=timeout)
            if isinstance(engine_or_url, str)
            else engine_or_url
        )
        self.schema = build(schema)
        self.queries = Queries(self.schema)
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
            if unavailable(error):
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

    def _begin(self) -> AbstractContextManager[Connection]:
        """One transaction: it commits when the block ends, or rolls back entirely."""
        return self._connection(self.engine.begin)

    def _read(self) -> AbstractContextManager[Connection]:
        """One read statement, without ``BEGIN``/``COMMIT`` round trips around it."""
        return self._connection(self._reader.connect)

    @contextmanager
    def _connection(
        self, open_: Callable[[], AbstractContextManager[Connection]]
    ) -> Iterator[Connection]:
        if not self._tables_checked:
            self._ensure_tables()
        with self._guard(), open_() as connection:
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

    def _one_user(self, query: Any, **parameters: object) -> User | None:
        with self._read() as connection:
            row = connection.execute(query, parameters).first()
        if row is None:
            return None
        return User(
            id=str(row.id),
            email=row.email,
            name=row.name,
            image=row.image,
            password_hash=row.password_hash,
            email_verified=None if row.email_verified is None else epoch(row.email_verified),
        )

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
        email_verified: int | None = None,
    ) -> User:
        users = self.schema.users
        values: dict[str, Any] = {"email": plain_str("email", email), "name": name, "image": image}
        if email_verified is not None:
            values["email_verified"] = moment(email_verified, users.c.email_verified)
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
            id=str(user_id),
            email=email,
            name=name,
            image=image,
            password_hash=password_hash,
            email_verified=email_verified,
        )

    def get_user(self, user_id: str) -> User | None:
        key = self._user_id(user_id)
        if key is None:
            return None
        return self._one_user(self.queries.user_by_id, user_id=key)

    def get_user_by_email(self, email: str) -> User | None:
        return self._one_user(self.queries.user_by_email, email=plain_str("email", email))

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        key = self._user_id(user_id)
        passwords = self.schema.passwords
        with self._begin() as connection:
            if password_hash is None:  # the account has no password any more
                connection.execute(delete(passwords).where(passwords.c.user_id == key))
                return
            changed = connection.execute(
                update(passwords)
                .where(passwords.c.user_id == key)
                .values(password_hash=password_hash)
            ).rowcount
            if not changed and key is not None:
                connection.execute(
                    insert(passwords).values(user_id=key, password_hash=password_hash)
                )

    def set_email_verified(self, user_id: str, at: int) -> None:
        key = self._user_id(user_id)
        users = self.schema.users
        with self._begin() as connection:
            connection.execute(
                update(users)
                .where(users.c.id == key)
                .values(email_verified=moment(at, users.c.email_verified))
            )

    # Accounts.

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        return self._one_user(
            self.queries.user_by_account,
            provider=plain_str("provider", provider),
            provider_account_id=plain_str("providerAccountId", provider_account_id),
        )

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
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any], *, now: int
    ) -> None:
        sessions = self.schema.sessions
        token = plain_str("session_key", session_key)
        key = self._user_id(user_id)
        missing = LookupError(
            f"no user {user_id!r} in the {self.schema.users.name!r} table to create a "
            "database session for: with an Auth.js schema preset, sessions belong to "
            "stored users (an authorize callback returning other users needs the "
            '"flask-authjs" schema, or JWT sessions)'
        )
        if key is None:
            raise missing
        expired_by = moment(now, sessions.c.expires)
        try:
            with self._begin() as connection:
                if sessions.c.user_id.index:
                    # The user's expired sessions go as a new one comes. Auth.js's tables
                    # have no index on the user for this; there they go when read.
                    self._delete_sessions(
                        connection, (sessions.c.user_id == key) & (sessions.c.expires <= expired_by)
                    )
                connection.execute(
                    insert(sessions).values(
                        session_token=token,
                        user_id=key,
                        expires=moment(expires, sessions.c.expires),
                    )
                )
                connection.execute(
                    insert(self.schema.session_data).values(
                        session_token=token, data=json.dumps(dict(data))
                    )
                )
        except IntegrityError as error:  # the users table's foreign key
            raise missing from error

    def get_session(self, session_key: str) -> StoredSession | None:
        token = plain_str("session_key", session_key)
        with self._read() as connection:
            row = connection.execute(self.queries.session, {"token": token}).first()
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
            expires=epoch(row.expires),
            data=claims,
        )

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        sessions = self.schema.sessions
        with self._begin() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.session_token == plain_str("session_key", session_key))
                .values(expires=moment(expires, sessions.c.expires))
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
        user = plain_str("user_id", user_id)
        with self._read() as connection:
            value = connection.execute(self.queries.revoked_at, {"user_id": user}).scalar()
        return None if value is None else int(value)

    # Verification tokens.

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None:
        table = self.schema.verification_tokens
        with self._begin() as connection:
            connection.execute(
                insert(table).values(
                    identifier=plain_str("identifier", identifier),
                    token=plain_str("token", token),
                    expires=moment(expires, table.c.expires),
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
        return VerificationToken(identifier=identifier, token=token, expires=epoch(row.expires))

    def delete_verification_tokens(self, identifier: str) -> int:
        table = self.schema.verification_tokens
        where = table.c.identifier == plain_str("identifier", identifier)
        with self._begin() as connection:
            return int(connection.execute(delete(table).where(where)).rowcount)

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
        # Sorted, and locked one statement per key: two reservations then lock shared
        # keys in one order and never deadlock (one UPDATE of several rows locks them in
        # whatever order its scan meets them, which differs between transactions).
        keys = sorted(plain_str("key", key) for key in limits)
        attempt_id = plain_str("attempt_id", attempt_id)
        if not keys:
            return {}
        attempts, locks = self.schema.attempts, self.schema.attempt_locks
        for _ in range(3):
            self._ensure_lock_rows(keys, at)
            with self._begin() as connection:
                touched = sum(
                    connection.execute(
                        update(locks).where(locks.c.key == key).values(touched=float(at))
                    ).rowcount
                    for key in keys
                )
                if touched != len(keys):  # pruned meanwhile: make them again
                    continue
                rows = connection.execute(
                    self.queries.attempts, {"keys": keys, "since": float(since)}
                ).all()
                full = {
                    row[0]: Attempts(int(row[1]), float(row[2]))
                    for row in rows
                    if int(row[1]) >= limits[row[0]]
                }
                if not full:
                    connection.execute(
                        insert(attempts),
                        [
                            {
                                "key": key,
                                "at": float(at),
                                "expires": float(expires),
                                "id": attempt_id,
                            }
                            for key in keys
                        ],
                    )
                    # Our keys' old attempts: their lock rows are ours, no one else's.
                    connection.execute(
                        delete(attempts).where(
                            attempts.c.key.in_(keys), attempts.c.expires < float(at)
                        )
                    )
                    self._prune_idle_keys(connection, since)
                return full
        raise StoreUnavailable("SQL store: rate-limit keys kept vanishing")

    def _prune_idle_keys(self, connection: Connection, since: float) -> None:
        """Forget keys no one has tried since ``since``: their lock rows and attempts.

        Only rows no other transaction holds (``SKIP LOCKED``; SQLite has one writer at a
        time anyway): waiting here, while holding our own keys' rows, for a row another
        reservation holds while it waits for one of ours would be a deadlock.
        """
        locks, attempts = self.schema.attempt_locks, self.schema.attempts
        idle = list(
            connection.execute(
                select(locks.c.key)
                .where(locks.c.touched < float(since))
                .limit(PRUNED_PER_RESERVATION)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if idle:
            connection.execute(
                delete(attempts).where(attempts.c.key.in_(idle), attempts.c.at <= float(since))
            )
            connection.execute(delete(locks).where(locks.c.key.in_(idle)))

    def _ensure_lock_rows(self, keys: Sequence[str], at: float) -> None:
        """The lock row of every key; a concurrent insert of the same row is fine."""
        locks = self.schema.attempt_locks
        with self._read() as connection:
            present = set(
                connection.execute(select(locks.c.key).where(locks.c.key.in_(keys))).scalars()
            )
        for key in keys:
            if key in present:
                continue
            try:
                with self._begin() as connection:
                    connection.execute(insert(locks).values(key=key, touched=float(at)))
            except IntegrityError:
                pass

    def release_attempt(self, keys: Sequence[str], attempt_id: str) -> None:
        names = [plain_str("key", key) for key in keys]
        if not names:
            return
        attempts = self.schema.attempts
        with self._begin() as connection:
            connection.execute(
                delete(attempts).where(
                    attempts.c.id == plain_str("attempt_id", attempt_id),
                    attempts.c.key.in_(names),
                )
            )
