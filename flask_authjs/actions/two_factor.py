"""``{base}/two-factor``: the code step of sign-in, and ``two-factor/<op>`` to manage 2FA.

The sign-in step reads the pending cookie (see :mod:`flask_authjs.two_factor`), asks for a
TOTP code or a recovery code, and only then issues the session. Managing (from the
account page, signed in): ``enable`` makes a secret and shows its QR code, ``confirm``
turns it on with a first code and shows ten recovery codes once, ``recovery-codes`` makes
new ones and ``disable`` turns 2FA off; the last two need a fresh code.
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from .. import two_factor
from ..adapters import User
from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..errors import INVALID_CODE, SESSION_REQUIRED, TWO_FACTOR_EXPIRED
from ..responses import html_response, json_response, plain_error
from ..second_factor import TooManyAttempts, check_code, new_recovery_codes, start_enrolment
from ..signals import send_safely, two_factor_disabled, two_factor_enabled
from .account import render_account_page
from .callback import issue_signed_in, sign_in_failed, too_many_attempts
from .passkey import signed_in_user
from .posts import checked_post

CODE_MESSAGES = {INVALID_CODE: "That code is not valid. Check it and try again."}


def two_factor_page() -> Response:
    context = current_auth()
    if not context.settings.two_factor or two_factor.read_pending(context) is None:
        return sign_in_failed(context, TWO_FACTOR_EXPIRED, 302, context.origin(), False)
    return _code_page(context, request.args.get("error"))


def _code_page(context: AuthContext, error: str | None, status: int = 200) -> Response:
    html = render_template(
        "authjs/two_factor.html",
        csrf_token=csrf_token(),
        base_url=context.base_url(),
        error_message=CODE_MESSAGES.get(error or "") if error else None,
    )
    return html_response(html, status)


def submit_code() -> Response:
    """``POST {base}/two-factor`` with ``code`` (TOTP or recovery code)."""
    context = current_auth()
    body, as_json = checked_post(context, failure_page="two-factor")
    pending = two_factor.read_pending(context) if context.settings.two_factor else None
    if pending is None:
        return sign_in_failed(context, TWO_FACTOR_EXPIRED, 401, context.origin(), as_json)
    user_id = str(pending.user["id"])
    try:
        method = check_code(context, user_id, pending.user.get("email"), str(body.get("code", "")))
    except TooManyAttempts as limited:
        return too_many_attempts(context, limited.retry_after, pending.callback_url, as_json)
    if method is None:
        if as_json:
            return json_response(
                {"error": INVALID_CODE, "url": context.action_url("two-factor"), "ok": False},
                401,
            )
        return _code_page(context, INVALID_CODE, 401)
    response = issue_signed_in(
        context,
        pending.user,
        {**pending.account, "secondFactor": method},
        callback_url=pending.callback_url,
        as_json=as_json,
        is_new_user=pending.is_new_user,
    )
    two_factor.clear_pending(context, response)
    return response


def manage_two_factor(operation: str) -> Response:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="account")
    user = signed_in_user(context)
    if user is None or not context.settings.two_factor:
        return json_response({"error": SESSION_REQUIRED, "message": "Sign in first."}, 401)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    code = str(body.get("code", ""))
    try:
        if operation == "enable":
            record = context.adapter.get_two_factor(user["id"])
            if record is not None and record["enabled"]:
                return _refused(context, user, as_json, "TwoFactorAlreadyOn", 409)
            enrolment = start_enrolment(context, user)
            if as_json:
                return json_response(
                    {"secret": enrolment.secret, "uri": enrolment.uri, "qrSvg": enrolment.qr_svg}
                )
            return render_account_page(context, user, enrolment=enrolment)
        if operation == "confirm":
            if check_code(context, user["id"], user["email"], code, pending_enrolment=True) is None:
                return _refused(context, user, as_json, INVALID_CODE, 400)
            context.adapter.enable_two_factor(user["id"])
            codes = new_recovery_codes(context, user["id"])
            send_safely(two_factor_enabled, app, user=user)
            return _codes(context, user, codes, as_json)
        if operation in ("disable", "recovery-codes"):
            if check_code(context, user["id"], user["email"], code) is None:
                return _refused(context, user, as_json, INVALID_CODE, 400)
            if operation == "recovery-codes":
                return _codes(context, user, new_recovery_codes(context, user["id"]), as_json)
            context.adapter.delete_two_factor(user["id"])
            send_safely(two_factor_disabled, app, user=user)
            if as_json:
                return json_response({"ok": True, "enabled": False})
            return render_account_page(context, user, notice="Two-factor sign-in is off.")
    except TooManyAttempts as limited:
        response = _refused(context, user, as_json, "TooManyAttempts", 429)
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    return plain_error(f"Unknown two-factor operation {operation!r}.", 400)


def _codes(context: AuthContext, user: User, codes: list[str], as_json: bool) -> Response:
    if as_json:
        return json_response({"ok": True, "enabled": True, "recoveryCodes": codes})
    return render_account_page(context, user, recovery_codes=codes)


def _refused(context: AuthContext, user: User, as_json: bool, error: str, status: int) -> Response:
    if as_json:
        return json_response({"ok": False, "error": error}, status)
    return render_account_page(context, user, error=error, status=status)
