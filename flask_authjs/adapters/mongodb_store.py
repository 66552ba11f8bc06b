"""What both MongoDB layouts share: the connection guard, lazy indexes, revocations and
rate-limit attempts (collections of our own, the same in either layout).

Every write is a single-document operation (or one ``insert_many`` of independent
attempts), so nothing is ever half-written. An unreachable server costs at most
``serverSelectionTimeoutMS`` and becomes :class:`StoreUnavailable`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, ExecutionTimeout, WTimeoutError

from .base import Attempts, StoreUnavailable, VerificationToken, plain_str

Document = dict[str, Any]
Index = tuple[str, list[tuple[str, int]], dict[str, Any]]

#: The indexes both layouts need (collection, keys, options).
SHARED_INDEXES: tuple[Index, ...] = (
    (
        "accounts",
        [("provider", ASCENDING), ("providerAccountId", ASCENDING)],
        {"unique": True, "name": "provider_account_unique"},
    ),
    ("accounts", [("userId", ASCENDING)], {"name": "user_id"}),
    (
        "verification_tokens",
        [("identifier", ASCENDING), ("token", ASCENDING)],
        {"unique": True, "name": "identifier_token_unique"},
    ),
    ("rate_limit_attempts", [("key", ASCENDING), ("at", ASCENDING)], {"name": "key_at"}),
    (
        "rate_limit_attempts",
        [("expiresAt", ASCENDING)],
        {"expireAfterSeconds": 0, "name": "expires_ttl"},
    ),
)

_UNAVAILABLE = (ConnectionFailure, ExecutionTimeout, WTimeoutError)


def bson_date(timestamp: float) -> datetime:
    """A BSON date (TTL indexes only understand dates; Auth.js stores times as dates)."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


def epoch(moment: datetime) -> int:
    """Epoch seconds of a BSON date; pymongo hands back naive UTC dates unless tz_aware."""
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


class MongoStore:
    """The machinery under both layouts; ``indexes`` is the layout's list."""

    indexes: tuple[Index, ...] = SHARED_INDEXES

    def __init__(self, database: Database[Document]) -> None:
        self.database = database
        self._indexes_ready = False
        self._indexes_lock = threading.Lock()

    def ensure_indexes(self) -> None:
        """Create the indexes (a no-op for those that exist); called before first use."""
        with self._guard():
            for collection, keys, options in self.indexes:
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

    # Verification tokens (the same documents but for the expiry, see ``expiry``).

    def expiry(self, expires: int) -> Document:
        """The fields that hold an expiry time in this layout."""
        raise NotImplementedError

    def expires_of(self, document: Document) -> int:
        raise NotImplementedError

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None:
        document = {
            "identifier": plain_str("identifier", identifier),
            "token": plain_str("token", token),
            **self.expiry(expires),
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
            expires=self.expires_of(document),
        )

    # JWT revocation.

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
            {"key": plain_str("key", key), "at": float(at), "expiresAt": bson_date(expires)}
            for key in keys
        ]
        self._run(lambda db: db.rate_limit_attempts.insert_many(documents, ordered=False))
