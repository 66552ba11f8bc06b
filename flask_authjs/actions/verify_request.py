"""``GET {base}/verify-request``: "check your email", after every "send me a link".

The page (or ``pages["verify_request"]``) is the same whether or not the address has an
account, so it tells a visitor nothing about who is registered.
"""

from __future__ import annotations

from flask import render_template, request

from ..context import current_auth
from ..responses import Result, page_result, redirect_result, with_query


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
        kind=kind,
        origin=origin,
        host=origin.split("://", 1)[1],
    )
    return page_result(html)
