"""The SQL store's read queries, built once per adapter with bound parameters.

Building a SQLAlchemy statement costs more CPU than the database takes to answer an
indexed lookup; reads are the hot path (a session lookup per request with database
sessions, a user and a rate-limit read per sign-in), so each is built once and executed
with its parameters, and SQLAlchemy reuses the compiled form.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select

from .sql_schemas import SqlSchema


class Queries:
    def __init__(self, schema: SqlSchema) -> None:
        users, passwords, accounts = schema.users, schema.passwords, schema.accounts
        sessions, data, attempts = schema.sessions, schema.session_data, schema.attempts
        user = select(
            users.c.id, users.c.email, users.c.name, users.c.image, passwords.c.password_hash
        ).select_from(users.outerjoin(passwords, passwords.c.user_id == users.c.id))
        self.user_by_id: Any = user.where(users.c.id == bindparam("user_id"))
        self.user_by_email: Any = user.where(users.c.email == bindparam("email"))
        self.user_by_account: Any = user.join(accounts, accounts.c.user_id == users.c.id).where(
            accounts.c.provider == bindparam("provider"),
            accounts.c.provider_account_id == bindparam("provider_account_id"),
        )
        # The user's columns stand in for claims of sessions the JavaScript side made.
        self.session: Any = (
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
            .where(sessions.c.session_token == bindparam("token"))
        )
        self.revoked_at: Any = select(schema.revocations.c.revoked_at).where(
            schema.revocations.c.user_id == bindparam("user_id")
        )
        self.attempts: Any = (
            select(attempts.c.key, func.count(), func.min(attempts.c.at))
            .where(
                attempts.c.key.in_(bindparam("keys", expanding=True)),
                attempts.c.at > bindparam("since"),
            )
            .group_by(attempts.c.key)
        )
