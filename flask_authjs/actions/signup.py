"""``GET/POST {base}/signup``: create an account with email and password, signed in at once.

Only when ``AUTHJS_SIGNUP`` is on (404 otherwise). The email is normalised, so
``A@Example.com`` and ``a@example.com`` are one account, and the store's unique index
decides races: of many simultaneous sign-ups for one email, exactly one succeeds and
the others get a clear "exists already" error. Attempts are rate-limited per client
address. Success goes through the sign-in pipeline like any sign-in, as a new user:
``pages["new_user"]`` or the callbackUrl, and with ``json=true`` the new session.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from werkzeug.datastructures import MultiDict

from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..errors import EMAIL_TAKEN, MISSING_CSRF, SIGNUP_INVALID, TOO_MANY_ATTEMPTS
from ..exceptions import DuplicateEmail, SignInError
from ..forms import SignUpForm
from ..passwords import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH
from ..pipeline import current_pipeline
from ..pipeline.linking import public
from ..providers import CredentialsProvider, Identity
from ..responses import Result, json_result, page_result, text_result, with_query
from ..signals import send_safely, user_created
from .outcomes import outcome_result, sign_in_error_result
from .pages import email_taken_message, known_signin_message, signin_message
from .posts import checked_post

PASSWORD_RULES = (
    f"At least {MIN_PASSWORD_LENGTH} characters, at most {MAX_PASSWORD_BYTES} bytes; "
    "a passphrase of a few words is good."
)


def sign_up_page() -> Result:
    context = current_auth()
    if not context.settings.signup:
        return _turned_off()
    raw_callback = request.args.get("callbackUrl")
    callback_url = context.resolve_callback_url(raw_callback) if raw_callback else ""
    error = request.args.get("error") or (
        MISSING_CSRF if request.args.get("csrf") == "true" else None
    )
    return _page(context, SignUpForm(formdata=None), callback_url, error=error)


def sign_up() -> Result:
    context = current_auth()
    if not context.settings.signup:
        return _turned_off()
    body, as_json = checked_post(context, failure_page="signup")
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    form = SignUpForm(formdata=MultiDict(body))
    if not form.validate():
        return _rejected(context, form, callback_url, as_json, SIGNUP_INVALID, 400)
    # Counted atomically before the (costly) hash: racing requests cannot pass the limit.
    reservation = context.rate_limiter.reserve(
        context.rate_limiter.sign_up_limits(request.remote_addr)
    )
    if reservation.retry_after is not None:
        result = _rejected(context, None, callback_url, as_json, TOO_MANY_ATTEMPTS, 429)
        result.headers.append(("Retry-After", str(reservation.retry_after)))
        return result
    password_hash = context.password_hasher.hash(form.password.data)
    try:
        created = context.adapter.create_user(
            form.normalized_email, name=form.name.data or None, password_hash=password_hash
        )
    except DuplicateEmail:
        form.email.errors = [email_taken_message()]
        return _rejected(context, form, callback_url, as_json, EMAIL_TAKEN, 409)
    user = public(created)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    send_safely(user_created, app, user=user)
    account = {
        "provider": _credentials_provider_id(context),
        "type": "credentials",
        "providerAccountId": user["id"],
    }
    identity = Identity(account=account, user=user, is_new_user=True)
    if not as_json and not {"new_user", "sign_in"} & set(context.pages):
        # A person sees "your account is ready, signed in as ..." before going on.
        callback_url = with_query(
            context.action_url("signin"), {"welcome": "1", "callbackUrl": callback_url}
        )
    try:
        outcome = current_pipeline().sign_in(identity, callback_url=callback_url)
    except SignInError as error:
        return sign_in_error_result(context, error, callback_url=callback_url, as_json=as_json)
    return outcome_result(outcome, as_json=as_json)


def _credentials_provider_id(context: AuthContext) -> str:
    for provider in context.providers.values():
        if isinstance(provider, CredentialsProvider):
            return provider.id
    return "credentials"


def _rejected(
    context: AuthContext,
    form: SignUpForm | None,
    callback_url: str,
    as_json: bool,
    error: str,
    status: int,
) -> Result:
    """The page again with the form's errors, or ``{"url", "ok", "error", "errors"}``."""
    if not as_json:
        return _page(context, form or SignUpForm(formdata=None), callback_url, error, status)
    data: dict[str, Any] = {
        "url": with_query(context.action_url("signup"), {"error": error}),
        "ok": False,
        "status": status,
        "error": error,
        "errors": form.errors if form is not None else {},
    }
    return json_result(data, status)


def _page(
    context: AuthContext,
    form: SignUpForm,
    callback_url: str,
    error: str | None = None,
    status: int = 200,
) -> Result:
    message = known_signin_message(error) if error else None
    if message is None and error and error not in (SIGNUP_INVALID, EMAIL_TAKEN):
        message = signin_message(error)
    html = render_template(
        "authjs/signup.html",
        form=form,
        csrf_token=csrf_token(),
        callback_url=callback_url,
        error_message=message,
        email_taken=error == EMAIL_TAKEN,
        password_rules=PASSWORD_RULES,
        base_url=context.base_url(),
        signin_url=context.sign_in_page_url(callback_url=callback_url or None),
    )
    return page_result(html, status)


def _turned_off() -> Result:
    return text_result("Sign-up is turned off (AUTHJS_SIGNUP).", 404)
