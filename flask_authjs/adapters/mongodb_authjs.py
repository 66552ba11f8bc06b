"""MongoDB in ``@auth/mongodb-adapter``'s documents, so a Next.js app can share the database.

Auth.js keeps ``_id`` and ``userId`` as ObjectIds, times as Dates, the raw
``sessionToken``, and the account dict as given (OAuth fields in snake_case), in the
collections ``users``, ``accounts``, ``sessions`` and ``verification_tokens``. This
adapter reads and writes exactly those. What Auth.js has no field for stays out of its
documents: password hashes live in ``authjs_passwords`` (the Node adapter returns whole
user documents to the app), revocations and rate-limit attempts in the collections the
default layout uses. Session claims ride in the session document's ``data`` field, which
the Node adapter carries along without reading.

User ids travel as the ObjectId's 24 hex digits; anything else names no user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from .base import (
    DuplicateAccount,
    DuplicateEmail,
    StoredSession,
    User,
    plain_str,
)
from .mongodb_store import SHARED_INDEXES, Document, Index, MongoStore, bson_date, epoch

_STRING = {"$type": "string"}

#: The layout's indexes, beside the shared ones.
AUTHJS_INDEXES: tuple[Index, ...] = (
    # Auth.js users may have no email: only real strings are unique.
    (
        "users",
        [("email", ASCENDING)],
        {"unique": True, "name": "email_unique", "partialFilterExpression": {"email": _STRING}},
    ),
    ("sessions", [("sessionToken", ASCENDING)], {"unique": True, "name": "session_token_unique"}),
    ("sessions", [("userId", ASCENDING)], {"name": "user_id"}),
    ("sessions", [("expires", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"}),
    (
        "verification_tokens",
        [("expires", ASCENDING)],
        {"expireAfterSeconds": 0, "name": "expires_ttl"},
    ),
    *SHARED_INDEXES,
)


def object_id(value: object) -> ObjectId | None:
    """The ObjectId a user id names, or ``None``."""
    text = plain_str("user_id", value)
    return ObjectId(text) if ObjectId.is_valid(text) and len(text) == 24 else None


class AuthjsMongoDBAdapter(MongoStore):
    """What ``MongoDBAdapter(database, schema="authjs")`` returns."""

    indexes = AUTHJS_INDEXES
    schema = "authjs"

    def _user(self, document: Document | None) -> User | None:
        if document is None:
            return None
        secret = self._run(lambda db: db.authjs_passwords.find_one({"_id": document["_id"]}))
        verified = document.get("emailVerified")
        return User(
            id=str(document["_id"]),
            email=document.get("email"),  # type: ignore[typeddict-item]
            name=document.get("name"),
            image=document.get("image"),
            password_hash=None if secret is None else secret["passwordHash"],
            email_verified=None if verified is None else epoch(verified),
        )

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
        document = {
            "_id": ObjectId(),
            "name": name,
            "email": plain_str("email", email),
            "emailVerified": None if email_verified is None else bson_date(email_verified),
            "image": image,
        }
        # The hash first: a user document never exists without the hash it was made with.
        if password_hash is not None:
            secret = {"_id": document["_id"], "passwordHash": password_hash}
            self._run(lambda db: db.authjs_passwords.insert_one(secret))
        try:
            self._run(lambda db: db.users.insert_one(document))
        except DuplicateKeyError as error:
            if password_hash is not None:
                self._run(lambda db: db.authjs_passwords.delete_one({"_id": document["_id"]}))
            raise DuplicateEmail(email) from error
        return User(
            id=str(document["_id"]),
            email=email,
            name=name,
            image=image,
            password_hash=password_hash,
            email_verified=email_verified,
        )

    def get_user(self, user_id: str) -> User | None:
        key = object_id(user_id)
        if key is None:
            return None
        return self._user(self._run(lambda db: db.users.find_one({"_id": key})))

    def get_user_by_email(self, email: str) -> User | None:
        query = {"email": plain_str("email", email)}
        return self._user(self._run(lambda db: db.users.find_one(query)))

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        key = object_id(user_id)
        if key is None:
            return
        if password_hash is None:
            self._run(lambda db: db.authjs_passwords.delete_one({"_id": key}))
            return
        change = {"$set": {"passwordHash": password_hash}}
        self._run(lambda db: db.authjs_passwords.update_one({"_id": key}, change, upsert=True))

    def set_email_verified(self, user_id: str, at: int) -> None:
        key = object_id(user_id)
        if key is not None:
            change = {"$set": {"emailVerified": bson_date(at)}}
            self._run(lambda db: db.users.update_one({"_id": key}, change))

    # Accounts.

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        query = {
            "provider": plain_str("provider", provider),
            "providerAccountId": plain_str("providerAccountId", provider_account_id),
        }
        account = self._run(lambda db: db.accounts.find_one(query, {"userId": 1}))
        if account is None:
            return None
        return self._user(self._run(lambda db: db.users.find_one({"_id": account["userId"]})))

    def list_accounts(self, user_id: str) -> list[dict[str, Any]]:
        key = object_id(user_id)
        return [] if key is None else self._list_accounts({"userId": key})

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        provider = plain_str("provider", account.get("provider"))
        provider_account_id = plain_str("providerAccountId", account.get("providerAccountId"))
        key = object_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r} to link the account to")
        document = {
            **{k: v for k, v in account.items() if k not in ("id", "_id", "userId")},
            "userId": key,
            "provider": provider,
            "providerAccountId": provider_account_id,
        }
        try:
            self._run(lambda db: db.accounts.insert_one(document))
        except DuplicateKeyError as error:
            raise DuplicateAccount(provider, provider_account_id) from error

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any], *, now: int
    ) -> None:
        key = object_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r} to create a session for")
        document = {
            "sessionToken": plain_str("session_key", session_key),
            "userId": key,
            **self.expiry(expires),
            "data": dict(data),
        }
        self._run(lambda db: db.sessions.insert_one(document))

    def get_session(self, session_key: str) -> StoredSession | None:
        query = {"sessionToken": plain_str("session_key", session_key)}
        document = self._run(lambda db: db.sessions.find_one(query))
        if document is None:
            return None
        data = document.get("data")
        if data is None:
            # Made by the Node adapter: the claims come from the user, as in Auth.js.
            user = self._run(lambda db: db.users.find_one({"_id": document["userId"]})) or {}
            data = {
                "name": user.get("name"),
                "email": user.get("email"),
                "picture": user.get("image"),
            }
        return StoredSession(
            session_key=document["sessionToken"],
            user_id=str(document["userId"]),
            expires=self.expires_of(document),
            data=dict(data),
        )

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        query = {"sessionToken": plain_str("session_key", session_key)}
        self._run(lambda db: db.sessions.update_one(query, {"$set": self.expiry(expires)}))

    def delete_session(self, session_key: str) -> None:
        query = {"sessionToken": plain_str("session_key", session_key)}
        self._run(lambda db: db.sessions.delete_one(query))

    def delete_user_sessions(self, user_id: str) -> int:
        key = object_id(user_id)
        if key is None:
            return 0
        result = self._run(lambda db: db.sessions.delete_many({"userId": key}))
        return int(result.deleted_count)

    # Expiry: a date, as Auth.js keeps it (and the TTL index reads it).

    def expiry(self, expires: int) -> Document:
        return {"expires": bson_date(expires)}

    def expires_of(self, document: Document) -> int:
        return epoch(document["expires"])
