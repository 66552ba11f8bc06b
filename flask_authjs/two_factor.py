"""The second-factor stop of sign-in: a short-lived "pending" state that is not a session.

When a user with two-factor on passes the first factor (password, OAuth, magic link), the
sign-in does not issue a session. It sets the ``authjs.two-factor`` cookie instead: a JWT
of purpose ``two-factor-pending`` (so it can never verify as a session: ``GET session``
with it is no session) that lives five minutes and carries what the rest of the sign-in
needs (the user, the account, where to go). ``{base}/two-factor`` asks for a code and
only then lets the pipeline issue the session.

``json=true`` clients get ``401 {"error": "TwoFactorRequired", "url": "{base}/two-factor?..."}``.
This module needs no optional package: it only reads whether the user has two-factor on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Response, request

from .context import AuthContext
from .cookies import delete_cookie_header, read_chunked, set_cookie_header
from .errors import TWO_FACTOR_REQUIRED
from .responses import auth_redirect, with_query
from .tokens import TokenCodec

PURPOSE = "two-factor-pending"
COOKIE = "authjs.two-factor"
#: Seconds between the first factor and the code.
PENDING_MAX_AGE = 5 * 60
USER_FIELDS = ("id", "name", "email", "image")


@dataclass(frozen=True)
class Pending:
    user: dict[str, Any]
    account: dict[str, Any]
    callback_url: str
    is_new_user: bool


@lru_cache(maxsize=8)
def _codec(secrets: tuple[str, ...], algorithm: str) -> TokenCodec:
    return TokenCodec(secrets, PURPOSE, algorithm=algorithm, max_lifetime=PENDING_MAX_AGE)


def cookie_name(context: AuthContext) -> str:
    return ("__Secure-" if context.secure() else "") + COOKIE


def required(context: AuthContext, user_id: str) -> bool:
    """Does this user's sign-in need a second factor? (One store read, when 2FA is on.)"""
    if not context.settings.two_factor:
        return False
    record = context.adapter.get_two_factor(user_id)
    return record is not None and record["enabled"]


def pending_response(
    context: AuthContext,
    *,
    user: dict[str, Any],
    account: dict[str, Any],
    callback_url: str,
    as_json: bool,
    is_new_user: bool,
) -> Response:
    """Stop the sign-in here: the pending cookie, and a redirect (or JSON) to the code page."""
    token = _codec(context.settings.secrets, context.settings.jwt_algorithm).encode(
        {
            "sub": str(user["id"]),
            "usr": {key: user.get(key) for key in USER_FIELDS},
            "acc": {k: account.get(k) for k in ("provider", "type", "providerAccountId")},
            "cb": callback_url,
            "new": is_new_user,
        },
        now=context.now(),
        max_age=PENDING_MAX_AGE,
    )
    # The code in the URL too, where next-auth/react's signIn() looks for errors.
    url = with_query(context.action_url("two-factor"), {"error": TWO_FACTOR_REQUIRED})
    response = auth_redirect(url, as_json=as_json, status=401, error=TWO_FACTOR_REQUIRED)
    response.headers.add(
        "Set-Cookie",
        set_cookie_header(
            cookie_name(context), token, secure=context.secure(), max_age=PENDING_MAX_AGE
        ),
    )
    return response


def read_pending(context: AuthContext) -> Pending | None:
    """The request's pending sign-in, or ``None`` if there is none (or it expired)."""
    token = read_chunked(request.headers.get("Cookie", ""), cookie_name(context)).value
    if token is None:
        return None
    claims = _codec(context.settings.secrets, context.settings.jwt_algorithm).decode(
        token, now=context.now()
    )
    if claims is None:
        return None
    user, account = claims.get("usr"), claims.get("acc")
    if (
        not isinstance(user, dict)
        or not isinstance(account, dict)
        or user.get("id") != claims["sub"]
    ):
        return None
    return Pending(user, account, str(claims.get("cb", "")), bool(claims.get("new")))


def clear_pending(context: AuthContext, response: Response) -> None:
    response.headers.add(
        "Set-Cookie", delete_cookie_header(cookie_name(context), secure=context.secure())
    )
