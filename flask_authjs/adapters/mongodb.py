"""The production store: MongoDB through pymongo, shared by every app server.

Uniqueness lives in indexes (normalised email; provider + providerAccountId; session
key), so two servers racing to create one user end with one user and one
``DuplicateKeyError``. TTL indexes let the server forget expired sessions, verification
tokens and rate-limit attempts (the TTL monitor runs about once a minute, so reads still
compare ``expires`` themselves). Indexes are created on first use, idempotently.

Every write is a single-document operation, so nothing is ever half-written. Rate
limits keep one document per key holding the window's attempts; an attempt is admitted
by one conditional update ("push, if the array has fewer than ``limit`` entries"), so
racing app servers can never admit more than the limit. An unreachable server costs at most
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
    ("rate_limits", [("expiresAt", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"}),
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
        change = {"$push": {"attempts": entry}, "$max": {"expiresAt": _moment(expires)}}
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
