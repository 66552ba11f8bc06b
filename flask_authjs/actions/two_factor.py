"""``{base}/two-factor``: the code step of sign-in, and ``two-factor/<op>`` to manage 2FA.

The sign-in step reads the pending cookie (see :mod:`flask_authjs.pipeline.two_factor`),
asks for a TOTP code or a recovery code, and only then lets the pipeline finish (the
``jwt`` callback, the session, the signal). Managing (from the account page, signed in):
``enable`` makes a secret and shows its QR code, ``confirm`` turns it on with a first
code and shows ten recovery codes once, ``recovery-codes`` makes new ones and ``disable``
turns 2FA off; the last two need a fresh code.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, render_template, request

from ..adapters import User
from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..email_links import notify_security_change
from ..errors import INVALID_CODE, SESSION_REQUIRED, TOO_MANY_ATTEMPTS, TWO_FACTOR_EXPIRED
from ..exceptions import SignInError
from ..pipeline import current_pipeline
from ..pipeline.second_factor import (
    TooManyAttempts,
    check_code,
    new_recovery_codes,
    start_enrolment,
)
from ..pipeline.two_factor import clear_pending, read_pending
from ..responses import Result, json_result, page_result, text_result
from ..signals import send_safely, two_factor_disabled, two_factor_enabled
from .account import account_page_result
from .outcomes import outcome_result, sign_in_error_result
from .passkey import signed_in_user
from .posts import checked_post


def _pending_expired(context: AuthContext, *, as_json: bool) -> Result:
    error = SignInError(TWO_FACTOR_EXPIRED, "no pending sign-in")
    return sign_in_error_result(context, error, callback_url=None, as_json=as_json)


def two_factor_page() -> Result:
    context = current_auth()
    pending = read_pending(context, request.headers.get("Cookie", ""))
    if not context.settings.two_factor or pending is None:
        return _pending_expired(context, as_json=False)
    return _code_page(context, request.args.get("error"))


def _code_page(context: AuthContext, error: str | None, status: int = 200) -> Result:
    html = render_template(
        "authjs/two_factor.html",
        csrf_token=csrf_token(),
        base_url=context.base_url(),
        error=error,
    )
    return page_result(html, status)


def submit_code() -> Result:
    """``POST {base}/two-factor`` with ``code`` (TOTP or recovery code)."""
    context = current_auth()
    body, as_json = checked_post(context, failure_page="two-factor")
    pending = read_pending(context, request.headers.get("Cookie", ""))
    if not context.settings.two_factor or pending is None:
        return _pending_expired(context, as_json=as_json)
    user_id = str(pending.user["id"])
    try:
        method = check_code(
            context,
            user_id,
            pending.user.get("email"),
            str(body.get("code", "")),
            address=request.remote_addr,
        )
    except TooManyAttempts as limited:
        error = SignInError(
            TOO_MANY_ATTEMPTS, "rate limited", status=429, retry_after=limited.retry_after
        )
        return sign_in_error_result(
            context, error, callback_url=pending.callback_url, as_json=as_json
        )
    if method is None:
        if as_json:
            url = context.action_url("two-factor")
            return json_result({"error": INVALID_CODE, "url": url, "ok": False}, 401)
        return _code_page(context, INVALID_CODE, 401)
    attempt = replace(pending, account={**pending.account, "secondFactor": method})
    outcome = current_pipeline().complete(attempt)
    return outcome_result(outcome, as_json=as_json).with_cookies([clear_pending(context)])


def manage_two_factor(operation: str) -> Result:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="account")
    user = signed_in_user(context)
    if user is None or not context.settings.two_factor:
        return json_result({"error": SESSION_REQUIRED, "message": "Sign in first."}, 401)
    if operation not in ("enable", "confirm", "disable", "recovery-codes"):
        return text_result(f"Unknown two-factor operation {operation!r}.", 400)
    try:
        return _manage(context, operation, user, str(body.get("code", "")), as_json)
    except TooManyAttempts as limited:
        refused = _refused(context, user, as_json, TOO_MANY_ATTEMPTS, 429)
        refused.headers.append(("Retry-After", str(limited.retry_after)))
        return refused


def _manage(context: AuthContext, operation: str, user: User, code: str, as_json: bool) -> Result:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    address = request.remote_addr
    if operation == "enable":
        record = context.adapter.get_two_factor(user["id"])
        if record is not None and record["enabled"]:
            return _refused(context, user, as_json, "TwoFactorAlreadyOn", 409)
        enrolment = start_enrolment(context, user)
        if as_json:
            return json_result(
                {"secret": enrolment.secret, "uri": enrolment.uri, "qrSvg": enrolment.qr_svg}
            )
        return account_page_result(context, user, enrolment=enrolment)
    pending_enrolment = operation == "confirm"
    if (
        check_code(
            context,
            user["id"],
            user["email"],
            code,
            address=address,
            pending_enrolment=pending_enrolment,
        )
        is None
    ):
        return _refused(context, user, as_json, INVALID_CODE, 400)
    if operation == "disable":
        context.adapter.delete_two_factor(user["id"])
        send_safely(two_factor_disabled, app, user=user)
        notify_security_change(context, user["email"], "two_factor_disabled")
        if as_json:
            return json_result({"ok": True, "enabled": False})
        return account_page_result(context, user, notice="Two-factor sign-in is off.")
    if pending_enrolment:
        context.adapter.enable_two_factor(user["id"])
        send_safely(two_factor_enabled, app, user=user)
    codes = new_recovery_codes(context, user["id"])
    if as_json:
        return json_result({"ok": True, "enabled": True, "recoveryCodes": codes})
    return account_page_result(context, user, recovery_codes=codes)


def _refused(context: AuthContext, user: User, as_json: bool, error: str, status: int) -> Result:
    if as_json:
        return json_result({"ok": False, "error": error}, status)
    return account_page_result(context, user, error=error, status=status)
