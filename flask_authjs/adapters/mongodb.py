"""The production store: MongoDB through pymongo, shared by every app server.

Uniqueness lives in indexes (normalised email; provider + providerAccountId; session
key), so two servers racing to create one user end with one user and one
``DuplicateKeyError``. TTL indexes let the server forget expired sessions, verification
tokens and rate-limit attempts (the TTL monitor runs about once a minute, so reads still
compare ``expires`` themselves). Indexes are created on first use, idempotently.

Every write is a single-document operation (or one ``insert_many`` of independent
attempts), so nothing is ever half-written. An unreachable server costs at most
``serverSelectionTimeoutMS`` and becomes :class:`StoreUnavailable`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ExecutionTimeout, WTimeoutError

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
from .mongodb_factors import INDEXES as FACTORS_INDEXES
from .mongodb_factors import MongoDBFactorsMixin

Document = dict[str, Any]

#: (collection, keys, options): every index the adapter relies on.
INDEXES: tuple[tuple[str, list[tuple[str, int]], dict[str, Any]], ...] = (
    ("users", [("email", ASCENDING)], {"unique": True, "name": "email_unique"}),
    (
        "accounts",
        [("provider", ASCENDING), ("providerAccountId", ASCENDING)],
        {"unique": True, "name": "provider_account_unique"},
    ),
    ("accounts", [("userId", ASCENDING)], {"name": "user_id"}),
    ("sessions", [("sessionKey", ASCENDING)], {"unique": True, "name": "session_key_unique"}),
    ("sessions", [("userId", ASCENDING)], {"name": "user_id"}),
    ("sessions", [("expiresAt", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"}),
    (
        "verification_tokens",
        [("identifier", ASCENDING), ("token", ASCENDING)],
        {"unique": True, "name": "identifier_token_unique"},
    ),
    (
        "verification_tokens",
        [("expiresAt", ASCENDING)],
        {"expireAfterSeconds": 0, "name": "expires_ttl"},
    ),
    ("rate_limit_attempts", [("key", ASCENDING), ("at", ASCENDING)], {"name": "key_at"}),
    (
        "rate_limit_attempts",
        [("expiresAt", ASCENDING)],
        {"expireAfterSeconds": 0, "name": "expires_ttl"},
    ),
    *FACTORS_INDEXES,
)

_UNAVAILABLE = (ConnectionFailure, ExecutionTimeout, WTimeoutError)


def _moment(timestamp: float) -> datetime:
    """A BSON date for the TTL monitor (TTL indexes only understand dates)."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _user(document: Document | None) -> User | None:
    if document is None:
        return None
    return User(
        id=document["_id"],
        email=document["email"],
        name=document.get("name"),
        image=document.get("image"),
        password_hash=document.get("passwordHash"),
    )


