"""``GET {base}/verify-request``: "check your email", after every "send me a link".

The page (or ``pages["verify_request"]``) is the same whether or not the address has an
account, so it tells a visitor nothing about who is registered.
"""

from __future__ import annotations

from flask import render_template, request

from ..context import current_auth
from ..responses import Result, page_result, redirect_result, with_query

#: ``?type=``: what the mail is for, in the words the page uses.
MESSAGES = {
    "email": "A sign in link has been sent to your email address.",
    "reset": (
        "If an account uses that address, a link to choose a new password is on its way. "
        "It works once, for a short while."
    ),
    "verification": (
        "Confirm your email address: open the link we have sent you to finish signing up."
    ),
}


def verify_request_page() -> Result:
    context = current_auth()
    kind = request.args.get("type", "email")
    if "verify_request" in context.pages:
        url = with_query(
            context.page_url("verify_request", "verify-request"),
            {"provider": request.args.get("provider"), "type": kind},
        )
        return redirect_result(url, as_json=False)
    origin = context.origin()
    html = render_template(
        "authjs/verify_request.html",
        message=MESSAGES.get(kind, MESSAGES["email"]),
        origin=origin,
        host=origin.split("://", 1)[1],
    )
    return page_result(html)
