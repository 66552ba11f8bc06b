"""The table layouts the SQLAlchemy adapter speaks: Auth.js's adapters' and one of our own.

A Flask app and a Next.js app can share one database only if both read and write the same
tables, so the presets repeat the Auth.js adapters' schemas exactly (table and column
names, quoting, id types, timestamp types, constraints):

- ``"authjs-pg"``: ``@auth/pg-adapter``'s ``users``, ``accounts``, ``sessions``,
  ``verification_token``; ``SERIAL`` integer ids, ``TIMESTAMPTZ`` times.
- ``"prisma"``: the Prisma adapter's ``User``, ``Account``, ``Session``,
  ``VerificationToken`` (PostgreSQL flavour: cuid text ids, ``TIMESTAMP(3)`` in UTC,
  ``createdAt``/``updatedAt``, Prisma's constraint names).
- ``"drizzle"``: the Drizzle adapter's ``user``, ``account``, ``session``,
  ``verificationToken`` (PostgreSQL flavour: uuid text ids, ``timestamp`` in UTC).
- ``"flask-authjs"`` (the default): the same model under ``authjs_*`` names, so it never
  collides with an application's own ``users`` table.

Every column has a logical ``key`` (``email_verified``, ``provider_account_id``...) whatever
its spelling, so the adapter's queries are one code path for all presets. What Auth.js has
no column for lives in tables of our own that the JavaScript side never reads: password
hashes (``@auth/pg-adapter`` reads users with ``select *``, so a hash in ``users`` would
reach the Next.js app), session claims, revocations and rate-limit attempts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from .sql_tables import OAUTH_FIELDS as OAUTH_FIELDS
from .sql_tables import SqlSchema as SqlSchema
from .sql_tables import cuid, oauth_columns, schema_of, utcnow, uuid_hex, uuid_text

PRESETS = ("flask-authjs", "authjs-pg", "prisma", "drizzle")


def build(name: str) -> SqlSchema:
    """The tables of preset ``name`` (one of :data:`PRESETS`) in a fresh ``MetaData``."""
    if name == "authjs-pg":
        return _authjs_pg()
    if name == "prisma":
        return _prisma()
    if name == "drizzle":
        return _drizzle()
    if name == "flask-authjs":
        return _flask_authjs()
    raise ValueError(f"unknown schema {name!r}; use one of {PRESETS}")


def _authjs_pg() -> SqlSchema:
    """``packages/adapter-pg/schema.sql`` of nextauthjs/next-auth."""
    metadata = MetaData()
    stamp = DateTime(timezone=True)
    users = Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(255)),
        Column("email", String(255), unique=True),
        Column("emailVerified", stamp, key="email_verified"),
        Column("image", Text),
    )
    accounts = Table(
        "accounts",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "userId",
            Integer,
            ForeignKey(users.c.id, ondelete="CASCADE"),
            nullable=False,
            key="user_id",
        ),
        Column("type", String(255), nullable=False),
        Column("provider", String(255), nullable=False),
        Column("providerAccountId", String(255), nullable=False, key="provider_account_id"),
        *oauth_columns(BigInteger()),
        UniqueConstraint("provider", "provider_account_id"),
    )
    sessions = Table(
        "sessions",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "userId",
            Integer,
            ForeignKey(users.c.id, ondelete="CASCADE"),
            nullable=False,
            key="user_id",
        ),
        Column("expires", stamp, nullable=False),
        Column("sessionToken", String(255), unique=True, nullable=False, key="session_token"),
    )
    verification_tokens = Table(
        "verification_token",
        metadata,
        Column("identifier", Text, nullable=False),
        Column("expires", stamp, nullable=False),
        Column("token", Text, nullable=False),
        PrimaryKeyConstraint("identifier", "token"),
    )
    return schema_of(
        "authjs-pg", metadata, (users, accounts, sessions, verification_tokens), Integer(), None
    )


def _prisma_stamp() -> TypeEngine[datetime]:
    """Prisma's ``DateTime`` on PostgreSQL: ``TIMESTAMP(3)``, UTC without a zone."""
    return DateTime().with_variant(postgresql.TIMESTAMP(precision=3), "postgresql")


