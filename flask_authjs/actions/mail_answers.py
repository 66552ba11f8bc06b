"""The answers the mail flows share: "check your inbox", the one-button confirmation
page, the forms, the failures (link no longer valid, mail not sent, too many mails),
and signing in a user the flow has proven."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..email_links import notify, reserve_send
from ..email_tokens import well_formed
from ..errors import EMAIL_SIGNIN, SIGNUP_INVALID, TOO_MANY_ATTEMPTS, VERIFICATION
from ..exceptions import SignInError
from ..pipeline import current_pipeline
from ..pipeline.linking import public
from ..providers import CredentialsProvider, Identity
from ..responses import Result, json_result, page_result, redirect_result, with_query
from .outcomes import outcome_result, sign_in_error_result
from .pages import signin_message


def verify_request_url(context: AuthContext, provider: str, kind: str) -> str:
    """Where every "send me a link" ends, whether or not the address has an account."""
    return with_query(
        context.page_url("verify_request", "verify-request"), {"provider": provider, "type": kind}
    )


def link_fields(context: AuthContext) -> dict[str, str] | None:
    """What an opened link carries (``token``, ``email``, ``callbackUrl``), or ``None`` if
    it is not one of ours. The store is not asked: opening a link spends nothing."""
    token, email = request.args.get("token", ""), request.args.get("email", "")
    if not well_formed(token) or not email:
        return None
    callback_url = context.resolve_callback_url(request.args.get("callbackUrl"))
    return {"token": token, "email": email, "callbackUrl": callback_url}


def confirm_page(context: AuthContext, *, action: str, fields: dict[str, str], kind: str) -> Result:
    """What a link opens: one button that POSTs (with CSRF). Mail scanners fetch links
    with HEAD and GET; neither spends the token, only the person pressing the button.
    ``kind`` (``magic_link``, ``verify_email``) picks the template's words."""
    html = render_template(
        "authjs/confirm.html",
        action=context.action_url(action),
        fields=fields,
        email=fields["email"],
        kind=kind,
        csrf_token=csrf_token(),
    )
    return page_result(html)


def link_invalid(context: AuthContext, as_json: bool) -> Result:
    """Auth.js's ``Verification``: unknown, used, expired or another purpose's token."""
    url = with_query(context.page_url("error", "error"), {"error": VERIFICATION})
    return redirect_result(url, as_json=as_json, status=403, error=VERIFICATION)


def send_failed(context: AuthContext, as_json: bool) -> Result:
    """Auth.js's ``EmailSignin`` ("The e-mail could not be sent."), 503 to scripts."""
    url = with_query(context.page_url("error", "error"), {"error": EMAIL_SIGNIN})
    return redirect_result(url, as_json=as_json, status=503, error=EMAIL_SIGNIN)


def send_refused(context: AuthContext, email: str, page: str, as_json: bool) -> Result | None:
    """Count one mail to ``email``; over a send limit, the 429 answer (``Retry-After``;
    browsers go back to ``page`` with ``TooManyAttempts``), and nothing may be sent."""
    retry_after = reserve_send(context, email, request.remote_addr)
    if retry_after is None:
        return None
    url = with_query(page, {"error": TOO_MANY_ATTEMPTS})
    result = redirect_result(url, as_json=as_json, status=429, error=TOO_MANY_ATTEMPTS)
    result.headers.append(("Retry-After", str(retry_after)))
    return result


def form_page(
    template: str, *, error: str | None = None, status: int = 200, **values: Any
) -> Result:
    context = current_auth()
    html = render_template(
        template,
        csrf_token=csrf_token(),
        base_url=context.base_url(),
        error_message=signin_message(error) if error else None,
        errors=values.pop("errors", {}),
        **values,
    )
    return page_result(html, status)


def form_rejected(
    template: str, as_json: bool, errors: dict[str, list[str]], **values: Any
) -> Result:
    """The form again with its errors (400), or ``{"ok": false, "error", "errors"}``."""
    if as_json:
        data = {"url": None, "ok": False, "status": 400, "error": SIGNUP_INVALID, "errors": errors}
        return json_result(data, 400)
    return form_page(template, status=400, errors=errors, **values)


def store_credentials(context: AuthContext) -> CredentialsProvider | None:
    """The credentials provider whose passwords the store keeps (no ``authorize``)."""
    for provider in context.providers.values():
        if isinstance(provider, CredentialsProvider) and provider.authorize is None:
            return provider
    return None


def sign_in_proven(
    context: AuthContext, user: dict[str, Any], *, callback_url: str, as_json: bool
) -> Result:
    """Sign ``user`` in with a password account, through the one sign-in pipeline."""
    provider = store_credentials(context)
    account = {
        "provider": provider.id if provider else "credentials",
        "type": "credentials",
        "providerAccountId": user["id"],
    }
    identity = Identity(account=account, user=public(user))
    try:
        outcome = current_pipeline().sign_in(identity, callback_url=callback_url)
    except SignInError as error:
        return sign_in_error_result(context, error, callback_url=callback_url, as_json=as_json)
    return outcome_result(outcome, as_json=as_json)


def password_changed(context: AuthContext, user: dict[str, Any]) -> None:
    """End every other session of ``user`` and tell the mailbox: if it was not its owner,
    the mail says so at once, with the way back (a reset)."""
    context.sign_out_everywhere(user["id"])
    notify(
        context,
        user["email"],
        "password_changed",
        forgot_password_url=context.action_url("forgot-password"),
    )
