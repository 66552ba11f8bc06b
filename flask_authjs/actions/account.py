"""``GET {base}/account``: the signed-in user's passkeys and two-factor settings.

A built-in page (``templates/authjs/account.html``, overridable like every page) from
which a user adds, renames and deletes passkeys and turns TOTP two-factor on or off.
Adding a passkey needs JavaScript (the browser's WebAuthn API, through ``client.js``);
everything else is a plain form post.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Response, render_template, request

from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..errors import INVALID_CODE, LAST_SIGN_IN_METHOD
from ..responses import auth_redirect, html_response

if TYPE_CHECKING:
    from ..second_factor import Enrolment

MESSAGES = {
    INVALID_CODE: "That code is not valid. Check it and try again.",
    LAST_SIGN_IN_METHOD: "This passkey is your only way to sign in, so it cannot be deleted.",
    "TwoFactorAlreadyOn": "Two-factor sign-in is on already.",
    "TooManyAttempts": "Too many attempts. Please wait a few minutes and try again.",
    "NotFound": "That passkey was not found.",
}


def account_page() -> Response:
    context = current_auth()
    claims = context.current_claims()
    user = context.adapter.get_user(str(claims["sub"])) if claims else None
    if user is None:
        return auth_redirect(
            context.sign_in_page_url(callback_url=context.action_url("account")), as_json=False
        )
    return render_account_page(context, user, error=request.args.get("error"))


def render_account_page(
    context: AuthContext,
    user: Mapping[str, Any],
    *,
    enrolment: Enrolment | None = None,
    recovery_codes: list[str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    from .passkey import public_view

    store = context.adapter
    record = store.get_two_factor(user["id"]) if context.settings.two_factor else None
    passkey_providers = [p for p in context.providers.values() if p.type == "webauthn"]
    html = render_template(
        "authjs/account.html",
        user=user,
        csrf_token=csrf_token(),
        base_url=context.base_url(),
        passkey_provider=passkey_providers[0] if passkey_providers else None,
        passkeys=[public_view(a) for a in store.list_authenticators(user["id"])],
        two_factor_available=context.settings.two_factor,
        two_factor_on=bool(record and record["enabled"]),
        recovery_codes_left=store.count_recovery_codes(user["id"]) if record else 0,
        enrolment=enrolment,
        recovery_codes=recovery_codes,
        error_message=MESSAGES.get(error or "", "Something went wrong.") if error else None,
        notice=notice,
    )
    return html_response(html, status)