def _prisma_audit() -> list[Column[datetime]]:
    return [
        Column(
            "createdAt",
            _prisma_stamp(),
            nullable=False,
            default=utcnow,
            server_default=text("CURRENT_TIMESTAMP"),
            key="created_at",
        ),
        Column(
            "updatedAt",
            _prisma_stamp(),
            nullable=False,
            default=utcnow,
            onupdate=utcnow,
            key="updated_at",
        ),
    ]


def _prisma() -> SqlSchema:
    """The Prisma adapter's models (``docs/.../adapters/prisma.mdx``, PostgreSQL)."""
    metadata = MetaData()
    users = Table(
        "User",
        metadata,
        Column("id", Text, nullable=False),
        Column("name", Text),
        Column("email", Text, nullable=False),
        Column("emailVerified", _prisma_stamp(), key="email_verified"),
        Column("image", Text),
        *_prisma_audit(),
        PrimaryKeyConstraint("id", name="User_pkey"),
        Index("User_email_key", "email", unique=True),
    )
    accounts = Table(
        "Account",
        metadata,
        Column("userId", Text, nullable=False, key="user_id"),
        Column("type", Text, nullable=False),
        Column("provider", Text, nullable=False),
        Column("providerAccountId", Text, nullable=False, key="provider_account_id"),
        *oauth_columns(Integer()),
        *_prisma_audit(),
        PrimaryKeyConstraint("provider", "provider_account_id", name="Account_pkey"),
    )
    accounts.append_constraint(_prisma_fk(accounts, users, "Account_userId_fkey"))
    sessions = Table(
        "Session",
        metadata,
        Column("sessionToken", Text, nullable=False, key="session_token"),
        Column("userId", Text, nullable=False, key="user_id"),
        Column("expires", _prisma_stamp(), nullable=False),
        *_prisma_audit(),
        Index("Session_sessionToken_key", "session_token", unique=True),
    )
    sessions.append_constraint(_prisma_fk(sessions, users, "Session_userId_fkey"))
    verification_tokens = Table(
        "VerificationToken",
        metadata,
        Column("identifier", Text, nullable=False),
        Column("token", Text, nullable=False),
        Column("expires", _prisma_stamp(), nullable=False),
        PrimaryKeyConstraint("identifier", "token", name="VerificationToken_pkey"),
    )
    authenticators = _authenticators("Authenticator", metadata, users, Text)
    authenticators.append_constraint(
        PrimaryKeyConstraint("user_id", "credential_id", name="Authenticator_pkey")
    )
    authenticators.append_constraint(
        Index("Authenticator_credentialID_key", "credential_id", unique=True)
    )
    authenticators.append_constraint(_prisma_fk(authenticators, users, "Authenticator_userId_fkey"))
    return schema_of(
        "prisma", metadata, (users, accounts, sessions, verification_tokens), Text(), cuid
    )


def _authenticators(name: str, metadata: MetaData, users: Table, text_type: type[Text]) -> Table:
    """Auth.js's optional WebAuthn table (Prisma and Drizzle ship it), created so the
    JavaScript side finds its whole schema; flask-authjs keeps its own passkeys apart."""
    return Table(
        name,
        metadata,
        Column("credentialID", text_type, nullable=False, key="credential_id"),
        Column("userId", text_type, nullable=False, key="user_id"),
        Column("providerAccountId", text_type, nullable=False, key="provider_account_id"),
        Column("credentialPublicKey", text_type, nullable=False, key="credential_public_key"),
        Column("counter", Integer, nullable=False),
        Column("credentialDeviceType", text_type, nullable=False, key="credential_device_type"),
        Column("credentialBackedUp", Boolean, nullable=False, key="credential_backed_up"),
        Column("transports", text_type),
    )


