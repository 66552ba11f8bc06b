"""The store protocol every adapter implements, and the records it exchanges.

Emails reaching an adapter are already normalised (see :mod:`flask_authjs.emails`) and
every value is a plain ``str``: adapters never see request data of another type, and
:func:`plain_str` refuses it again at the door (defence in depth against
``{"$ne": null}``-style operator injection).

Times are whole seconds since the epoch (``int``), or ``float`` for rate-limit
attempts; the caller passes ``now``, so tests drive the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from ..exceptions import DuplicateAccount as DuplicateAccount
from ..exceptions import DuplicateEmail as DuplicateEmail
from ..exceptions import InvalidInput
from ..exceptions import StoreUnavailable as StoreUnavailable


class User(TypedDict):
    id: str
    email: str
    name: str | None
    image: str | None
    password_hash: str | None
    #: When the email was proven to be the user's (Auth.js ``emailVerified``), or ``None``.
    email_verified: int | None


class StoredSession(TypedDict):
    """A database session. ``session_key`` is a hash of the cookie value, never the value."""

    session_key: str
    user_id: str
    expires: int
    #: The session's claims (what the ``jwt`` callback made), minus ``sub``/``iat``/``exp``.
    data: dict[str, Any]


class VerificationToken(TypedDict):
    identifier: str
    token: str
    expires: int


class Authenticator(TypedDict):
    """A passkey (WebAuthn credential) of a user.

    ``credential_id`` and ``public_key`` are base64url without padding, as WebAuthn's JSON
    spells them; ``counter`` is the authenticator's last signature counter.
    """

    credential_id: str
    user_id: str
    public_key: str
    counter: int
    transports: list[str]
    device_type: str
    backed_up: bool
    name: str
    created_at: int
    last_used_at: int | None


class TwoFactor(TypedDict):
    """A user's TOTP second factor. ``secret`` is encrypted (see :mod:`flask_authjs.totp`);
    ``enabled`` is false until the user confirmed one code; ``last_step`` is the last
    accepted time step, so no code is accepted twice."""

    user_id: str
    secret: str
    enabled: bool
    last_step: int


@dataclass(frozen=True)
class Attempts:
    """Recent attempts under one rate-limit key: how many, and when the oldest was."""

    count: int
    oldest: float


def plain_str(name: str, value: object) -> str:
    """``value`` if it is a ``str``; anything else never reaches a query."""
    if type(value) is not str:
        raise InvalidInput(name, "must be a string.")
    return value


class Adapter(Protocol):
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
        """Insert a user; raise :class:`DuplicateEmail` if the email is taken."""
        ...

    def get_user(self, user_id: str) -> User | None: ...

    def get_user_by_email(self, email: str) -> User | None: ...

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        """Replace the hash; ``None`` removes the password (the account then has none)."""
        ...

    def set_email_verified(self, user_id: str, at: int) -> None: ...

    # Accounts (OAuth and credentials identities of a user).

    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None: ...

    def link_account(self, user_id: str, account: Mapping[str, Any]) -> None:
        """Store an Auth.js account dict (``provider``, ``providerAccountId``, ``type``, ...).

        Raise :class:`DuplicateAccount` if that provider account is linked already.
        """
        ...

    def list_accounts(self, user_id: str) -> list[dict[str, Any]]:
        """The user's linked accounts (``provider``, ``providerAccountId``, ``type``)."""
        ...

    # Database sessions.

    def create_session(
        self, session_key: str, user_id: str, expires: int, data: Mapping[str, Any], *, now: int
    ) -> None:
        """Store a database session; a store may drop sessions expired at ``now`` here."""
        ...

    def get_session(self, session_key: str) -> StoredSession | None: ...

    def update_session_expiry(self, session_key: str, expires: int) -> None: ...

    def delete_session(self, session_key: str) -> None: ...

    def delete_user_sessions(self, user_id: str) -> int:
        """Delete every session of a user; return how many there were."""
        ...

    # JWT revocation: "sign out everywhere" for tokens the store never saw.

    def revoke_user_sessions(self, user_id: str, at: int) -> None:
        """Tokens of this user signed in at or before ``at`` are no longer renewed."""
        ...

    def sessions_revoked_at(self, user_id: str) -> int | None: ...

    # Verification tokens (email links): created once, used once.

    def create_verification_token(self, identifier: str, token: str, expires: int) -> None: ...

    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        """Delete and return the token; ``None`` if it does not exist (or was used).

        One atomic operation: of two concurrent calls for one token, exactly one gets it.
        """
        ...

    def delete_verification_tokens(self, identifier: str) -> int:
        """Delete every token of ``identifier`` (a newer link replaces the older ones)."""
        ...

    # Rate limiting: a sliding window of attempts per key.

    def reserve_attempt(
        self,
        limits: Mapping[str, int],
        *,
        attempt_id: str,
        since: float,
        at: float,
        expires: float,
    ) -> dict[str, Attempts]:
        """Count one attempt under every key of ``limits``, unless a key is at its limit.

        Atomic: while every key has fewer attempts after ``since`` than its limit, the
        attempt (``attempt_id`` at ``at``; forgettable after ``expires``) is recorded
        under each key and ``{}`` returned; otherwise nothing is recorded and the answer
        holds the attempts of the keys at their limit. However many requests race,
        no window ever admits more than ``limit`` attempts under one key.
        """
        ...

    def release_attempt(self, keys: Sequence[str], attempt_id: str) -> None:
        """Forget a reserved attempt that turned out not to count (a successful sign-in)."""
        ...

    # Passkeys (WebAuthn authenticators).

    def create_authenticator(self, authenticator: Authenticator) -> None:
        """Insert a passkey; raise :class:`DuplicateAccount` (provider ``"passkey"``) if its
        credential id is stored already."""
        ...

    def get_authenticator(self, credential_id: str) -> Authenticator | None: ...

    def list_authenticators(self, user_id: str) -> list[Authenticator]:
        """The user's passkeys, oldest first."""
        ...

    def update_authenticator_counter(
        self, credential_id: str, expected: int, counter: int, *, backed_up: bool, used_at: int
    ) -> bool:
        """Set the counter to ``counter`` only if it still is ``expected`` (compare and set,
        so two racing uses of one signature cannot both pass); ``False`` if it was not."""
        ...

    def rename_authenticator(self, user_id: str, credential_id: str, name: str) -> bool: ...

    def delete_authenticator(self, user_id: str, credential_id: str) -> bool: ...

    # Two-factor (TOTP) and recovery codes.

    def get_two_factor(self, user_id: str) -> TwoFactor | None: ...

    def set_two_factor(self, user_id: str, secret: str, *, enabled: bool) -> None:
        """Create or replace the user's TOTP secret (``last_step`` starts at 0)."""
        ...

    def enable_two_factor(self, user_id: str) -> None: ...

    def use_totp_step(self, user_id: str, step: int) -> bool:
        """Record ``step`` as used if it is later than the last used one (atomically);
        ``False`` if it is not, so one code is accepted once."""
        ...

    def delete_two_factor(self, user_id: str) -> None:
        """Remove the TOTP secret and every recovery code of the user."""
        ...

    def set_recovery_codes(self, user_id: str, code_hashes: Sequence[str]) -> None:
        """Replace the user's recovery codes (stored as hashes only)."""
        ...

    def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Delete the code if the user has it (atomically); ``False`` if not."""
        ...

    def count_recovery_codes(self, user_id: str) -> int: ...
