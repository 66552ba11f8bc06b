"""Passkey routes: ``GET webauthn-options/<id>``, ``POST callback/<id>``, ``POST passkey/<op>``.

The options route answers ``{"action", "options"}`` (Auth.js v5's shape) and sets the
challenge cookie. The callback takes ``action`` and ``data`` (the credential's ``toJSON()``
as a string): ``authenticate`` signs the passkey's owner in; ``register`` adds a passkey
to the signed-in user's account. Managing passkeys (``rename``, ``delete``) needs the
session; deleting the last way to sign in is refused.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from .. import passkey_challenge
from ..adapters import Authenticator, DuplicateAccount, User
from ..context import AuthContext, current_auth
from ..errors import (
    LAST_SIGN_IN_METHOD,
    SESSION_REQUIRED,
    TOO_MANY_ATTEMPTS,
    WEBAUTHN_VERIFICATION,
)
from ..providers import Provider
from ..providers.passkey import PasskeyProvider, PasskeyRejected
from ..responses import auth_redirect, json_response, plain_error
from ..signals import passkey_added, send_safely
from .callback import finish_sign_in, sign_in_failed, too_many_attempts
from .posts import checked_post

ACTIONS = ("register", "authenticate")


def _provider(context: AuthContext, provider_id: str) -> PasskeyProvider | None:
    provider = context.providers.get(provider_id)
    return provider if isinstance(provider, PasskeyProvider) else None


def signed_in_user(context: AuthContext) -> User | None:
    claims = context.current_claims()
    if claims is None:
        return None
    return context.adapter.get_user(str(claims["sub"]))


def webauthn_options(provider_id: str) -> Response:
    context = current_auth()
    provider = _provider(context, provider_id)
    if provider is None:
        return json_response(
            {"error": "UnknownProvider", "message": "No such passkey provider."}, 400
        )
    user = signed_in_user(context)
    action = request.args.get("action") or ("register" if user else "authenticate")
    if action not in ACTIONS:
        return json_response(
            {"error": "InvalidInput", "message": "action must be register or authenticate."}, 400
        )
    if action == "register" and user is None:
        # Signing up with only a passkey needs a verified email first; see the docs.
        return json_response(
            {"error": SESSION_REQUIRED, "message": "Sign in to add a passkey to your account."},
            401,
        )
    # Every challenge is a store record, so an address may ask for only so many.
    limits = context.rate_limiter.challenge_limits(request.remote_addr)
    retry_after = context.rate_limiter.retry_after(limits)
    if retry_after is not None:
        limited = json_response({"error": TOO_MANY_ATTEMPTS, "message": "Too many attempts."}, 429)
        limited.headers["Retry-After"] = str(retry_after)
        return limited
    context.rate_limiter.record(limits)
    response = json_response({})
    challenge = passkey_challenge.issue(
        context,
        response,
        action=action,
        user_id=user["id"] if user else None,
        max_age=provider.timeout,
    )
    if user is not None and action == "register":
        existing = context.adapter.list_authenticators(user["id"])
        options = provider.registration_options(context, user, existing, challenge)
    else:
        options = provider.authentication_options(context, challenge)
    response.set_data(current_app.json.dumps({"action": action, "options": options}))
    return response


def passkey_callback(context: AuthContext, provider: Provider) -> Response:
    assert isinstance(provider, PasskeyProvider)
    body, as_json = checked_post(context, failure_page="signin")
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    action = body.get("action")
    if body.get("action") not in ACTIONS or not isinstance(body.get("data"), str):
        return json_response(
            {"error": "InvalidInput", "message": "Send action (register|authenticate) and data."},
            400,
        )
    if action == "register":
        return _register(context, provider, body, callback_url, as_json)
    return _authenticate(context, provider, body["data"], callback_url, as_json)


def _authenticate(
    context: AuthContext, provider: PasskeyProvider, data: str, callback_url: str, as_json: bool
) -> Response:
    limits = context.rate_limiter.sign_in_limits(None, request.remote_addr)
    retry_after = context.rate_limiter.retry_after(limits)
    if retry_after is not None:
        return too_many_attempts(context, retry_after, callback_url, as_json)
    probe = Response()
    challenge = passkey_challenge.take(
        context, probe, action="authenticate", max_age=provider.timeout
    )
    try:
        if challenge is None:
            raise PasskeyRejected("no valid challenge (missing, expired, or used)")
        use = provider.verify_authentication(context, data, challenge.value)
    except PasskeyRejected as rejected:
        current_app.logger.info("flask-authjs: passkey sign-in refused: %s", rejected)
        context.rate_limiter.record(limits)
        response = sign_in_failed(context, WEBAUTHN_VERIFICATION, 401, callback_url, as_json)
    else:
        account = {
            "provider": provider.id,
            "type": "webauthn",
            "providerAccountId": use.authenticator["credential_id"],
        }
        response = finish_sign_in(
            context,
            use.user,
            account,
            callback_url=callback_url,
            as_json=as_json,
            second_factor_done=use.user_verified,
        )
    _copy_cookies(probe, response)
    return response


def _register(
    context: AuthContext,
    provider: PasskeyProvider,
    body: dict[str, Any],
    callback_url: str,
    as_json: bool,
) -> Response:
    user = signed_in_user(context)
    if user is None:
        return json_response(
            {"error": SESSION_REQUIRED, "message": "Sign in to add a passkey."}, 401
        )
    probe = Response()
    challenge = passkey_challenge.take(context, probe, action="register", max_age=provider.timeout)
    try:
        if challenge is None or challenge.user_id != user["id"]:
            raise PasskeyRejected("no valid registration challenge for this user")
        name = str(body.get("name") or _default_name(context, user["id"]))
        authenticator = provider.verify_registration(
            context, body["data"], challenge.value, user["id"], name
        )
        context.adapter.create_authenticator(authenticator)
    except (PasskeyRejected, DuplicateAccount) as rejected:
        current_app.logger.info("flask-authjs: passkey registration refused: %s", rejected)
        response = json_response(
            {"error": WEBAUTHN_VERIFICATION, "message": "The passkey could not be added."}, 400
        )
    else:
        send_safely(
            passkey_added,
            current_app._get_current_object(),  # type: ignore[attr-defined]
            user=user,
            passkey=public_view(authenticator),
        )
        response = (
            json_response({"ok": True, "url": callback_url, "passkey": public_view(authenticator)})
            if as_json
            else auth_redirect(context.action_url("account"), as_json=False)
        )
    _copy_cookies(probe, response)
    return response


def _default_name(context: AuthContext, user_id: str) -> str:
    return f"Passkey {len(context.adapter.list_authenticators(user_id)) + 1}"


def public_view(authenticator: Authenticator) -> dict[str, Any]:
    """What the account page and JSON answers show: never the public key or the counter."""
    return {
        "id": authenticator["credential_id"],
        "name": authenticator["name"],
        "deviceType": authenticator["device_type"],
        "backedUp": authenticator["backed_up"],
        "createdAt": authenticator["created_at"],
        "lastUsedAt": authenticator["last_used_at"],
    }


def _copy_cookies(source: Response, target: Response) -> None:
    for header in source.headers.getlist("Set-Cookie"):
        target.headers.add("Set-Cookie", header)


# Managing passkeys: ``POST {base}/passkey/rename`` and ``POST {base}/passkey/delete``.


def manage_passkey(operation: str) -> Response:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="account")
    user = signed_in_user(context)
    if user is None:
        return json_response({"error": SESSION_REQUIRED, "message": "Sign in first."}, 401)
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id:
        return json_response({"error": "InvalidInput", "message": "credentialId is missing."}, 400)
    store = context.adapter
    if operation == "rename":
        name = str(body.get("name", "")).strip()[:64]
        done = bool(name) and store.rename_authenticator(user["id"], credential_id, name)
    elif operation == "delete":
        if is_last_sign_in_method(context, user, credential_id):
            return _answer(context, as_json, 409, LAST_SIGN_IN_METHOD)
        done = store.delete_authenticator(user["id"], credential_id)
    else:
        return plain_error(f"Unknown passkey operation {operation!r}.", 400)
    return _answer(context, as_json, 200 if done else 404, None if done else "NotFound")


def is_last_sign_in_method(context: AuthContext, user: User, credential_id: str) -> bool:
    """Would deleting this passkey leave no way in? (No password, no linked account, no
    other passkey.)"""
    if user["password_hash"]:
        return False
    if context.adapter.list_accounts(user["id"]):
        return False
    others = [
        a
        for a in context.adapter.list_authenticators(user["id"])
        if a["credential_id"] != credential_id
    ]
    return not others


def _answer(context: AuthContext, as_json: bool, status: int, error: str | None) -> Response:
    url = context.action_url("account")
    if error:
        url += f"?error={error}"
    return auth_redirect(url, as_json=as_json, status=status, error=error)