def _prisma_fk(table: Table, users: Table, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        [table.c.user_id], [users.c.id], name=name, ondelete="CASCADE", onupdate="CASCADE"
    )


def _drizzle() -> SqlSchema:
    """The Drizzle adapter's tables (``docs/.../adapters/drizzle.mdx``, PostgreSQL)."""
    metadata = MetaData()
    users = Table(
        "user",
        metadata,
        Column("id", Text, primary_key=True),
        Column("name", Text),
        Column("email", Text, unique=True),
        Column("emailVerified", DateTime(), key="email_verified"),
        Column("image", Text),
    )
    accounts = Table(
        "account",
        metadata,
        Column(
            "userId",
            Text,
            ForeignKey(users.c.id, ondelete="CASCADE"),
            nullable=False,
            key="user_id",
        ),
        Column("type", Text, nullable=False),
        Column("provider", Text, nullable=False),
        Column("providerAccountId", Text, nullable=False, key="provider_account_id"),
        *oauth_columns(Integer()),
        PrimaryKeyConstraint("provider", "provider_account_id"),
    )
    sessions = Table(
        "session",
        metadata,
        Column("sessionToken", Text, primary_key=True, key="session_token"),
        Column(
            "userId",
            Text,
            ForeignKey(users.c.id, ondelete="CASCADE"),
            nullable=False,
            key="user_id",
        ),
        Column("expires", DateTime(), nullable=False),
    )
    verification_tokens = Table(
        "verificationToken",
        metadata,
        Column("identifier", Text, nullable=False),
        Column("token", Text, nullable=False),
        Column("expires", DateTime(), nullable=False),
        PrimaryKeyConstraint("identifier", "token"),
    )
    authenticators = _authenticators("authenticator", metadata, users, Text)
    authenticators.append_constraint(PrimaryKeyConstraint("user_id", "credential_id"))
    authenticators.append_constraint(UniqueConstraint("credential_id"))
    authenticators.append_constraint(
        ForeignKeyConstraint([authenticators.c.user_id], [users.c.id], ondelete="CASCADE")
    )
    return schema_of(
        "drizzle", metadata, (users, accounts, sessions, verification_tokens), Text(), uuid_text
    )


def _flask_authjs() -> SqlSchema:
    """Our own spelling of the same model: snake_case, ``authjs_`` names, uuid hex ids."""
    metadata = MetaData()
    stamp = DateTime(timezone=True)
    users = Table(
        "authjs_users",
        metadata,
        Column("id", String(32), primary_key=True),
        Column("name", Text),
        Column("email", String(320), unique=True, nullable=False),
        Column("email_verified", stamp),
        Column("image", Text),
    )
    accounts = Table(
        "authjs_accounts",
        metadata,
        Column(
            "user_id",
            String(32),
            ForeignKey(users.c.id, ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("type", String(32), nullable=False),
        Column("provider", String(255), nullable=False),
        Column("provider_account_id", String(255), nullable=False),
        *oauth_columns(BigInteger()),
        PrimaryKeyConstraint("provider", "provider_account_id"),
    )
    sessions = Table(
        "authjs_sessions",
        metadata,
        Column("session_token", String(255), primary_key=True),
        # No foreign key, unlike the Auth.js schemas: a credentials ``authorize`` callback
        # may sign in users the store never saw, as with the SQLite store.
        Column("user_id", String(255), nullable=False, index=True),
        Column("expires", stamp, nullable=False, index=True),
    )
    verification_tokens = Table(
        "authjs_verification_tokens",
        metadata,
        Column("identifier", String(320), nullable=False),
        Column("token", String(255), nullable=False),
        Column("expires", stamp, nullable=False),
        PrimaryKeyConstraint("identifier", "token"),
    )
    return schema_of(
        "flask-authjs",
        metadata,
        (users, accounts, sessions, verification_tokens),
        String(32),
        uuid_hex,
    )
