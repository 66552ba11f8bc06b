"""One-time tokens for email links: random, stored only as a keyed hash, used once.

A token is 32 random bytes (64 hex characters) that exists in two places only: the mail
and the user's browser. The store keeps ``sha256(token + secret)`` as Auth.js does, so a
leaked table (or a backup) holds no usable link, and without the secret no guess can be
checked offline. Using a token deletes it in one atomic store operation, so of two
simultaneous clicks exactly one signs in.

Each purpose has its own identifier, so a token made for one flow is refused by every
other: the magic link keeps Auth.js's plain email (a Next.js app sharing the store
understands it), the others prefix theirs (``reset-password:ada@example.com``). The
normal form of an email never contains ``:``, so no email can pose as a prefixed one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from .adapters import Adapter
from .tokens import secret_hash

MAGIC_LINK = "magic-link"
PASSWORD_RESET = "reset-password"
VERIFY_EMAIL = "verify-email"
PURPOSES = (MAGIC_LINK, PASSWORD_RESET, VERIFY_EMAIL)

TOKEN_BYTES = 32


def identifier(purpose: str, email: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return email if purpose == MAGIC_LINK else f"{purpose}:{email}"


def well_formed(token: object) -> bool:
    """Only our own shape reaches the store: 64 lower-case hex characters."""
    return (
        isinstance(token, str)
        and len(token) == 2 * TOKEN_BYTES
        and all(c in "0123456789abcdef" for c in token)
    )


class EmailTokens:
    """Issue and consume the tokens of one app (``secrets[0]`` hashes, every secret checks)."""

    def __init__(
        self, store: Callable[[], Adapter], secrets: Sequence[str], clock: Callable[[], float]
    ) -> None:
        self.store = store
        self.secrets = tuple(secrets)
        self.clock = clock

    def issue(self, purpose: str, email: str, max_age: int, *, replace: bool = False) -> str:
        """A new raw token; ``replace`` first makes every older one of this purpose useless."""
        key = identifier(purpose, email)
        if replace:
            self.store().delete_verification_tokens(key)
        token = secrets.token_hex(TOKEN_BYTES)
        expires = int(self.clock()) + max_age
        self.store().create_verification_token(key, secret_hash(token, self.secrets[0]), expires)
        return token

    def consume(self, purpose: str, email: str, token: object) -> bool:
        """Whether ``token`` was valid for ``email`` and ``purpose``; it is spent either way."""
        if not well_formed(token):
            return False
        assert isinstance(token, str)
        key = identifier(purpose, email)
        now = self.clock()
        for secret in self.secrets:
            used = self.store().use_verification_token(key, secret_hash(token, secret))
            if used is not None:
                return used["expires"] > now
        return False

    def discard(self, purpose: str, email: str, token: str) -> None:
        """Make a token useless (its mail could not be sent)."""
        self.consume(purpose, email, token)
