"""Magic links (the Auth.js Email provider, v4/v5 wire): ``POST {base}/signin/email``
sends the link, ``{base}/callback/email`` signs in.

Unlike Auth.js, opening the link (GET, or HEAD) only shows a page with one button; the
POST of that button (CSRF checked) spends the token. Mail scanners that fetch every
link, follow redirects and even run scripts therefore cannot burn a link or sign
anyone in. The answer to "send me a link" is the same whether or not the address has
an account; only the mail differs.
"""

from __future__ import annotations

import inspect
from typing import Any

from flask import Response, request

from ..context import AuthContext
from ..email_accounts import prove_email
from ..email_links import send_link
from ..email_tokens import MAGIC_LINK
from ..errors import ACCESS_DENIED, EMAIL_SIGNIN, EmailSendError, InvalidInput
from ..providers.email import EmailProvider
from ..responses import auth_redirect, with_query
from .callback import finish_sign_in
from .mail_answers import (
    confirm_page,
    link_fields,
    link_invalid,
    send_failed,
    send_refused,
    verify_request_url,
)
from .posts import checked_post


def send_sign_in_link(
    context: AuthContext, provider: EmailProvider, body: dict[str, Any], as_json: bool
) -> Response:
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    try:
        email = provider.normalize(body.get("email"))
    except InvalidInput:
        url = with_query(context.page_url("error", "error"), {"error": EMAIL_SIGNIN})
        return auth_redirect(url, as_json=as_json, status=400, error=EMAIL_SIGNIN)
    refused = send_refused(
        context, email, context.sign_in_page_url(callback_url=callback_url), as_json
    )
    if refused is not None:
        return refused
    if not _sign_in_allowed(context, provider, email):
        url = with_query(context.page_url("error", "error"), {"error": ACCESS_DENIED})
        return auth_redirect(url, as_json=as_json, status=403, error=ACCESS_DENIED)
    try:
        send_link(
            context,
            purpose=MAGIC_LINK,
            email=email,
            action=f"callback/{provider.id}",
            template="magic_link",
            max_age=provider.link_max_age(context),
            params={"callbackUrl": callback_url},
        )
    except EmailSendError:
        return send_failed(context, as_json)
    return auth_redirect(verify_request_url(context, provider.id, "email"), as_json=as_json)


def _sign_in_allowed(context: AuthContext, provider: EmailProvider, email: str) -> bool:
    """The ``sign_in`` callback before sending, as Auth.js asks it: the user (or a new one
    to be), and ``email={"verificationRequest": True}`` if the callback takes ``email``."""
    callback = context.auth.callbacks.get("sign_in")
    if callback is None:
        return True
    found = context.adapter.get_user_by_email(email)
    user = (
        {key: found[key] for key in ("id", "name", "email", "image")}
        if found
        else {"id": None, "email": email, "name": None, "image": None}
    )
    account = {"provider": provider.id, "type": "email", "providerAccountId": email}
    extra = {"email": {"verificationRequest": True}} if _takes(callback, "email") else {}
    allowed = callback(user=user, account=account, credentials=None, profile=None, **extra)
    return allowed is not False and allowed is not None


def _takes(function: Any, name: str) -> bool:
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


def email_callback(context: AuthContext, provider: EmailProvider) -> Response:
    """GET (and HEAD): the confirmation page, store untouched. POST: spend and sign in."""
    if request.method != "POST":
        fields = link_fields(context)
        if fields is None:
            return link_invalid(context, as_json=False)
        return confirm_page(
            context,
            action=f"callback/{provider.id}",
            fields=fields,
            heading="Sign in",
            message=f"Sign in as {fields['email']}?",
            button="Sign in",
        )
    body, as_json = checked_post(context, failure_page="signin")
    proven_email = provider.authenticate(context, body)
    if proven_email is None:
        return link_invalid(context, as_json)
    proven = prove_email(context, proven_email)
    user = {key: proven.user[key] for key in ("id", "name", "email", "image")}
    account = {"provider": provider.id, "type": "email", "providerAccountId": proven_email}
    return finish_sign_in(
        context,
        dict(user),
        account,
        callback_url=context.resolve_callback_url(body.get("callbackUrl")),
        as_json=as_json,
        is_new_user=proven.is_new_user,
        signed_in_after=proven.revoked_at,
    )
