"""Brute-force protection: a sliding window of failed attempts per key, kept in the store.

The attempts live in the store, not in memory, so every app server (and process) sees
the same count. A sign-in costs one read (the count for the account and the address
keys together) and, only when it fails, one write. Over the limit the caller answers
429 before any password is checked, so an attacker cannot make us run bcrypt either.

Keys are hashed: the store holds neither emails nor addresses in its rate-limit records.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping

from .adapters import Adapter
from .config import Settings
from .emails import normalize_email
from .exceptions import InvalidInput


def limit_key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def account_name(email: str) -> str:
    """The account an attempt was aimed at: the normalised email, or the string as sent."""
    try:
        return normalize_email(email)
    except InvalidInput:
        return email.strip().lower()


class RateLimiter:
    def __init__(
        self, store: Callable[[], Adapter], clock: Callable[[], float], settings: Settings
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings

    @property
    def window(self) -> int:
        return self.settings.rate_limit_window

    def sign_in_limits(self, email: str | None, address: str | None) -> dict[str, int]:
        """Failed sign-ins allowed per window: per submitted email and per client address."""
        limits = {limit_key("signin-address", address or "-"): self.settings.rate_limit_per_address}
        if email:
            limits[limit_key("signin-account", account_name(email))] = (
                self.settings.rate_limit_per_account
            )
        return limits

    def sign_up_limits(self, address: str | None) -> dict[str, int]:
        return {limit_key("signup-address", address or "-"): self.settings.signup_limit_per_address}

    def challenge_limits(self, address: str | None) -> dict[str, int]:
        """Passkey challenges (each one a store record) per client address."""
        return {
            limit_key("challenge-address", address or "-"): self.settings.rate_limit_per_address
        }

    def retry_after(self, limits: Mapping[str, int]) -> int | None:
        """Seconds until the next attempt is allowed, or ``None`` while under every limit."""
        active = {key: limit for key, limit in limits.items() if limit > 0}
        if not active:
            return None
        now = self.clock()
        counts = self.store().count_attempts(list(active), now - self.window)
        waits = [
            attempts.oldest + self.window - now
            for key, attempts in counts.items()
            if attempts.count >= active[key]
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def record(self, limits: Mapping[str, int]) -> None:
        keys = [key for key, limit in limits.items() if limit > 0]
        if keys:
            now = self.clock()
            self.store().record_attempt(keys, now, now + self.window)
