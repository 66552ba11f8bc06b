"""``GET {base}/signin`` (the page, or ``pages["sign_in"]``) and ``POST {base}/signin/<id>``.

``POST {base}/signin/<id>`` with ``link=true`` starts an explicit "link account" flow:
only a signed-in session may, and the provider binds that session's user id into the
flow (the OAuth check cookies), so the account it comes back with is linked to that
user and nobody else. Without it, a sign-in replaces whatever session the browser has.
"""

from __future__ import annotations

from flask import render_template, request

from ..context import AuthContext, current_auth
from ..cookies import set_cookie_header
from ..csrf import csrf_token
from ..errors import MISSING_CSRF, SESSION_REQUIRED, SIGNIN
from ..providers import CredentialsProvider, Provider
from ..responses import Result, page_result, redirect_result, with_query
from .pages import signin_message
from .posts import checked_post


def sign_in_page() -> Result:
    context = current_auth()
    raw_callback = request.args.get("callbackUrl")
    error = request.args.get("error") or (
        MISSING_CSRF if request.args.get("csrf") == "true" else None
    )
    callback_url = context.resolve_callback_url(raw_callback) if raw_callback else None
    if "sign_in" in context.pages:
        return redirect_result(
            context.sign_in_page_url(callback_url=callback_url, error=error), as_json=False
        )
    return render_sign_in_page(context, callback_url=callback_url, error=error)


def render_sign_in_page(
    context: AuthContext,
    *,
    callback_url: str | None,
    error: str | None = None,
    notice: str | None = None,
) -> Result:
    """The built-in sign-in form; ``notice`` (the loop detector's, in debug) replaces the error."""
    providers = [p for p in context.providers.values() if isinstance(p, Provider)]
    session = context.session_view(context.current_claims())
    user = (session or {}).get("user") or {}
    html = render_template(
        "authjs/signin.html",
        providers=providers,
        credentials_providers=[p for p in providers if isinstance(p, CredentialsProvider)],
        csrf_token=csrf_token(),
        callback_url=callback_url or "",
        error=error,
        error_message=notice or (signin_message(error) if error else None),
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
    result = page_result(html)
    if callback_url:
        name = context.cookie_names().callback_url
        result.cookies.append(set_cookie_header(name, callback_url, secure=context.secure()))
    return result


def sign_in_with_provider(provider_id: str) -> Result:
    """Start a sign-in (or, with ``link=true``, a link): OAuth providers redirect away;
    credentials go to the page."""
    context = current_auth()
    body, as_json = checked_post(context, failure_page="signin")
    provider = context.providers.get(provider_id)
    if not isinstance(provider, Provider):
        url = context.sign_in_page_url(error=SIGNIN)
        return redirect_result(url, as_json=as_json, status=400, error=SIGNIN)
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    link_user_id = None
    if body.get("link") == "true":
        claims = context.current_claims()
        if claims is None:
            url = context.sign_in_page_url(callback_url=callback_url, error=SESSION_REQUIRED)
            return redirect_result(url, as_json=as_json, status=401, error=SESSION_REQUIRED)
        link_user_id = str(claims["sub"])
    started = provider.authorization(
        context,
        callback_url=callback_url,
        params=request.args.to_dict(),
        link_user_id=link_user_id,
    )
    if started is None:
        url = context.sign_in_page_url(callback_url=callback_url)
        return redirect_result(url, as_json=as_json)
    return redirect_result(started.url, as_json=as_json).with_cookies(started.cookies)
