"""``GET {base}/signin`` (the page, or ``pages["sign_in"]``) and ``POST {base}/signin/<id>``."""

from __future__ import annotations

from flask import Response, render_template, request

from ..context import AuthContext, current_auth
from ..cookies import set_cookie_header
from ..csrf import csrf_token
from ..errors import DEFAULT_MESSAGE, EMAIL_NOT_VERIFIED, MISSING_CSRF, SIGNIN_MESSAGES
from ..providers import CredentialsProvider
from ..providers.email import EmailProvider
from ..responses import auth_redirect, html_response, with_query
from .email_signin import send_sign_in_link
from .password_reset import password_reset_on
from .posts import checked_post

UNKNOWN_PROVIDER = "Signin"


def sign_in_page() -> Response:
    context = current_auth()
    raw_callback = request.args.get("callbackUrl")
    error = request.args.get("error") or (
        MISSING_CSRF if request.args.get("csrf") == "true" else None
    )
    callback_url = context.resolve_callback_url(raw_callback) if raw_callback else None
    if "sign_in" in context.auth.pages:
        return auth_redirect(
            context.sign_in_page_url(callback_url=callback_url, error=error), as_json=False
        )
    return render_sign_in_page(context, callback_url=callback_url, error=error)


def render_sign_in_page(
    context: AuthContext,
    *,
    callback_url: str | None,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    """The built-in sign-in form; ``notice`` (the loop detector's, in debug) replaces the error."""
    error_message = SIGNIN_MESSAGES.get(error, DEFAULT_MESSAGE) if error else None
    html = render_template(
        "authjs/signin.html",
        providers=list(context.providers.values()),
        credentials_providers=[
            p for p in context.providers.values() if isinstance(p, CredentialsProvider)
        ],
        csrf_token=csrf_token(),
        callback_url=callback_url or "",
        error=error,
        error_message=notice or error_message,
        base_url=context.base_url(),
        signup_url=(
            with_query(context.action_url("signup"), {"callbackUrl": callback_url})
            if context.settings.signup
            else None
        ),
        email=request.args.get("email", ""),
        forgot_password_url=(
            context.action_url("forgot-password") if password_reset_on(context) else None
        ),
        resend_verification_url=(
            context.action_url("resend-verification")
            if error == EMAIL_NOT_VERIFIED and context.settings.email_verification
            else None
        ),
    )
    response = html_response(html)
    if callback_url:
        response.headers.add(
            "Set-Cookie",
            set_cookie_header(
                context.cookie_names().callback_url, callback_url, secure=context.secure()
            ),
        )
    return response


def sign_in_with_provider(provider_id: str) -> Response:
    """Start a sign-in: OAuth providers redirect away; credentials go to the page."""
    context = current_auth()
    body, as_json = checked_post(context, failure_page="signin")
    provider = context.providers.get(provider_id)
    if provider is None:
        return auth_redirect(
            context.sign_in_page_url(error=UNKNOWN_PROVIDER),
            as_json=as_json,
            status=400,
            error=UNKNOWN_PROVIDER,
        )
    if isinstance(provider, EmailProvider):
        return send_sign_in_link(context, provider, body, as_json)
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    started = provider.start_sign_in(context, callback_url=callback_url, as_json=as_json)
    if started is not None:
        return started
    return auth_redirect(context.sign_in_page_url(callback_url=callback_url), as_json=as_json)
