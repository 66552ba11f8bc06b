"""The answers the mail flows share: "check your inbox", the one-button confirmation
page, and the failures (link no longer valid, mail not sent, too many mails)."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from ..context import AuthContext, current_auth
from ..csrf import csrf_token
from ..email_links import reserve_send
from ..email_tokens import well_formed
from ..errors import (
    DEFAULT_MESSAGE,
    EMAIL_SIGNIN,
    SIGNIN_MESSAGES,
    SIGNUP_INVALID,
    TOO_MANY_ATTEMPTS,
    VERIFICATION,
)
from ..responses import auth_redirect, html_response, json_response, with_query


def verify_request_url(context: AuthContext, provider: str, kind: str) -> str:
    """Where every "send me a link" ends, whether or not the address has an account."""
    return with_query(
        context.page_url("verify_request", "verify-request"), {"provider": provider, "type": kind}
    )


def confirm_page(
    context: AuthContext,
    *,
    action: str,
    fields: dict[str, str],
    heading: str,
    message: str,
    button: str,
) -> Response:
    """What a link opens: one button that POSTs (with CSRF). Mail scanners fetch links
    with HEAD and GET; neither spends the token, only the person pressing the button."""
    html = render_template(
        "authjs/confirm.html",
        action=context.action_url(action),
        fields=fields,
        heading=heading,
        message=message,
        button=button,
        csrf_token=csrf_token(),
    )
    return html_response(html)


def link_invalid(context: AuthContext, as_json: bool) -> Response:
    """Auth.js's ``Verification``: unknown, used, expired or another purpose's token."""
    url = with_query(context.page_url("error", "error"), {"error": VERIFICATION})
    return auth_redirect(url, as_json=as_json, status=403, error=VERIFICATION)


def send_failed(context: AuthContext, as_json: bool) -> Response:
    """Auth.js's ``EmailSignin`` ("The e-mail could not be sent."), 503 to scripts."""
    url = with_query(context.page_url("error", "error"), {"error": EMAIL_SIGNIN})
    return auth_redirect(url, as_json=as_json, status=503, error=EMAIL_SIGNIN)


def send_refused(context: AuthContext, email: str, page: str, as_json: bool) -> Response | None:
    """Count one mail to ``email``; over a send limit, the 429 answer (``Retry-After``;
    browsers go back to ``page`` with ``TooManyAttempts``), and nothing may be sent."""
    retry_after = reserve_send(context, email, request.remote_addr)
    if retry_after is None:
        return None
    url = with_query(page, {"error": TOO_MANY_ATTEMPTS})
    response = auth_redirect(url, as_json=as_json, status=429, error=TOO_MANY_ATTEMPTS)
    response.headers["Retry-After"] = str(retry_after)
    return response


def link_fields(context: AuthContext) -> dict[str, str] | None:
    """What an opened link carries (``token``, ``email``, ``callbackUrl``), or ``None`` if
    it is not one of ours. The store is not asked: opening a link spends nothing."""
    token, email = request.args.get("token", ""), request.args.get("email", "")
    if not well_formed(token) or not email:
        return None
    callback_url = context.resolve_callback_url(request.args.get("callbackUrl"))
    return {"token": token, "email": email, "callbackUrl": callback_url}


def form_page(
    template: str, *, error: str | None = None, status: int = 200, **values: Any
) -> Response:
    context = current_auth()
    message = SIGNIN_MESSAGES.get(error, DEFAULT_MESSAGE) if error else None
    html = render_template(
        template,
        csrf_token=csrf_token(),
        base_url=context.base_url(),
        error_message=message,
        errors=values.pop("errors", {}),
        **values,
    )
    return html_response(html, status)


def form_rejected(
    template: str, as_json: bool, errors: dict[str, list[str]], **values: Any
) -> Response:
    """The form again with its errors (400), or ``{"ok": false, "error", "errors"}``."""
    if as_json:
        data = {"url": None, "ok": False, "status": 400, "error": SIGNUP_INVALID, "errors": errors}
        return json_response(data, 400)
    return form_page(template, status=400, errors=errors, **values)
