"""Email verification for password accounts (``AUTHJS_EMAIL_VERIFICATION``).

``verification_mail`` sends the link (at sign-up, and again on request);
``GET {base}/verify-email`` shows one button, whose POST spends the token, sets the
user's ``emailVerified`` and signs in. ``POST {base}/resend-verification`` answers the
same for every address and sends exactly one mail whatever the account's state (a
link, "already confirmed", or "no account"), so neither the answer nor its timing
tells who is registered.
"""

from __future__ import annotations

from ..context import AuthContext, current_auth
from ..email_links import send_link, send_notice
from ..email_tokens import VERIFY_EMAIL
from ..emails import normalize_email
from ..errors import EMAIL_NOT_VERIFIED
from ..exceptions import EmailSendError, InvalidInput
from ..responses import Result, redirect_result, text_result
from .mail_answers import (
    confirm_page,
    link_fields,
    link_invalid,
    send_failed,
    send_refused,
    sign_in_proven,
    store_credentials,
    verify_request_url,
)
from .posts import checked_post


def verification_mail(context: AuthContext, email: str, callback_url: str) -> None:
    """Mail a fresh verification link (older ones stop working); :class:`EmailSendError`."""
    send_link(
        context,
        purpose=VERIFY_EMAIL,
        email=email,
        action="verify-email",
        template="verify_email",
        max_age=context.settings.email_verification_max_age,
        params={"callbackUrl": callback_url},
        replace=True,
    )


def verify_email_page() -> Result:
    context = current_auth()
    if not context.settings.email_verification:
        return _turned_off()
    fields = link_fields(context)
    if fields is None:
        return link_invalid(context, as_json=False)
    return confirm_page(
        context,
        action="verify-email",
        fields=fields,
        kind="verify_email",
    )


def verify_email() -> Result:
    context = current_auth()
    if not context.settings.email_verification:
        return _turned_off()
    body, as_json = checked_post(context, failure_page="signin")
    try:
        email = normalize_email(body.get("email", ""))
    except InvalidInput:
        return link_invalid(context, as_json)
    if not context.email_tokens.consume(VERIFY_EMAIL, email, body.get("token")):
        return link_invalid(context, as_json)
    user = context.adapter.get_user_by_email(email)
    if user is None or store_credentials(context) is None:
        return link_invalid(context, as_json)
    if user["email_verified"] is None:
        context.adapter.set_email_verified(user["id"], context.now())
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    return sign_in_proven(context, dict(user), callback_url=callback_url, as_json=as_json)


def resend_verification() -> Result:
    context = current_auth()
    if not context.settings.email_verification:
        return _turned_off()
    body, as_json = checked_post(context, failure_page="signin")
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    try:
        email = normalize_email(body.get("email", ""))
    except InvalidInput:
        url = context.sign_in_page_url(callback_url=callback_url, error=EMAIL_NOT_VERIFIED)
        return redirect_result(url, as_json=as_json, status=400, error=EMAIL_NOT_VERIFIED)
    refused = send_refused(
        context, email, context.sign_in_page_url(callback_url=callback_url), as_json
    )
    if refused is not None:
        return refused
    user = context.adapter.get_user_by_email(email)
    try:
        if user is None:
            send_notice(
                context,
                purpose=VERIFY_EMAIL,
                email=email,
                template="no_account",
                signup_url=context.action_url("signup") if context.settings.signup else None,
            )
        elif user["email_verified"] is not None:
            send_notice(
                context,
                purpose=VERIFY_EMAIL,
                email=email,
                template="already_verified",
                signin_url=context.sign_in_page_url(),
            )
        else:
            verification_mail(context, email, callback_url)
    except EmailSendError:
        return send_failed(context, as_json)
    return redirect_result(
        verify_request_url(context, "credentials", "verification"), as_json=as_json
    )


def _turned_off() -> Result:
    return text_result("Email verification is turned off (AUTHJS_EMAIL_VERIFICATION).", 404)
