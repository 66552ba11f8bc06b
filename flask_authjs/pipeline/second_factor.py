"""Checking and managing a user's second factor: TOTP enrolment, codes, recovery codes.

Used by the ``two-factor`` sign-in step and the account page (``actions/two_factor.py``).
A code is checked against the user's sealed TOTP secret (accepted once: the store
records the time step) or against their hashed recovery codes (each deleted when used).
Failed codes count in the same per-account rate limit as failed passwords, so a second
factor cannot be guessed faster than a first one.

Needs the ``passkeys`` extra (``pyotp``, ``cryptography``, ``segno``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import segno

from .. import totp
from ..adapters import User
from ..context import AuthContext
from ..sealing import TokenSealer


@dataclass(frozen=True)
class Enrolment:
    """What the user needs to add the account to an authenticator app."""

    secret: str
    uri: str
    qr_svg: str


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@lru_cache(maxsize=8)
def _sealer(secrets: tuple[str, ...]) -> TokenSealer:
    return TokenSealer(secrets, totp.SEALING_PURPOSE)


def secret_sealer(context: AuthContext) -> TokenSealer:
    """Seals TOTP secrets, bound to their user, with keys derived from ``AUTHJS_SECRET``."""
    return _sealer(context.settings.secrets)


def issuer(context: AuthContext) -> str:
    return (
        context.settings.two_factor_issuer or urlsplit(context.origin()).hostname or "flask-authjs"
    )


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no external service sees the secret); ``segno``, pure Python."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="QR code"
    )
    return buffer.getvalue().decode()


def start_enrolment(context: AuthContext, user: User) -> Enrolment:
    """A new secret, stored sealed but not enabled until a code confirms it."""
    secret = totp.new_secret()
    context.adapter.set_two_factor(
        user["id"], secret_sealer(context).seal(secret, bound_to=user["id"]), enabled=False
    )
    uri = totp.provisioning_uri(secret, account=user["email"], issuer=issuer(context))
    return Enrolment(secret, uri, qr_svg(uri))


def new_recovery_codes(context: AuthContext, user_id: str) -> list[str]:
    """Ten fresh codes replace the old ones; the store keeps only their hashes."""
    codes = totp.new_recovery_codes()
    context.adapter.set_recovery_codes(
        user_id, [totp.recovery_code_hash(user_id, code) for code in codes]
    )
    return codes


def check_code(
    context: AuthContext,
    user_id: str,
    email: str | None,
    code: str,
    *,
    address: str | None,
    recovery: bool = True,
    pending_enrolment: bool = False,
) -> str | None:
    """``"totp"`` or ``"recovery-code"`` if ``code`` is a valid, unused second factor of the
    user, else ``None`` (counted as a failed attempt). Raises :class:`TooManyAttempts`.

    ``pending_enrolment`` checks the not yet enabled secret (the confirming code).
    """
    limiter = context.rate_limiter
    reservation = limiter.reserve(limiter.sign_in_limits(email or user_id, address))
    if reservation.retry_after is not None:
        raise TooManyAttempts(reservation.retry_after)
    method = _verify(context, user_id, code, recovery=recovery, pending=pending_enrolment)
    if method is not None:  # a good code uncounts its attempt; a wrong one stays counted
        limiter.release(reservation)
    return method


def _verify(
    context: AuthContext, user_id: str, code: str, *, recovery: bool, pending: bool
) -> str | None:
    store = context.adapter
    record = store.get_two_factor(user_id)
    if record is None or record["enabled"] == pending:
        return None
    secret = secret_sealer(context).open(record["secret"], bound_to=user_id)
    if secret is not None:
        step = totp.matching_step(secret, code, context.clock())
        if step is not None and step > record["last_step"] and store.use_totp_step(user_id, step):
            return "totp"
    if (
        recovery
        and not pending
        and code.strip()
        and store.use_recovery_code(user_id, totp.recovery_code_hash(user_id, code))
    ):
        return "recovery-code"
    return None
