"""Passkey routes: ``GET webauthn-options/<id>``, registering in ``POST callback/<id>``,
and ``POST passkey/<op>``.

The options route answers ``{"action", "options"}`` (Auth.js v5's shape) and sets the
challenge cookie. The callback with ``action=register`` and ``data`` (the credential's
``toJSON()`` as a string) adds a passkey to the signed-in user's account; with
``action=authenticate`` it is a sign-in like any other (the provider and the pipeline).
Managing passkeys (``rename``, ``delete``) needs the session; deleting the last way to
sign in is refused.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..adapters import Authenticator, User
from ..context import AuthContext, current_auth
from ..email_links import notify_security_change
from ..errors import (
    INVALID_INPUT,
    LAST_SIGN_IN_METHOD,
    SESSION_REQUIRED,
    TOO_MANY_ATTEMPTS,
    WEBAUTHN_VERIFICATION,
)
from ..exceptions import DuplicateAccount
from ..providers import Provider, passkey_challenge
from ..providers.passkey import PasskeyProvider, PasskeyRejected
from ..responses import Result, json_result, redirect_result, text_result, with_query
from ..signals import passkey_added, send_safely
from .posts import checked_post

ACTIONS = ("register", "authenticate")


def signed_in_user(context: AuthContext) -> User | None:
    claims = context.current_claims()
    if claims is None:
        return None
    return context.adapter.get_user(str(claims["sub"]))


def _error(code: str, message: str, status: int) -> Result:
    return json_result({"error": code, "message": message}, status)


def webauthn_options(provider_id: str) -> Result:
    context = current_auth()
    provider = context.providers.get(provider_id)
    if not isinstance(provider, PasskeyProvider):
        return _error("UnknownProvider", "No such passkey provider.", 400)
    user = signed_in_user(context)
    action = request.args.get("action") or ("register" if user else "authenticate")
    if action not in ACTIONS:
        return _error(INVALID_INPUT, "action must be register or authenticate.", 400)
    if action == "register" and user is None:
        # Signing up with only a passkey needs a verified email first; see the docs.
        return _error(SESSION_REQUIRED, "Sign in to add a passkey to your account.", 401)
    # Every challenge is a store record, so an address may ask for only so many.
    limiter = context.rate_limiter
    reservation = limiter.reserve(limiter.challenge_limits(request.remote_addr))
    if reservation.retry_after is not None:
        limited = _error(TOO_MANY_ATTEMPTS, "Too many attempts.", 429)
        limited.headers.append(("Retry-After", str(reservation.retry_after)))
        return limited
    issued = passkey_challenge.issue(
        context, action=action, user_id=user["id"] if user else None, max_age=provider.timeout
    )
    if user is not None and action == "register":
        existing = context.adapter.list_authenticators(user["id"])
        options = provider.registration_options(context, user, existing, issued.value)
    else:
        options = provider.authentication_options(context, issued.value)
    return json_result({"action": action, "options": options}).with_cookies([issued.cookie])


def register_passkey(
    context: AuthContext, provider: Provider, params: dict[str, Any], *, as_json: bool
) -> Result:
    """``POST {base}/callback/<id>`` with ``action=register``: add the signed-in user's passkey."""
    assert isinstance(provider, PasskeyProvider)
    spent = [passkey_challenge.clear(context)]
    user = signed_in_user(context)
    if user is None:
        return _error(SESSION_REQUIRED, "Sign in to add a passkey.", 401).with_cookies(spent)
    challenge = passkey_challenge.take(
        context, request.headers.get("Cookie", ""), action="register", max_age=provider.timeout
    )
    try:
        if challenge is None or challenge.user_id != user["id"]:
            raise PasskeyRejected("no valid registration challenge for this user")
        if not isinstance(params.get("data"), str):
            raise PasskeyRejected("no credential data")
        name = str(params.get("name") or _default_name(context, user["id"]))
        authenticator = provider.verify_registration(
            context, params["data"], challenge.value, user["id"], name
        )
        context.adapter.create_authenticator(authenticator)
    except (PasskeyRejected, DuplicateAccount) as rejected:
        current_app.logger.info("flask-authjs: passkey registration refused: %s", rejected)
        return _error(WEBAUTHN_VERIFICATION, "The passkey could not be added.", 400).with_cookies(
            spent
        )
    send_safely(
        passkey_added,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        user=user,
        passkey=public_view(authenticator),
    )
    # Best effort: the passkey stays whether or not the mail goes out.
    notify_security_change(
        context, user["email"], "passkey_added", passkey_name=authenticator["name"]
    )
    if as_json:
        answer = {"ok": True, "passkey": public_view(authenticator)}
        return json_result(answer).with_cookies(spent)
    return redirect_result(context.action_url("account"), as_json=False).with_cookies(spent)


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


# Managing passkeys: ``POST {base}/passkey/rename`` and ``POST {base}/passkey/delete``.


def manage_passkey(operation: str) -> Result:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="account")
    user = signed_in_user(context)
    if user is None:
        return _error(SESSION_REQUIRED, "Sign in first.", 401)
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id:
        return _error(INVALID_INPUT, "credentialId is missing.", 400)
    store = context.adapter
    if operation == "rename":
        name = str(body.get("name", "")).strip()[:64]
        done = bool(name) and store.rename_authenticator(user["id"], credential_id, name)
    elif operation == "delete":
        if is_last_sign_in_method(context, user, credential_id):
            return _answer(context, as_json, 409, LAST_SIGN_IN_METHOD)
        done = store.delete_authenticator(user["id"], credential_id)
    else:
        return text_result(f"Unknown passkey operation {operation!r}.", 400)
    return _answer(context, as_json, 200 if done else 404, None if done else "NotFound")


def is_last_sign_in_method(context: AuthContext, user: User, credential_id: str) -> bool:
    """Would deleting this passkey leave no way in? (No password, no linked account, no
    other passkey.)"""
    if user["password_hash"]:
        return False
    if context.adapter.list_accounts(user["id"]):
        return False
    passkeys = context.adapter.list_authenticators(user["id"])
    return not [a for a in passkeys if a["credential_id"] != credential_id]


def _answer(context: AuthContext, as_json: bool, status: int, error: str | None) -> Result:
    url = with_query(context.action_url("account"), {"error": error})
    return redirect_result(url, as_json=as_json, status=status, error=error)
