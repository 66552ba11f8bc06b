"""``GET {base}/signin`` (the page, or ``pages["sign_in"]``) and ``POST {base}/signin/<id>``."""

from __future__ import annotations

from flask import Response, render_template, request

from ..context import AuthContext, current_auth
from ..cookies import set_cookie_header
from ..csrf import csrf_token
from ..errors import DEFAULT_MESSAGE, MISSING_CSRF, SIGNIN_MESSAGES
from ..providers import CredentialsProvider
from ..responses import auth_redirect, html_response, with_query
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
    session = context.session_view(context.current_claims())
    user = (session or {}).get("user") or {}
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
        # Signed in: say as whom and offer the ways on, instead of an empty form.
        signed_in_as=(user.get("email") or user.get("name") or "an account") if session else None,
        welcome=request.args.get("welcome") == "1",
        email=request.args.get("email", "")[:320],
        signup_url=(
            with_query(context.action_url("signup"), {"callbackUrl": callback_url})
            if context.settings.signup
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
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    started = provider.start_sign_in(context, callback_url=callback_url, as_json=as_json)
    if started is not None:
        return started
    return auth_redirect(context.sign_in_page_url(callback_url=callback_url), as_json=as_json)
