"""``GET {base}/account``: the signed-in user's passkeys and two-factor settings.

A built-in page (``templates/authjs/account.html``, overridable like every page) from
which a user adds, renames and deletes passkeys and turns TOTP two-factor on or off.
Adding a passkey needs JavaScript (the browser's WebAuthn API, through ``client.js``);
everything else is a plain form post.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import render_template, request

from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..responses import Result, page_result, redirect_result
from .passkey import public_view, signed_in_user

if TYPE_CHECKING:
    from ..pipeline.second_factor import Enrolment


def account_page() -> Result:
    context = current_auth()
    user = signed_in_user(context)
    if user is None:
        return redirect_result(
            context.sign_in_page_url(callback_url=context.action_url("account")), as_json=False
        )
    return account_page_result(context, user, error=request.args.get("error"))


def account_page_result(
    context: AuthContext,
    user: Mapping[str, Any],
    *,
    enrolment: Enrolment | None = None,
    recovery_codes: list[str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Result:
    """The page; ``error`` is a code, worded by the template."""
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
        error=error,
        notice=notice,
    )
    return page_result(html, status)
