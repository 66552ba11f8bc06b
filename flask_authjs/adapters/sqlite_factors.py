"""The SQLite tables and methods for passkeys, TOTP secrets and recovery codes.

A mixin of :class:`~flask_authjs.adapters.sqlite.SQLiteAdapter`, kept apart so each module
holds one idea. Every check-and-change (the signature counter, the last TOTP step, a
recovery code) is one conditional statement, so two racing requests cannot both pass.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from .base import Authenticator, DuplicateAccount, TwoFactor, plain_str

SCHEMA = """
CREATE TABLE IF NOT EXISTS authenticators (
    credential_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    counter INTEGER NOT NULL,
    transports TEXT NOT NULL,
    device_type TEXT NOT NULL,
    backed_up INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS authenticators_user_id ON authenticators (user_id);
CREATE TABLE IF NOT EXISTS two_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    last_step INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
"""
_AUTHENTICATOR_COLUMNS = (
    "credential_id, user_id, public_key, counter, transports, device_type, backed_up, name, "
    "created_at, last_used_at"
)


def _authenticator(row: sqlite3.Row) -> Authenticator:
    return Authenticator(
        credential_id=row["credential_id"],
        user_id=row["user_id"],
        public_key=row["public_key"],
        counter=int(row["counter"]),
        # Comma-joined, as Auth.js's Authenticator table keeps them.
        transports=[t for t in row["transports"].split(",") if t],
        device_type=row["device_type"],
        backed_up=bool(row["backed_up"]),
        name=row["name"],
        created_at=int(row["created_at"]),
        last_used_at=None if row["last_used_at"] is None else int(row["last_used_at"]),
    )


class SQLiteFactorsMixin:
    if TYPE_CHECKING:  # provided by SQLiteAdapter

        def _cursor(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    # Passkeys.

    def create_authenticator(self, authenticator: Authenticator) -> None:
        a = authenticator
        credential_id = plain_str("credential_id", a["credential_id"])
        try:
            with self._cursor() as db:
                db.execute(
                    f"INSERT INTO authenticators ({_AUTHENTICATOR_COLUMNS}) "  # noqa: S608
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        credential_id,
                        plain_str("user_id", a["user_id"]),
                        plain_str("public_key", a["public_key"]),
                        int(a["counter"]),
                        ",".join(a["transports"]),
                        a["device_type"],
                        int(bool(a["backed_up"])),
                        a["name"],
                        int(a["created_at"]),
                        a["last_used_at"],
                    ),
                )
        except sqlite3.IntegrityError as error:
            if "FOREIGN KEY" in str(error):
                raise LookupError(f"no user {a['user_id']!r} for the passkey") from error
            raise DuplicateAccount("passkey", credential_id) from error

    def get_authenticator(self, credential_id: str) -> Authenticator | None:
        rows = self._authenticators(
            "credential_id = ?", (plain_str("credential_id", credential_id),)
        )
        return rows[0] if rows else None

    def list_authenticators(self, user_id: str) -> list[Authenticator]:
        return self._authenticators(
            "user_id = ? ORDER BY created_at, rowid", (plain_str("user_id", user_id),)
        )

    def _authenticators(self, where: str, params: tuple[Any, ...]) -> list[Authenticator]:
        with self._cursor() as db:
            rows = db.execute(
                f"SELECT {_AUTHENTICATOR_COLUMNS} FROM authenticators WHERE {where}",  # noqa: S608
                params,
            ).fetchall()
        return [_authenticator(row) for row in rows]

    def update_authenticator_counter(
        self, credential_id: str, expected: int, counter: int, *, backed_up: bool, used_at: int
    ) -> bool:
        with self._cursor() as db:
            cursor = db.execute(
                "UPDATE authenticators SET counter = ?, backed_up = ?, last_used_at = ? "
                "WHERE credential_id = ? AND counter = ?",
                (
                    int(counter),
                    int(bool(backed_up)),
                    int(used_at),
                    plain_str("credential_id", credential_id),
                    int(expected),
                ),
            )
        return cursor.rowcount == 1

    def rename_authenticator(self, user_id: str, credential_id: str, name: str) -> bool:
        with self._cursor() as db:
            cursor = db.execute(
                "UPDATE authenticators SET name = ? WHERE user_id = ? AND credential_id = ?",
                (
                    plain_str("name", name),
                    plain_str("user_id", user_id),
                    plain_str("credential_id", credential_id),
                ),
            )
        return cursor.rowcount == 1

    def delete_authenticator(self, user_id: str, credential_id: str) -> bool:
        with self._cursor() as db:
            cursor = db.execute(
                "DELETE FROM authenticators WHERE user_id = ? AND credential_id = ?",
                (plain_str("user_id", user_id), plain_str("credential_id", credential_id)),
            )
        return cursor.rowcount == 1

    # Two-factor.

    def get_two_factor(self, user_id: str) -> TwoFactor | None:
        with self._cursor() as db:
            row = db.execute(
                "SELECT user_id, secret, enabled, last_step FROM two_factors WHERE user_id = ?",
                (plain_str("user_id", user_id),),
            ).fetchone()
        if row is None:
            return None
        return TwoFactor(
            user_id=row["user_id"],
            secret=row["secret"],
            enabled=bool(row["enabled"]),
            last_step=int(row["last_step"]),
        )

    def set_two_factor(self, user_id: str, secret: str, *, enabled: bool) -> None:
        with self._cursor() as db:
            db.execute(
                "INSERT INTO two_factors (user_id, secret, enabled, last_step) "
                "VALUES (?, ?, ?, 0) ON CONFLICT (user_id) DO UPDATE SET "
                "secret = excluded.secret, enabled = excluded.enabled, last_step = 0",
                (plain_str("user_id", user_id), plain_str("secret", secret), int(enabled)),
            )

    def enable_two_factor(self, user_id: str) -> None:
        with self._cursor() as db:
            db.execute(
                "UPDATE two_factors SET enabled = 1 WHERE user_id = ?",
                (plain_str("user_id", user_id),),
            )

    def use_totp_step(self, user_id: str, step: int) -> bool:
        with self._cursor() as db:
            cursor = db.execute(
                "UPDATE two_factors SET last_step = ? WHERE user_id = ? AND last_step < ?",
                (int(step), plain_str("user_id", user_id), int(step)),
            )
        return cursor.rowcount == 1

    def delete_two_factor(self, user_id: str) -> None:
        user_id = plain_str("user_id", user_id)
        with self._transaction() as db:
            db.execute("DELETE FROM two_factors WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))

    def set_recovery_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        user_id = plain_str("user_id", user_id)
        with self._transaction() as db:
            db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
            db.executemany(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                [(user_id, plain_str("code_hash", h)) for h in code_hashes],
            )

    def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        with self._cursor() as db:
            cursor = db.execute(
                "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?",
                (plain_str("user_id", user_id), plain_str("code_hash", code_hash)),
            )
        return cursor.rowcount == 1

    def count_recovery_codes(self, user_id: str) -> int:
        with self._cursor() as db:
            row = db.execute(
                "SELECT count(*) FROM recovery_codes WHERE user_id = ?",
                (plain_str("user_id", user_id),),
            ).fetchone()
        return int(row[0])