class MongoDBAdapter(MongoDBFactorsMixin):
    """``MongoDBAdapter(MongoClient(url, serverSelectionTimeoutMS=2000)["dbname"])``."""

    def __init__(self, database: Database[Document]) -> None:
        self.database = database
        self._indexes_ready = False
        self._indexes_lock = threading.Lock()

    def ensure_indexes(self) -> None:
        """Create the indexes (a no-op for those that exist); called before first use."""
        with self._guard():
            for collection, keys, options in INDEXES:
                self.database[collection].create_index(keys, **options)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as error:
            raise StoreUnavailable(f"MongoDB store: {type(error).__name__}: {error}") from error

    def _run(self, operation: Callable[[Database[Document]], Any]) -> Any:
        if not self._indexes_ready:
            with self._indexes_lock:
                if not self._indexes_ready:
                    self.ensure_indexes()
                    self._indexes_ready = True
        with self._guard():
            return operation(self.database)

    # Users.

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        document = {
            "_id": uuid.uuid4().hex,
            "email": plain_str("email", email),
            "name": name,
            "image": image,
            "passwordHash": password_hash,
        }
        try:
            self._run(lambda db: db.users.insert_one(document))
        except DuplicateKeyError as error:
            raise DuplicateEmail(email) from error
        user = _user(document)
        assert user is not None
        return user

    def get_user(self, user_id: str) -> User | None:
        query = {"_id": plain_str("user_id", user_id)}
        return _user(self._run(lambda db: db.users.find_one(query)))

    def get_user_by_email(self, email: str) -> User | None:
        query = {"email": plain_str("email", email)}
        return _user(self._run(lambda db: db.users.find_one(query)))

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        self._run(lambda db: db.users.update_one(query, {"$set": {"passwordHash": password_hash}}))

    # Accounts.

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        query = {
            "provider": plain_str("provider", provider),
            "providerAccountId": plain_str("providerAccountId", provider_account_id),
        }
        account = self._run(lambda db: db.accounts.find_one(query, {"userId": 1}))
        return None if account is None else self.get_user(account["userId"])

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        provider = plain_str("provider", account.get("provider"))
        provider_account_id = plain_str("providerAccountId", account.get("providerAccountId"))
        document = {
            **account,
            "_id": uuid.uuid4().hex,
            "userId": plain_str("user_id", user_id),
            "provider": provider,
            "providerAccountId": provider_account_id,
        }
        try:
            self._run(lambda db: db.accounts.insert_one(document))
        except DuplicateKeyError as error:
            raise DuplicateAccount(provider, provider_account_id) from error

    def list_accounts(self, user_id: str) -> list[dict[str, Any]]:
        return self._list_accounts({"userId": plain_str("user_id", user_id)})

    def _list_accounts(self, query: Document) -> list[dict[str, Any]]:
        fields = {"provider": 1, "providerAccountId": 1, "type": 1, "_id": 0}
        documents = self._run(lambda db: list(db.accounts.find(query, fields)))
        return [{k: d.get(k) for k in ("provider", "providerAccountId", "type")} for d in documents]

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any]
    ) -> None:
        document = {
            "sessionKey": plain_str("session_key", session_key),
            "userId": plain_str("user_id", user_id),
            "expires": int(expires),
            "expiresAt": _moment(expires),
            "data": dict(data),
        }
        self._run(lambda db: db.sessions.insert_one(document))

    def get_session(self, session_key: str) -> StoredSession | None:
        query = {"sessionKey": plain_str("session_key", session_key)}
        document = self._run(lambda db: db.sessions.find_one(query))
        if document is None:
            return None
        return StoredSession(
            session_key=document["sessionKey"],
            user_id=document["userId"],
            expires=int(document["expires"]),
            data=dict(document["data"]),
        )

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        query = {"sessionKey": plain_str("session_key", session_key)}
        change = {"$set": {"expires": int(expires), "expiresAt": _moment(expires)}}
        self._run(lambda db: db.sessions.update_one(query, change))

    def delete_session(self, session_key: str) -> None:
        query = {"sessionKey": plain_str("session_key", session_key)}
        self._run(lambda db: db.sessions.delete_one(query))

    def delete_user_sessions(self, user_id: str) -> int:
        query = {"userId": plain_str("user_id", user_id)}
        result = self._run(lambda db: db.sessions.delete_many(query))
        return int(result.deleted_count)

    def revoke_user_sessions(self, user_id: str, at: int) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        self._run(
            lambda db: db.session_revocations.find_one_and_update(
                query,
                {"$max": {"revokedAt": int(at)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        )

    def sessions_revoked_at(self, user_id: str) -> int | None:
        query = {"_id": plain_str("user_id", user_id)}
        document = self._run(lambda db: db.session_revocations.find_one(query))
        return None if document is None else int(document["revokedAt"])

    # Verification tokens.

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None:
        document = {
            "identifier": plain_str("identifier", identifier),
            "token": plain_str("token", token),
            "expires": int(expires),
            "expiresAt": _moment(expires),
        }
        self._run(lambda db: db.verification_tokens.insert_one(document))

    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        query = {
            "identifier": plain_str("identifier", identifier),
            "token": plain_str("token", token),
        }
        document = self._run(lambda db: db.verification_tokens.find_one_and_delete(query))
        if document is None:
            return None
        return VerificationToken(
            identifier=document["identifier"],
            token=document["token"],
            expires=int(document["expires"]),
        )

    # Rate limiting.

    def count_attempts(self, keys: Sequence[str], since: float) -> dict[str, Attempts]:
        match = {"key": {"$in": [plain_str("key", key) for key in keys]}, "at": {"$gt": since}}
        pipeline: list[Document] = [
            {"$match": match},
            {"$group": {"_id": "$key", "count": {"$sum": 1}, "oldest": {"$min": "$at"}}},
        ]
        rows = self._run(lambda db: list(db.rate_limit_attempts.aggregate(pipeline)))
        return {row["_id"]: Attempts(int(row["count"]), float(row["oldest"])) for row in rows}

    def record_attempt(self, keys: Sequence[str], at: float, expires: float) -> None:
        documents = [
            {"key": plain_str("key", key), "at": float(at), "expiresAt": _moment(expires)}
            for key in keys
        ]
        self._run(lambda db: db.rate_limit_attempts.insert_many(documents, ordered=False))
