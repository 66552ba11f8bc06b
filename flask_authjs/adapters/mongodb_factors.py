"""The MongoDB collections and methods for passkeys, TOTP secrets and recovery codes.

A mixin of :class:`~flask_authjs.adapters.mongodb.MongoDBAdapter`. Every check-and-change
(the signature counter, the last TOTP step, a recovery code) is one conditional
single-document operation, so two racing requests cannot both pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from .base import Authenticator, DuplicateAccount, TwoFactor, plain_str

if TYPE_CHECKING:
    from pymongo.database import Database

Document = dict[str, Any]

INDEXES: tuple[tuple[str, list[tuple[str, int]], dict[str, Any]], ...] = (
    ("authenticators", [("userId", ASCENDING)], {"name": "user_id"}),
    (
        "recovery_codes",
        [("userId", ASCENDING), ("codeHash", ASCENDING)],
        {"unique": True, "name": "user_code_unique"},
    ),
)


def _authenticator(document: Document) -> Authenticator:
    return Authenticator(
        credential_id=document["_id"],
        user_id=document["userId"],
        public_key=document["publicKey"],
        counter=int(document["counter"]),
        transports=list(document["transports"]),
        device_type=document["deviceType"],
        backed_up=bool(document["backedUp"]),
        name=document["name"],
        created_at=int(document["createdAt"]),
        last_used_at=document.get("lastUsedAt"),
    )


class MongoDBFactorsMixin:
    if TYPE_CHECKING:  # provided by MongoDBAdapter

        def _run(self, operation: Callable[[Database[Document]], Any]) -> Any: ...

    # Passkeys: the credential id is the document id, unique by construction.

    def create_authenticator(self, authenticator: Authenticator) -> None:
        a = authenticator
        credential_id = plain_str("credential_id", a["credential_id"])
        document = {
            "_id": credential_id,
            "userId": plain_str("user_id", a["user_id"]),
            "publicKey": plain_str("public_key", a["public_key"]),
            "counter": int(a["counter"]),
            "transports": list(a["transports"]),
            "deviceType": a["device_type"],
            "backedUp": bool(a["backed_up"]),
            "name": a["name"],
            "createdAt": int(a["created_at"]),
            "lastUsedAt": a["last_used_at"],
        }
        try:
            self._run(lambda db: db.authenticators.insert_one(document))
        except DuplicateKeyError as error:
            raise DuplicateAccount("passkey", credential_id) from error

    def get_authenticator(self, credential_id: str) -> Authenticator | None:
        query = {"_id": plain_str("credential_id", credential_id)}
        document = self._run(lambda db: db.authenticators.find_one(query))
        return None if document is None else _authenticator(document)

    def list_authenticators(self, user_id: str) -> list[Authenticator]:
        query = {"userId": plain_str("user_id", user_id)}
        documents = self._run(
            lambda db: list(db.authenticators.find(query).sort([("createdAt", ASCENDING)]))
        )
        return [_authenticator(document) for document in documents]

    def update_authenticator_counter(
        self, credential_id: str, expected: int, counter: int, *, backed_up: bool, used_at: int
    ) -> bool:
        query = {"_id": plain_str("credential_id", credential_id), "counter": int(expected)}
        change = {
            "$set": {"counter": int(counter), "backedUp": bool(backed_up), "lastUsedAt": used_at}
        }
        result = self._run(lambda db: db.authenticators.update_one(query, change))
        return int(result.matched_count) == 1

    def rename_authenticator(self, user_id: str, credential_id: str, name: str) -> bool:
        query = {
            "_id": plain_str("credential_id", credential_id),
            "userId": plain_str("user_id", user_id),
        }
        change = {"$set": {"name": plain_str("name", name)}}
        result = self._run(lambda db: db.authenticators.update_one(query, change))
        return int(result.matched_count) == 1

    def delete_authenticator(self, user_id: str, credential_id: str) -> bool:
        query = {
            "_id": plain_str("credential_id", credential_id),
            "userId": plain_str("user_id", user_id),
        }
        return int(self._run(lambda db: db.authenticators.delete_one(query)).deleted_count) == 1

    # Two-factor: one document per user, ``_id`` = user id.

    def get_two_factor(self, user_id: str) -> TwoFactor | None:
        query = {"_id": plain_str("user_id", user_id)}
        document = self._run(lambda db: db.two_factors.find_one(query))
        if document is None:
            return None
        return TwoFactor(
            user_id=document["_id"],
            secret=document["secret"],
            enabled=bool(document["enabled"]),
            last_step=int(document["lastStep"]),
        )

    def set_two_factor(self, user_id: str, secret: str, *, enabled: bool) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        change = {
            "$set": {"secret": plain_str("secret", secret), "enabled": enabled, "lastStep": 0}
        }
        self._run(lambda db: db.two_factors.update_one(query, change, upsert=True))

    def enable_two_factor(self, user_id: str) -> None:
        query = {"_id": plain_str("user_id", user_id)}
        self._run(lambda db: db.two_factors.update_one(query, {"$set": {"enabled": True}}))

    def use_totp_step(self, user_id: str, step: int) -> bool:
        query = {"_id": plain_str("user_id", user_id), "lastStep": {"$lt": int(step)}}
        change = {"$set": {"lastStep": int(step)}}
        result = self._run(lambda db: db.two_factors.update_one(query, change))
        return int(result.matched_count) == 1

    def delete_two_factor(self, user_id: str) -> None:
        user_id = plain_str("user_id", user_id)
        # Codes first: a crash in between leaves the secret, so 2FA stays on (fails closed).
        self._run(lambda db: db.recovery_codes.delete_many({"userId": user_id}))
        self._run(lambda db: db.two_factors.delete_one({"_id": user_id}))

    def set_recovery_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        user_id = plain_str("user_id", user_id)
        documents = [
            {"userId": user_id, "codeHash": plain_str("code_hash", h)} for h in code_hashes
        ]
        self._run(lambda db: db.recovery_codes.delete_many({"userId": user_id}))
        if documents:
            self._run(lambda db: db.recovery_codes.insert_many(documents))

    def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        query = {
            "userId": plain_str("user_id", user_id),
            "codeHash": plain_str("code_hash", code_hash),
        }
        return self._run(lambda db: db.recovery_codes.find_one_and_delete(query)) is not None

    def count_recovery_codes(self, user_id: str) -> int:
        query = {"userId": plain_str("user_id", user_id)}
        return int(self._run(lambda db: db.recovery_codes.count_documents(query)))
