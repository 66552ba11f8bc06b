"""Brute-force protection: a sliding window of attempts per key, kept in the store.

The attempts live in the store, not in memory, so every app server (and process) sees
the same count. An attempt is *reserved* before any password is checked, in one atomic
store operation that refuses once a key is at its limit: however many requests race
(threads, processes, app servers), no more than the limit ever reach bcrypt in one
window. A sign-in that succeeds releases its reservation, so only failures count;
a sign-up keeps it, so every account created counts.

Keys are hashed: the store holds neither account names nor addresses in its records.
"""

from __future__ import annotations

import hashlib
import logging
import math
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .adapters import Adapter, StoreUnavailable
from .config import Settings
from .emails import normalize_email
from .exceptions import InvalidInput

logger = logging.getLogger("flask_authjs")


def limit_key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def account_name(identifier: str) -> str:
    """The account an attempt was aimed at: the normalised email, or else the identifier
    folded (NFKC, case, outer spaces), so ``Ada``, ``ADA `` and ``Ａｄａ`` share one counter."""
    try:
        return normalize_email(identifier)
    except InvalidInput:
        return unicodedata.normalize("NFKC", identifier).strip().casefold()


@dataclass(frozen=True)
class Reservation:
    """One attempt counted in the store; ``retry_after`` (seconds) when it was refused."""

    keys: tuple[str, ...]
    attempt_id: str
    retry_after: int | None = None


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

    def sign_in_limits(self, account: str | None, address: str | None) -> dict[str, int]:
        """Failed sign-ins allowed per window: per account aimed at and per client address."""
        limits = {limit_key("signin-address", address or "-"): self.settings.rate_limit_per_address}
        if account:
            limits[limit_key("signin-account", account_name(account))] = (
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

    def reserve(self, limits: Mapping[str, int]) -> Reservation:
        """Count one attempt under every limited key now, or refuse with ``retry_after``."""
        active = {key: limit for key, limit in limits.items() if limit > 0}
        attempt_id = uuid.uuid4().hex
        if not active:
            return Reservation((), attempt_id)
        now = self.clock()
        full = self.store().reserve_attempt(
            active,
            attempt_id=attempt_id,
            since=now - self.window,
            at=now,
            expires=now + self.window,
        )
        if not full:
            return Reservation(tuple(active), attempt_id)
        wait = max(attempts.oldest + self.window - now for attempts in full.values())
        return Reservation((), attempt_id, retry_after=max(1, math.ceil(wait)))

    def release(self, reservation: Reservation) -> None:
        """Uncount a reserved attempt (it succeeded).

        A store that fails now costs the user one counted attempt, not the sign-in that
        just succeeded: the failure is logged, not raised.
        """
        if not reservation.keys:
            return
        try:
            self.store().release_attempt(list(reservation.keys), reservation.attempt_id)
        except StoreUnavailable as error:
            logger.warning("flask-authjs: a successful attempt stays counted: %s", error)
