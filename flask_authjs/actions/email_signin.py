"""Magic links (the Auth.js Email provider, v4/v5 wire): ``POST {base}/signin/email``
sends the link; ``GET {base}/callback/email`` shows the page the link opens.

Unlike Auth.js, opening the link (GET, or HEAD) only shows a page with one button; the
POST of that button (CSRF checked, the provider's ``form_callback``) spends the token
and signs in through the one callback path and pipeline. Mail scanners that fetch every
link, follow redirects and even run scripts therefore cannot burn a link or sign
anyone in. The answer to "send me a link" is the same whether or not the address has
an account.
"""

from __future__ import annotations

from typing import Any

from ..context import AuthContext
from ..email_links import send_link
from ..email_tokens import MAGIC_LINK
from ..errors import ACCESS_DENIED, EMAIL_SIGNIN
from ..exceptions import EmailSendError, InvalidInput
from ..pipeline.linking import public
from ..providers.email import EmailProvider
from ..responses import Result, redirect_result, with_query
from .mail_answers import (
    confirm_page,
    link_fields,
    link_invalid,
    send_failed,
    send_refused,
    verify_request_url,
)


def send_sign_in_link(
    context: AuthContext, provider: EmailProvider, body: dict[str, Any], as_json: bool
) -> Result:
    callback_url = context.resolve_callback_url(body.get("callbackUrl"))
    try:
        email = provider.normalize(body.get("email"))
    except InvalidInput:
        url = with_query(context.page_url("error", "error"), {"error": EMAIL_SIGNIN})
        return redirect_result(url, as_json=as_json, status=400, error=EMAIL_SIGNIN)
    sign_in_page = context.sign_in_page_url(callback_url=callback_url)
    refused = send_refused(context, email, sign_in_page, as_json)
    if refused is not None:
        return refused
    if not _sign_in_allowed(context, provider, email):
        url = with_query(context.page_url("error", "error"), {"error": ACCESS_DENIED})
        return redirect_result(url, as_json=as_json, status=403, error=ACCESS_DENIED)
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
    return redirect_result(verify_request_url(context, provider.id, "email"), as_json=as_json)


def _sign_in_allowed(context: AuthContext, provider: EmailProvider, email: str) -> bool:
    """The ``sign_in`` callback before sending, as Auth.js asks it: the user (or the new
    one to be) and ``email={"verificationRequest": True}``."""
    if "sign_in" not in context.callbacks:
        return True
    found = context.adapter.get_user_by_email(email)
    user = public(found) if found else {"id": None, "email": email, "name": None, "image": None}
    allowed = context.callbacks.sign_in(
        user=user,
        account={"provider": provider.id, "type": "email", "providerAccountId": email},
        credentials=None,
        profile=None,
        email={"verificationRequest": True},
    )
    return allowed is not False


def confirmation_page(context: AuthContext, provider: EmailProvider) -> Result:
    """``GET|HEAD {base}/callback/email?token&email&callbackUrl``: the store untouched."""
    fields = link_fields(context)
    if fields is None:
        return link_invalid(context, as_json=False)
    return confirm_page(
        context,
        action=f"callback/{provider.id}",
        fields=fields,
        kind="magic_link",
    )
