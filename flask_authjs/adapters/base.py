"""The store protocol every adapter implements, and the records it exchanges.

Emails reaching an adapter are already normalised (see :mod:`flask_authjs.emails`) and
every value is a plain ``str``: adapters never see request data of another type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypedDict


class User(TypedDict):
    id: str
    email: str
    name: str | None
    image: str | None
    password_hash: str | None


class StoreUnavailable(Exception):
    """The store could not be reached in time; answered with 503, never a traceback."""


class DuplicateEmail(Exception):
    """A user with this normalised email exists already."""


class DuplicateAccount(Exception):
    """This (provider, providerAccountId) is linked to a user already."""


class Adapter(Protocol):
    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        image: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        """Insert a user; raise :class:`DuplicateEmail` if the email is taken."""
        ...

    def get_user(self, user_id: str) -> User | None: ...

    def get_user_by_email(self, email: str) -> User | None: ...

    def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        """The user an OAuth account is linked to, if any."""
        ...

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        """Link an Auth.js account dict (``provider``, ``type``, ``providerAccountId``, tokens).

        Raise :class:`DuplicateAccount` if the account is linked already.
        """
        ...
