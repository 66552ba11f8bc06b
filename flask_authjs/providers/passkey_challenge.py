"""WebAuthn challenges: in a signed, short-lived, purpose-bound cookie, and usable once.

``GET {base}/webauthn-options/<id>`` makes a random 32-byte challenge, puts it in the
``authjs.challenge`` cookie (a JWT of purpose ``webauthn-challenge``, so it can never pass
for a session or an OAuth check) together with the ceremony (``register`` or
``authenticate``) and, for registration, the signed-in user it was made for. The store
gets a hash of the challenge as a verification token: verifying consumes it, so an
assertion cannot be replayed even with the cookie that came with it, and a challenge made
for one browser's session does not verify in another.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from ..context import AuthContext
from ..cookies import cookie_prefix, delete_cookie_header, read_chunked, set_cookie_header
from ..tokens import TokenCodec

PURPOSE = "webauthn-challenge"
#: The store's verification-token identifier for challenges (never an email address).
IDENTIFIER = "webauthn-challenge"
COOKIE = "authjs.challenge"
ANONYMOUS = "-"


@dataclass(frozen=True)
class Challenge:
    value: bytes
    action: str
    #: The user a registration was started for; ``None`` for authentication.
    user_id: str | None


@dataclass(frozen=True)
class Issued:
    value: bytes
    #: The ``Set-Cookie`` value that carries it.
    cookie: str


@lru_cache(maxsize=8)
def _codec(secrets: tuple[str, ...], algorithm: str, max_age: int) -> TokenCodec:
    return TokenCodec(secrets, PURPOSE, algorithm=algorithm, max_lifetime=max_age)


def cookie_name(context: AuthContext) -> str:
    """``__Host-`` on https: only this host can set it (see :func:`cookie_prefix`)."""
    return cookie_prefix(context.secure()) + COOKIE


def _digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def issue(context: AuthContext, *, action: str, user_id: str | None, max_age: int) -> Issued:
    """A new challenge, stored (hashed) for single use, and the cookie that carries it."""
    value = os.urandom(32)
    now = context.now()
    codec = _codec(context.settings.secrets, context.settings.jwt_algorithm, max_age)
    token = codec.encode(
        {
            "sub": user_id or ANONYMOUS,
            "act": action,
            "chl": base64.urlsafe_b64encode(value).decode(),
        },
        now=now,
        max_age=max_age,
    )
    context.adapter.create_verification_token(IDENTIFIER, _digest(value), now + max_age)
    cookie = set_cookie_header(
        cookie_name(context), token, secure=context.secure(), max_age=max_age
    )
    return Issued(value, cookie)


def take(context: AuthContext, cookies: str, *, action: str, max_age: int) -> Challenge | None:
    """The challenge in the ``Cookie`` header for ``action``, consumed; ``None`` if it is
    missing, forged, stale, for the other ceremony, or used already."""
    token = read_chunked(cookies, cookie_name(context)).value
    if token is None:
        return None
    codec = _codec(context.settings.secrets, context.settings.jwt_algorithm, max_age)
    claims = codec.decode(token, now=context.now())
    if claims is None or claims.get("act") != action or not isinstance(claims.get("chl"), str):
        return None
    try:
        value = base64.urlsafe_b64decode(claims["chl"])
    except ValueError:
        return None
    if context.adapter.use_verification_token(IDENTIFIER, _digest(value)) is None:
        return None
    sub = claims["sub"]
    return Challenge(value, action, None if sub == ANONYMOUS else sub)


def clear(context: AuthContext) -> str:
    """The ``Set-Cookie`` value that removes the challenge cookie (spent either way)."""
    return delete_cookie_header(cookie_name(context), secure=context.secure())
