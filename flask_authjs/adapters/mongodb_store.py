"""What both MongoDB layouts share: the connection guard, lazy indexes, revocations and
rate-limit attempts (collections of our own, the same in either layout).

Every write is a single-document operation, so nothing is ever half-written. Rate
limits keep one document per key holding the window's attempts; an attempt is admitted
by one conditional update ("push, if the array has fewer than ``limit`` entries"), so
racing app servers can never admit more than the limit. An unreachable server costs at most
``serverSelectionTimeoutMS`` and becomes :class:`StoreUnavailable`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ExecutionTimeout, WTimeoutError

from .base import Attempts, StoreUnavailable, VerificationToken, plain_str
from .mongodb_factors import INDEXES as FACTOR_INDEXES
from .mongodb_factors import MongoDBFactorsMixin

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
    ("rate_limits", [("expiresAt", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"}),
    *FACTOR_INDEXES,
)

_UNAVAILABLE = (ConnectionFailure, ExecutionTimeout, WTimeoutError)


def bson_date(timestamp: float) -> datetime:
    """A BSON date (TTL indexes only understand dates; Auth.js stores times as dates)."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


def epoch(moment: datetime) -> int:
    """Epoch seconds of a BSON date; pymongo hands back naive UTC dates unless tz_aware."""
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


class MongoStore(MongoDBFactorsMixin):
    """The machinery under both layouts; ``indexes`` is the layout's list."""

    indexes: tuple[Index, ...] = SHARED_INDEXES

    def __init__(self, database: Database[Document]) -> None:
        self.database = database
        self._indexes_ready = False
        self._indexes_lock = threading.Lock()

    def _list_accounts(self, query: Document) -> list[dict[str, Any]]:
        fields = {"provider": 1, "providerAccountId": 1, "type": 1, "_id": 0}
        documents = self._run(lambda db: list(db.accounts.find(query, fields)))
        return [{k: d.get(k) for k in ("provider", "providerAccountId", "type")} for d in documents]

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

    def delete_verification_tokens(self, identifier: str) -> int:
        query = {"identifier": plain_str("identifier", identifier)}
        result = self._run(lambda db: db.verification_tokens.delete_many(query))
        return int(result.deleted_count)

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
        entry = {"id": plain_str("attempt_id", attempt_id), "at": float(at)}
        taken: list[str] = []
        for key in keys:
            if not self._admit(key, limits[key], entry, since, expires):
                if taken:
                    self.release_attempt(taken, attempt_id)
                return self._full(key, limits, since)
            taken.append(key)
        return {}

    def _admit(self, key: str, limit: int, entry: Document, since: float, expires: float) -> bool:
        """One atomic update: push ``entry`` if the key has fewer than ``limit`` attempts."""
        self._run(
            lambda db: db.rate_limits.update_one(
                {"_id": key}, {"$pull": {"attempts": {"at": {"$lte": float(since)}}}}
            )
        )
        below_limit = {"_id": key, f"attempts.{limit - 1}": {"$exists": False}}
        change = {"$push": {"attempts": entry}, "$max": {"expiresAt": bson_date(expires)}}
        try:
            self._run(lambda db: db.rate_limits.update_one(below_limit, change, upsert=True))
        except DuplicateKeyError:
            # Full (the upsert tried to insert a second document), or created a moment ago
            # by a concurrent request: then the conditional update alone decides.
            result = self._run(lambda db: db.rate_limits.update_one(below_limit, change))
            return bool(result.modified_count)
        return True

    def _full(self, refused: str, limits: Mapping[str, int], since: float) -> dict[str, Attempts]:
        query = {"_id": {"$in": list(limits)}}
        full: dict[str, Attempts] = {}
        for document in self._run(lambda db: list(db.rate_limits.find(query))):
            times = [a["at"] for a in document.get("attempts", []) if a["at"] > since]
            if len(times) >= limits[document["_id"]]:
                full[document["_id"]] = Attempts(len(times), min(times))
        # A concurrent release may have freed a place since: try again in a second.
        return full or {refused: Attempts(limits[refused], float(since))}

    def release_attempt(self, keys: Sequence[str], attempt_id: str) -> None:
        query = {"_id": {"$in": [plain_str("key", key) for key in keys]}}
        change = {"$pull": {"attempts": {"id": plain_str("attempt_id", attempt_id)}}}
        self._run(lambda db: db.rate_limits.update_many(query, change))
