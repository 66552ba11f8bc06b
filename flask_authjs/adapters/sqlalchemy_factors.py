"""The SQL tables and methods for passkeys, TOTP secrets and recovery codes.

A mixin of :class:`~flask_authjs.adapters.sqlalchemy.SQLAlchemyAdapter`. The tables are
our own (``authjs_authenticators``, ``authjs_two_factors``, ``authjs_recovery_codes``,
made by :func:`.sql_tables.factor_tables`) beside every preset's, keyed by the preset's
user id type; the JavaScript side never reads them. Every check-and-change (the signature
counter, the last TOTP step, a recovery code) is one conditional ``UPDATE`` or ``DELETE``,
so two racing requests cannot both pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from .base import Authenticator, DuplicateAccount, TwoFactor, plain_str

if TYPE_CHECKING:
    from .sql_tables import SqlSchema


def _authenticator(row: Any) -> Authenticator:
    return Authenticator(
        credential_id=row.credential_id,
        user_id=str(row.user_id),
        public_key=row.public_key,
        counter=int(row.counter),
        transports=[t for t in row.transports.split(",") if t],
        device_type=row.device_type,
        backed_up=bool(row.backed_up),
        name=row.name,
        created_at=int(row.created_at),
        last_used_at=None if row.last_used_at is None else int(row.last_used_at),
    )


class SQLAlchemyFactorsMixin:
    if TYPE_CHECKING:  # provided by SQLAlchemyAdapter
        schema: SqlSchema

        def _begin(self) -> AbstractContextManager[Connection]: ...

        def _read(self) -> AbstractContextManager[Connection]: ...

        def _user_id(self, user_id: object) -> int | str | None: ...

    # Passkeys.

    def create_authenticator(self, authenticator: Authenticator) -> None:
        a = authenticator
        credential_id = plain_str("credential_id", a["credential_id"])
        key = self._user_id(a["user_id"])
        if key is None:
            raise LookupError(f"no user {a['user_id']!r} for the passkey")
        try:
            with self._begin() as connection:
                connection.execute(
                    insert(self.schema.authenticators).values(
                        credential_id=credential_id,
                        user_id=key,
                        public_key=plain_str("public_key", a["public_key"]),
                        counter=int(a["counter"]),
                        transports=",".join(a["transports"]),
                        device_type=a["device_type"],
                        backed_up=bool(a["backed_up"]),
                        name=a["name"],
                        created_at=int(a["created_at"]),
                        last_used_at=a["last_used_at"],
                    )
                )
        except IntegrityError as error:
            if self.get_authenticator(credential_id) is None:
                raise LookupError(f"no user {a['user_id']!r} for the passkey") from error
            raise DuplicateAccount("passkey", credential_id) from error

    def get_authenticator(self, credential_id: str) -> Authenticator | None:
        table = self.schema.authenticators
        query = select(table).where(
            table.c.credential_id == plain_str("credential_id", credential_id)
        )
        with self._read() as connection:
            row = connection.execute(query).first()
        return None if row is None else _authenticator(row)

    def list_authenticators(self, user_id: str) -> list[Authenticator]:
        key = self._user_id(user_id)
        if key is None:
            return []
        table = self.schema.authenticators
        query = (
            select(table)
            .where(table.c.user_id == key)
            .order_by(table.c.created_at, table.c.credential_id)
        )
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [_authenticator(row) for row in rows]

    def update_authenticator_counter(
        self, credential_id: str, expected: int, counter: int, *, backed_up: bool, used_at: int
    ) -> bool:
        table = self.schema.authenticators
        with self._begin() as connection:
            changed = connection.execute(
                update(table)
                .where(
                    table.c.credential_id == plain_str("credential_id", credential_id),
                    table.c.counter == int(expected),
                )
                .values(counter=int(counter), backed_up=bool(backed_up), last_used_at=int(used_at))
            ).rowcount
        return int(changed) == 1

    def rename_authenticator(self, user_id: str, credential_id: str, name: str) -> bool:
        table = self.schema.authenticators
        with self._begin() as connection:
            changed = connection.execute(
                update(table)
                .where(*self._owned(table, user_id, credential_id))
                .values(name=plain_str("name", name))
            ).rowcount
        return int(changed) == 1

    def delete_authenticator(self, user_id: str, credential_id: str) -> bool:
        table = self.schema.authenticators
        with self._begin() as connection:
            changed = connection.execute(
                delete(table).where(*self._owned(table, user_id, credential_id))
            ).rowcount
        return int(changed) == 1

    def _owned(self, table: Table, user_id: str, credential_id: str) -> Iterator[Any]:
        yield table.c.user_id == self._user_id(user_id)
        yield table.c.credential_id == plain_str("credential_id", credential_id)

    # Two-factor.

    def get_two_factor(self, user_id: str) -> TwoFactor | None:
        key = self._user_id(user_id)
        table = self.schema.two_factors
        with self._read() as connection:
            row = connection.execute(select(table).where(table.c.user_id == key)).first()
        if row is None:
            return None
        return TwoFactor(
            user_id=str(row.user_id),
            secret=row.secret,
            enabled=bool(row.enabled),
            last_step=int(row.last_step),
        )

    def set_two_factor(self, user_id: str, secret: str, *, enabled: bool) -> None:
        key = self._user_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r}")
        table = self.schema.two_factors
        values = {"secret": plain_str("secret", secret), "enabled": enabled, "last_step": 0}
        with self._begin() as connection:
            changed = connection.execute(
                update(table).where(table.c.user_id == key).values(**values)
            ).rowcount
            if not changed:
                connection.execute(insert(table).values(user_id=key, **values))

    def enable_two_factor(self, user_id: str) -> None:
        table = self.schema.two_factors
        with self._begin() as connection:
            connection.execute(
                update(table).where(table.c.user_id == self._user_id(user_id)).values(enabled=True)
            )

    def use_totp_step(self, user_id: str, step: int) -> bool:
        table = self.schema.two_factors
        with self._begin() as connection:
            changed = connection.execute(
                update(table)
                .where(table.c.user_id == self._user_id(user_id), table.c.last_step < int(step))
                .values(last_step=int(step))
            ).rowcount
        return int(changed) == 1

    def delete_two_factor(self, user_id: str) -> None:
        key = self._user_id(user_id)
        with self._begin() as connection:
            connection.execute(
                delete(self.schema.recovery_codes).where(
                    self.schema.recovery_codes.c.user_id == key
                )
            )
            connection.execute(
                delete(self.schema.two_factors).where(self.schema.two_factors.c.user_id == key)
            )

    def set_recovery_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        key = self._user_id(user_id)
        if key is None:
            raise LookupError(f"no user {user_id!r}")
        table = self.schema.recovery_codes
        rows = [{"user_id": key, "code_hash": plain_str("code_hash", h)} for h in code_hashes]
        with self._begin() as connection:
            connection.execute(delete(table).where(table.c.user_id == key))
            if rows:
                connection.execute(insert(table), rows)

    def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        table = self.schema.recovery_codes
        with self._begin() as connection:
            changed = connection.execute(
                delete(table).where(
                    table.c.user_id == self._user_id(user_id),
                    table.c.code_hash == plain_str("code_hash", code_hash),
                )
            ).rowcount
        return int(changed) == 1

    def count_recovery_codes(self, user_id: str) -> int:
        table = self.schema.recovery_codes
        query = select(func.count()).where(table.c.user_id == self._user_id(user_id))
        with self._read() as connection:
            return int(connection.execute(query).scalar() or 0)

    # Accounts, for "is this the last way in?"

    def list_accounts(self, user_id: str) -> list[dict[str, Any]]:
        key = self._user_id(user_id)
        if key is None:
            return []
        accounts = self.schema.accounts
        query = select(accounts.c.provider, accounts.c.provider_account_id, accounts.c.type).where(
            accounts.c.user_id == key
        )
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [
            {"provider": r.provider, "providerAccountId": r.provider_account_id, "type": r.type}
            for r in rows
        ]
