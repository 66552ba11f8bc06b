"""The production store: MongoDB through pymongo, shared by every app server.

Uniqueness lives in indexes (normalised email; provider + providerAccountId; session
key), so two servers racing to create one user end with one user and one
``DuplicateKeyError``. TTL indexes let the server forget expired sessions, verification
tokens and rate-limit attempts (the TTL monitor runs about once a minute, so reads still
compare ``expires`` themselves). Indexes are created on first use, idempotently.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from .base import (
    DuplicateAccount,
    DuplicateEmail,
    StoredSession,
    User,
    plain_str,
)
from .mongodb_store import SHARED_INDEXES, Document, Index, MongoStore, bson_date, epoch

#: The default layout's indexes, beside the shared ones.
INDEXES: tuple[Index, ...] = (
    ("users", [("email", ASCENDING)], {"unique": True, "name": "email_unique"}),
    ("sessions", [("sessionKey", ASCENDING)], {"unique": True, "name": "session_key_unique"}),
    ("sessions", [("userId", ASCENDING)], {"name": "user_id"}),
    ("sessions", [("expiresAt", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"}),
    (
        "verification_tokens",
        [("expiresAt", ASCENDING)],
        {"expireAfterSeconds": 0, "name": "expires_ttl"},
    ),
    *SHARED_INDEXES,
)


def _user(document: Document | None) -> User | None:
    if document is None:
        return None
    verified = document.get("emailVerified")  # a BSON date, as in Auth.js's adapter
    return User(
        id=document["_id"],
        email=document["email"],
        name=document.get("name"),
        image=document.get("image"),
        password_hash=document.get("passwordHash"),
        email_verified=None if verified is None else epoch(verified),
    )


class MongoDBAdapter(MongoStore):
    """``MongoDBAdapter(MongoClient(url, serverSelectionTimeoutMS=2000)["dbname"])``.

    ``schema="authjs"`` returns the adapter that writes ``@auth/mongodb-adapter``'s
    documents instead (ObjectId ids, Dates, ``sessionToken``), so a Next.js app can share
    the database: see :mod:`.mongodb_authjs`.
    """

    indexes = INDEXES
    schema = "flask-authjs"

    def __new__(cls, database: Database[Document], *, schema: str = "flask-authjs") -> Any:
        if schema == "authjs":
            from .mongodb_authjs import AuthjsMongoDBAdapter

            return AuthjsMongoDBAdapter(database)
        if schema != "flask-authjs":
            raise ValueError(f"unknown MongoDB schema {schema!r}; use 'flask-authjs' or 'authjs'")
        return super().__new__(cls)

    def __init__(self, database: Database[Document], *, schema: str = "flask-authjs") -> None:
        super().__init__(database)

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
            "_id": uuid.uuid4().hex,
            "email": plain_str("email", email),
            "name": name,
            "image": image,
            "passwordHash": password_hash,
            "emailVerified": None if email_verified is None else bson_date(email_verified),
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

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        self._run(lambda db: db.users.update_one(query, {"$set": {"passwordHash": password_hash}}))

    def set_email_verified(self, user_id: str, at: int) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        change = {"$set": {"emailVerified": bson_date(at)}}
        self._run(lambda db: db.users.update_one(query, change))

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

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any], *, now: int
    ) -> None:
        document = {
            "sessionKey": plain_str("session_key", session_key),
            "userId": plain_str("user_id", user_id),
            **self.expiry(expires),
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
            expires=self.expires_of(document),
            data=dict(document["data"]),
        )

    def update_session_expiry(self, session_key: str, expires: int) -> None:
        query = {"sessionKey": plain_str("session_key", session_key)}
        change = {"$set": self.expiry(expires)}
        self._run(lambda db: db.sessions.update_one(query, change))

    def delete_session(self, session_key: str) -> None:
        query = {"sessionKey": plain_str("session_key", session_key)}
        self._run(lambda db: db.sessions.delete_one(query))

    def delete_user_sessions(self, user_id: str) -> int:
        query = {"userId": plain_str("user_id", user_id)}
        result = self._run(lambda db: db.sessions.delete_many(query))
        return int(result.deleted_count)

    # Expiry: epoch seconds, and a date beside them for the TTL index.

    def expiry(self, expires: int) -> Document:
        return {"expires": int(expires), "expiresAt": bson_date(expires)}

    def expires_of(self, document: Document) -> int:
        return int(document["expires"])
