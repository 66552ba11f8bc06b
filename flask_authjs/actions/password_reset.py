"""``GET/POST {base}/forgot-password`` and ``GET/POST {base}/reset-password``.

On when a credentials provider checks passwords against the store and mail can be sent.
Asking for a link answers the same for every address (an unknown one gets a "no account
here" mail instead of a link), within the send limits. A new request makes the older
links useless. Opening the link shows the new-password form; only its POST spends the
token, after the new password passed the sign-up policy (a refused password does not
burn the link). Success ends every other session of the user (database sessions
deleted, JWTs refused at their next renewal) and signs in here.
"""

from __future__ import annotations

from flask import request

from ..context import AuthContext, current_auth
from ..email_links import send_link, send_notice
from ..email_tokens import PASSWORD_RESET
from ..emails import normalize_email
from ..errors import MISSING_CSRF
from ..exceptions import EmailSendError, InvalidInput
from ..passwords import password_problem
from ..responses import Result, redirect_result, text_result
from .mail_answers import (
    form_page,
    form_rejected,
    link_fields,
    link_invalid,
    password_changed,
    send_failed,
    send_refused,
    sign_in_proven,
    store_credentials,
    verify_request_url,
)
from .posts import checked_post


def password_reset_on(context: AuthContext) -> bool:
    return (
        context.mailer is not None
        and context.settings.origin is not None
        and store_credentials(context) is not None
    )


def forgot_password_page() -> Result:
    context = current_auth()
    if not password_reset_on(context):
        return _turned_off()
    error = request.args.get("error") or (
        MISSING_CSRF if request.args.get("csrf") == "true" else None
    )
    raw_callback = request.args.get("callbackUrl")
    callback_url = context.resolve_callback_url(raw_callback) if raw_callback else ""
    return form_page("authjs/forgot_password.html", error=error, callback_url=callback_url)


def forgot_password() -> Result:
    context = current_auth()
    if not password_reset_on(context):
        return _turned_off()
    body, as_json = checked_post(context, failure_page="forgot-password")
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    try:
        email = normalize_email(body.get("email", ""))
    except InvalidInput:
        fields = {"email": ["Enter a single valid email address."]}
        return form_rejected(
            "authjs/forgot_password.html", as_json, fields, callback_url=callback_url
        )
    refused = send_refused(context, email, context.action_url("forgot-password"), as_json)
    if refused is not None:
        return refused
    try:
        if context.adapter.get_user_by_email(email) is None:
            send_notice(
                context,
                purpose=PASSWORD_RESET,
                email=email,
                template="no_account",
                signup_url=context.action_url("signup") if context.settings.signup else None,
            )
        else:
            send_link(
                context,
                purpose=PASSWORD_RESET,
                email=email,
                action="reset-password",
                template="reset_password",
                max_age=context.settings.password_reset_max_age,
                params={"callbackUrl": callback_url},
                replace=True,
            )
    except EmailSendError:
        return send_failed(context, as_json)
    provider = store_credentials(context)
    assert provider is not None
    return redirect_result(verify_request_url(context, provider.id, "reset"), as_json=as_json)


def reset_password_page() -> Result:
    """The new-password form; the store is not asked (a link scanner spends nothing)."""
    context = current_auth()
    if not password_reset_on(context):
        return _turned_off()
    fields = link_fields(context)
    if fields is None:
        return link_invalid(context, as_json=False)
    return form_page("authjs/reset_password.html", fields=fields, email=fields["email"])


def reset_password() -> Result:
    context = current_auth()
    if not password_reset_on(context):
        return _turned_off()
    body, as_json = checked_post(context, failure_page="forgot-password")
    password = body.get("password", "")
    problem = password_problem(password, for_new_password=True) or (
        None if password else "Choose a password."
    )
    hidden = {key: body.get(key, "") for key in ("token", "email", "callbackUrl")}
    if problem:  # refused before the token is spent, so the link still works
        return form_rejected(
            "authjs/reset_password.html",
            as_json,
            {"password": [problem]},
            fields=hidden,
            email=hidden["email"],
        )
    try:
        email = normalize_email(hidden["email"])
    except InvalidInput:
        return link_invalid(context, as_json)
    if not context.email_tokens.consume(PASSWORD_RESET, email, hidden["token"]):
        return link_invalid(context, as_json)
    user = context.adapter.get_user_by_email(email)
    if user is None:
        return link_invalid(context, as_json)
    context.adapter.set_password_hash(user["id"], context.password_hasher.hash(password))
    if user["email_verified"] is None:  # the link proved the mailbox
        context.adapter.set_email_verified(user["id"], context.now())
    password_changed(context, dict(user))
    callback_url = context.resolve_callback_url(hidden["callbackUrl"] or None)
    return sign_in_proven(context, dict(user), callback_url=callback_url, as_json=as_json)


def _turned_off() -> Result:
    return text_result(
        "Password reset needs a credentials provider that checks the store, and mail "
        "(AUTHJS_SMTP_URL).",
        404,
    )
