"""The second-factor gate of the sign-in pipeline: a short-lived "pending" state, not a session.

When a user with two-factor on passes the first factor (password, OAuth, magic link), the
pipeline stops here, before any session. The ``authjs.two-factor`` cookie carries what the
rest of the sign-in needs (the user, the account, where to go) as a JWT of purpose
``two-factor-pending``: it lives five minutes and can never verify as a session (``GET
session`` with it is no session). ``{base}/two-factor`` asks for a code and then calls
:meth:`SignInPipeline.complete` with :func:`read_pending`'s attempt.

A passkey sign-in whose device verified the user (PIN or biometric) is both factors, and
passes. ``json=true`` clients get ``401 {"error": "TwoFactorRequired", "url": ...}``.
This module needs no optional package: it only reads whether the user has two-factor on.
"""

from __future__ import annotations

from functools import lru_cache

from ..context import AuthContext, current_auth
from ..cookies import cookie_prefix, delete_cookie_header, read_chunked, set_cookie_header
from ..errors import TWO_FACTOR_REQUIRED
from ..responses import with_query
from ..tokens import TokenCodec
from .core import Attempt, Halted

PURPOSE = "two-factor-pending"
COOKIE = "authjs.two-factor"
#: Seconds between the first factor and the code.
PENDING_MAX_AGE = 5 * 60
USER_FIELDS = ("id", "name", "email", "image")
ACCOUNT_FIELDS = ("provider", "type", "providerAccountId")


@lru_cache(maxsize=8)
def _codec(secrets: tuple[str, ...], algorithm: str) -> TokenCodec:
    return TokenCodec(secrets, PURPOSE, algorithm=algorithm, max_lifetime=PENDING_MAX_AGE)


def cookie_name(context: AuthContext) -> str:
    """``__Host-`` on https: only this host can set it (see :func:`cookie_prefix`)."""
    return cookie_prefix(context.secure()) + COOKIE


def required(context: AuthContext, user_id: str) -> bool:
    """Does this user's sign-in need a second factor? (One store read, when 2FA is on.)"""
    if not context.settings.two_factor:
        return False
    record = context.adapter.get_two_factor(user_id)
    return record is not None and record["enabled"]


def two_factor_gate(attempt: Attempt) -> Halted | None:
    """Stop a first-factor sign-in of a user with two-factor on; let the rest through."""
    context = current_auth()
    account = attempt.account
    if account.get("type") == "webauthn" and account.get("userVerified") is True:
        return None
    if not required(context, str(attempt.user["id"])):
        return None
    token = _codec(context.settings.secrets, context.settings.jwt_algorithm).encode(
        {
            "sub": str(attempt.user["id"]),
            "usr": {key: attempt.user.get(key) for key in USER_FIELDS},
            "acc": {key: account.get(key) for key in ACCOUNT_FIELDS},
            "cb": attempt.callback_url,
            "new": attempt.is_new_user,
        },
        now=context.now(),
        max_age=PENDING_MAX_AGE,
    )
    cookie = set_cookie_header(
        cookie_name(context), token, secure=context.secure(), max_age=PENDING_MAX_AGE
    )
    # The code in the URL too, where next-auth/react's signIn() looks for errors.
    url = with_query(context.action_url("two-factor"), {"error": TWO_FACTOR_REQUIRED})
    return Halted(url, cookies=[cookie], status=401, error=TWO_FACTOR_REQUIRED)


def read_pending(context: AuthContext, cookies: str) -> Attempt | None:
    """The pending sign-in in the ``Cookie`` header, or ``None`` (none, forged, expired)."""
    token = read_chunked(cookies, cookie_name(context)).value
    if token is None:
        return None
    claims = _codec(context.settings.secrets, context.settings.jwt_algorithm).decode(
        token, now=context.now()
    )
    if claims is None:
        return None
    user, account = claims.get("usr"), claims.get("acc")
    if not isinstance(user, dict) or not isinstance(account, dict):
        return None
    if user.get("id") != claims["sub"]:
        return None
    return Attempt(
        user=user,
        account=account,
        callback_url=str(claims.get("cb", "")),
        is_new_user=bool(claims.get("new")),
    )


def clear_pending(context: AuthContext) -> str:
    """The ``Set-Cookie`` value that removes the pending cookie."""
    return delete_cookie_header(cookie_name(context), secure=context.secure())
