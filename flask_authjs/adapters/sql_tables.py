"""The parts every SQL schema preset shares: the schema record, our own tables, id makers.

Our own tables (``authjs_passwords``, ``authjs_session_data``, ``authjs_session_revocations``,
``authjs_rate_limit_attempts``, and the passkey and two-factor tables of
:mod:`.sqlalchemy_factors`) are the same in every preset: they hold what Auth.js has no
column for, beside its tables, where the JavaScript side never reads them.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

#: OAuth token fields, spelled in snake_case by every Auth.js schema.
OAUTH_FIELDS = (
    "refresh_token",
    "access_token",
    "expires_at",
    "id_token",
    "scope",
    "session_state",
    "token_type",
)


@dataclass(frozen=True)
class SqlSchema:
    """The tables of one preset, plus how it makes user ids (``None``: the database does)."""

    name: str
    metadata: MetaData
    users: Table
    accounts: Table
    sessions: Table
    verification_tokens: Table
    passwords: Table
    session_data: Table
    revocations: Table
    attempts: Table
    attempt_locks: Table
    #: Passkeys, TOTP secrets, recovery codes (:mod:`.sqlalchemy_factors`).
    authenticators: Table
    two_factors: Table
    recovery_codes: Table
    new_user_id: Callable[[], str] | None

    @property
    def integer_ids(self) -> bool:
        return self.new_user_id is None


def uuid_hex() -> str:
    return uuid.uuid4().hex


def uuid_text() -> str:
    return str(uuid.uuid4())


_BASE36 = string.digits + string.ascii_lowercase


def cuid() -> str:
    """A cuid-shaped id (``c`` + 24 base-36 characters), as Prisma's ``@default(cuid())``."""
    return "c" + "".join(secrets.choice(_BASE36) for _ in range(24))


def utcnow() -> datetime:
    """Prisma's ``@default(now())``/``@updatedAt`` values: UTC, without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def oauth_columns(expires_at: TypeEngine[int]) -> list[Column[object]]:
    return [Column(field, expires_at if field == "expires_at" else Text) for field in OAUTH_FIELDS]


def _own_tables(
    metadata: MetaData, users: Table, sessions: Table, id_type: TypeEngine[Any]
) -> tuple[Table, Table, Table, Table, Table]:
    """Our tables beside the shared ones; the JavaScript side ignores them."""
    passwords = Table(
        "authjs_passwords",
        metadata,
        Column(
            "user_id",
            id_type,
            ForeignKey(users.c.id, ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("password_hash", Text, nullable=False),
    )
    session_data = Table(
        "authjs_session_data",
        metadata,
        Column(
            "session_token",
            sessions.c.session_token.type,
            ForeignKey(sessions.c.session_token, ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("data", Text, nullable=False),
    )
    revocations = Table(
        "authjs_session_revocations",
        metadata,
        Column("user_id", String(255), primary_key=True),
        Column("revoked_at", BigInteger, nullable=False),
    )
    attempts = Table(
        "authjs_rate_limit_attempts",
        metadata,
        Column("key", String(64), nullable=False),
        # Double, not Float: MySQL's FLOAT is single precision, too coarse for epoch seconds.
        Column("at", Double, nullable=False),
        Column("expires", Double, nullable=False),
        #: The reservation that wrote it, so a successful sign-in can take it back.
        Column("id", String(64)),
        Index("authjs_rate_limit_attempts_key_at", "key", "at"),
        Index("authjs_rate_limit_attempts_expires", "expires"),
    )
    # One row per rate-limit key, written first in every reservation of that key: the row
    # lock (PostgreSQL, MySQL) or the write lock (SQLite) it takes makes "count, then add"
    # one step, so racing app servers cannot admit more attempts than the limit.
    attempt_locks = Table(
        "authjs_rate_limit_keys",
        metadata,
        Column("key", String(64), primary_key=True),
        Column("touched", Double, nullable=False),
        Index("authjs_rate_limit_keys_touched", "touched"),
    )
    return passwords, session_data, revocations, attempts, attempt_locks


def factor_tables(
    metadata: MetaData, users: Table, id_type: TypeEngine[Any]
) -> tuple[Table, Table, Table]:
    """The three tables, for a preset whose users table is ``users``."""
    authenticators = Table(
        "authjs_authenticators",
        metadata,
        Column("credential_id", Text, primary_key=True),
        Column("user_id", id_type, ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
        Column("public_key", Text, nullable=False),
        Column("counter", BigInteger, nullable=False),
        Column("transports", Text, nullable=False),
        Column("device_type", Text, nullable=False),
        Column("backed_up", Boolean, nullable=False),
        Column("name", Text, nullable=False),
        Column("created_at", BigInteger, nullable=False),
        Column("last_used_at", BigInteger),
        Index("authjs_authenticators_user_id", "user_id"),
    )
    two_factors = Table(
        "authjs_two_factors",
        metadata,
        Column("user_id", id_type, ForeignKey(users.c.id, ondelete="CASCADE"), primary_key=True),
        Column("secret", Text, nullable=False),
        Column("enabled", Boolean, nullable=False),
        Column("last_step", BigInteger, nullable=False),
    )
    recovery_codes = Table(
        "authjs_recovery_codes",
        metadata,
        Column("user_id", id_type, ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
        Column("code_hash", Text, nullable=False),
        PrimaryKeyConstraint("user_id", "code_hash"),
    )
    return authenticators, two_factors, recovery_codes


def schema_of(
    name: str,
    metadata: MetaData,
    tables: tuple[Table, Table, Table, Table],
    id_type: TypeEngine[Any],
    new_user_id: Callable[[], str] | None,
) -> SqlSchema:
    users, _, sessions, _ = tables
    own = _own_tables(metadata, users, sessions, id_type)
    factors = factor_tables(metadata, users, id_type)
    return SqlSchema(name, metadata, *tables, *own, *factors, new_user_id=new_user_id)
