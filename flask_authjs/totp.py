"""TOTP codes (RFC 6238, via ``pyotp``), and recovery codes.

TOTP secrets are sealed at rest (:class:`~flask_authjs.sealing.TokenSealer` with purpose
:data:`SEALING_PURPOSE`, bound to the user id): a TOTP secret is a password the server
must read back, so a copy of the database alone must not let anyone compute the codes.

Why recovery codes are plain SHA-256: each is 80 random bits, so a hash table of them
cannot be searched, and a slow hash would buy nothing (as with Auth.js's email tokens).

``pyotp`` comes with the ``passkeys`` extra; this module is imported only when two-factor
is turned on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random

import pyotp

#: Seconds per code, digits per code, and steps accepted either side of now (clock drift).
PERIOD = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
#: The key purpose TOTP secrets are sealed under (keys of their own, apart from OAuth tokens').
SEALING_PURPOSE = "totp-secret"


def new_secret() -> str:
    """160 random bits in base32, the size RFC 4226 recommends and authenticator apps read."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=account, issuer_name=issuer
    )


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).at(step * PERIOD)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code is ``code`` (now, or one step either side), else ``None``.

    The caller must still record the step as used (``Adapter.use_totp_step``): a code is
    accepted once, which pyotp alone does not ensure.
    """
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    current = int(now) // PERIOD
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time, so timing says nothing.
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    return found


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, written ``xxxx-xxxx-xxxx-xxxx`` (base32, lower)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(random.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_code_hash(user_id: str, code: str) -> str:
    """What the store keeps: a hash of the code as typed, forgiving case, spaces and dashes."""
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{user_id}:{normal}".encode()).hexdigest()
