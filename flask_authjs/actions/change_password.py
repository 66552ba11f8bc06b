"""``GET/POST {base}/change-password``: a signed-in user replaces their password.

The current password is required (a session left open on a shared computer is not
enough to lock its owner out), counted against the same brute-force limits as sign-in.
Success ends every other session of the user and signs in again here. An account
without a password (magic links, OAuth) sets one through ``forgot-password``, which
proves the mailbox instead.
"""

from __future__ import annotations

from flask import request

from ..context import AuthContext, current_auth
from ..errors import SESSION_REQUIRED, TOO_MANY_ATTEMPTS
from ..exceptions import SignInError
from ..passwords import password_problem
from ..responses import Result, redirect_result
from .mail_answers import (
    form_page,
    form_rejected,
    password_changed,
    sign_in_proven,
    store_credentials,
)
from .outcomes import sign_in_error_result
from .posts import checked_post

TEMPLATE = "authjs/change_password.html"
NO_PASSWORD = "This account has no password yet: use “Forgot your password?” to set one."


def change_password_page() -> Result:
    context = current_auth()
    claims = context.current_claims()
    if claims is None or store_credentials(context) is None:
        return _sign_in_first(context, as_json=False)
    raw_callback = request.args.get("callbackUrl")
    callback_url = context.resolve_callback_url(raw_callback) if raw_callback else ""
    return form_page(TEMPLATE, callback_url=callback_url, email=claims.get("email") or "")


def change_password() -> Result:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="change-password")
    claims = context.current_claims()
    if claims is None or store_credentials(context) is None:
        return _sign_in_first(context, as_json)
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    user = context.adapter.get_user(claims["sub"])
    if user is None:
        return _sign_in_first(context, as_json)
    page = {"callback_url": callback_url, "email": user["email"]}
    if not user["password_hash"]:
        return form_rejected(TEMPLATE, as_json, {"currentPassword": [NO_PASSWORD]}, **page)
    limiter = context.rate_limiter
    # Reserved before bcrypt runs, as sign-in does; released if the guess was right.
    reservation = limiter.reserve(limiter.sign_in_limits(user["email"], request.remote_addr))
    if reservation.retry_after is not None:
        error = SignInError(TOO_MANY_ATTEMPTS, status=429, retry_after=reservation.retry_after)
        return sign_in_error_result(context, error, callback_url=callback_url, as_json=as_json)
    if not context.password_hasher.verify(body.get("currentPassword", ""), user["password_hash"]):
        errors = {"currentPassword": ["The current password is not right."]}
        return form_rejected(TEMPLATE, as_json, errors, **page)
    limiter.release(reservation)
    password = body.get("password", "")
    problem = password_problem(password, for_new_password=True)
    if problem or not password:
        errors = {"password": [problem or "Choose a password."]}
        return form_rejected(TEMPLATE, as_json, errors, **page)
    context.adapter.set_password_hash(user["id"], context.password_hasher.hash(password))
    password_changed(context, dict(user))
    return sign_in_proven(context, dict(user), callback_url=callback_url, as_json=as_json)


def _sign_in_first(context: AuthContext, as_json: bool) -> Result:
    url = context.sign_in_page_url(
        callback_url=context.action_url("change-password"), error=SESSION_REQUIRED
    )
    return redirect_result(url, as_json=as_json, status=401, error=SESSION_REQUIRED)
