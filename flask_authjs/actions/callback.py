"""``{base}/callback/<id>``: where every sign-in ends, and :func:`finish_sign_in`, its last step.

Credentials post here directly (CSRF checked); OAuth providers come back here with a code
(checked by state and PKCE instead). Whichever way, :func:`finish_sign_in` runs the
``sign_in`` and ``jwt`` callbacks, starts the session and answers with the session in
the JSON body, so a ``fetch`` client has the user id at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, request

from .. import two_factor
from ..adapters import StoreUnavailable
from ..context import AuthContext, current_auth
from ..cookies import read_chunked
from ..csrf import rotate_csrf_token
from ..errors import (
    ACCESS_DENIED,
    CONFIGURATION,
    CREDENTIALS_SIGNIN,
    INVALID_PASSWORD,
    TOO_MANY_ATTEMPTS,
)
from ..providers import CredentialsProvider
from ..providers.credentials import PasswordRejected
from ..responses import auth_redirect, plain_error, with_query
from ..sessions import claims_for_user
from ..signals import send_safely, signed_in
from .posts import checked_post

#: Form fields that belong to the protocol, not to the user's credentials.
PROTOCOL_FIELDS = ("csrfToken",)


def callback(provider_id: str) -> Response:
    context = current_auth()
    provider = context.providers.get(provider_id)
    if provider is None:
        return plain_error(f"Unknown provider {provider_id!r}.", 400)
    if isinstance(provider, CredentialsProvider):
        if request.method != "POST":
            return plain_error("Credentials are accepted by POST only.", 400)
        return credentials_callback(context, provider)
    if provider.type == "webauthn":
        if request.method != "POST":
            return plain_error("Passkeys are accepted by POST only.", 400)
        from .passkey import passkey_callback  # imports webauthn: only when used

        return passkey_callback(context, provider)
    return provider.handle_callback(context)


def credentials_callback(context: AuthContext, provider: CredentialsProvider) -> Response:
    body, as_json = checked_post(context, failure_page="signin")
    cookie_callback = read_chunked(
        request.headers.get("Cookie", ""), context.cookie_names().callback_url
    ).value
    callback_url = context.resolve_callback_url(body.get("callbackUrl") or cookie_callback)
    credentials = {k: v for k, v in body.items() if k not in PROTOCOL_FIELDS}
    limits = context.rate_limiter.sign_in_limits(credentials.get("email"), request.remote_addr)
    retry_after = context.rate_limiter.retry_after(limits)
    if retry_after is not None:
        return too_many_attempts(context, retry_after, callback_url, as_json)
    try:
        user = provider.authenticate(credentials, request, context)
    except PasswordRejected:
        return sign_in_failed(context, INVALID_PASSWORD, 400, callback_url, as_json)
    except StoreUnavailable:
        raise
    except Exception:
        current_app.logger.exception("flask-authjs: authorize() of %r raised", provider.id)
        return configuration_error(context, as_json)
    if user is None:
        context.rate_limiter.record(limits)
        return sign_in_failed(context, CREDENTIALS_SIGNIN, 401, callback_url, as_json)
    if not isinstance(user, Mapping) or user.get("id") in (None, ""):
        current_app.logger.error(
            "flask-authjs: authorize() of %r must return a dict with an 'id', or None", provider.id
        )
        return configuration_error(context, as_json)
    account = {"provider": provider.id, "type": "credentials", "providerAccountId": str(user["id"])}
    return finish_sign_in(
        context,
        dict(user),
        account,
        callback_url=callback_url,
        as_json=as_json,
        credentials=credentials,
    )


def finish_sign_in(
    context: AuthContext,
    user: dict[str, Any],
    account: dict[str, Any],
    *,
    callback_url: str,
    as_json: bool,
    credentials: Mapping[str, str] | None = None,
    profile: Mapping[str, Any] | None = None,
    is_new_user: bool = False,
    second_factor_done: bool = False,
) -> Response:
    """The ``sign_in`` callback, then the second-factor stop, then :func:`issue_signed_in`.

    ``second_factor_done``: the first factor was strong enough for both (a passkey with
    user verification), so no code is asked for.
    """
    callbacks = context.auth.callbacks
    if "sign_in" in callbacks:
        allowed = callbacks["sign_in"](
            user=user, account=account, credentials=credentials, profile=profile
        )
        if allowed is False or allowed is None:
            url = with_query(context.page_url("error", "error"), {"error": ACCESS_DENIED})
            return auth_redirect(url, as_json=as_json, status=403, error=ACCESS_DENIED)
        if isinstance(allowed, str):
            callback_url = context.resolve_callback_url(allowed)
    if not second_factor_done and two_factor.required(context, str(user["id"])):
        return two_factor.pending_response(
            context,
            user=user,
            account=account,
            callback_url=callback_url,
            as_json=as_json,
            is_new_user=is_new_user,
        )
    return issue_signed_in(
        context,
        user,
        account,
        callback_url=callback_url,
        as_json=as_json,
        profile=profile,
        is_new_user=is_new_user,
    )


def issue_signed_in(
    context: AuthContext,
    user: dict[str, Any],
    account: dict[str, Any],
    *,
    callback_url: str,
    as_json: bool,
    profile: Mapping[str, Any] | None = None,
    is_new_user: bool = False,
) -> Response:
    """Every factor passed: the ``jwt`` callback, the session cookie, the ``signed_in`` signal."""
    callbacks = context.auth.callbacks
    token = claims_for_user(user)
    if "jwt" in callbacks:
        token = callbacks["jwt"](
            token=token,
            user=user,
            account=account,
            profile=profile,
            trigger="signUp" if is_new_user else "signIn",
            is_new_user=is_new_user,
        )
    if not isinstance(token, dict) or not isinstance(token.get("sub"), str):
        current_app.logger.error("flask-authjs: the jwt callback must return a dict with 'sub'")
        return configuration_error(context, as_json)
    if is_new_user and "new_user" in context.auth.pages:
        callback_url = with_query(
            context.page_url("new_user", "signin"), {"callbackUrl": callback_url}
        )
    issued = context.issue_session(token)
    response = auth_redirect(
        callback_url, as_json=as_json, session=context.session_view(issued.claims)
    )
    context.set_session_cookie(response, issued)
    rotate_csrf_token()
    send_safely(
        signed_in,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        user=user,
        account=account,
        is_new_user=is_new_user,
    )
    return response


def sign_in_failed(
    context: AuthContext, error: str, status: int, callback_url: str, as_json: bool
) -> Response:
    url = context.sign_in_page_url(callback_url=callback_url, error=error)
    return auth_redirect(url, as_json=as_json, status=status, error=error)


def too_many_attempts(
    context: AuthContext, retry_after: int, callback_url: str, as_json: bool
) -> Response:
    """429 (JSON) or back to the sign-in page with ``TooManyAttempts``; ``Retry-After`` always."""
    response = sign_in_failed(context, TOO_MANY_ATTEMPTS, 429, callback_url, as_json)
    response.headers["Retry-After"] = str(retry_after)
    return response


def configuration_error(context: AuthContext, as_json: bool) -> Response:
    url = with_query(context.page_url("error", "error"), {"error": CONFIGURATION})
    return auth_redirect(url, as_json=as_json, status=500, error=CONFIGURATION)
