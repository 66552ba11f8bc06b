"""``GET {base}/error?error=<code>``: sign-in problems go to the sign-in page, others here."""

from __future__ import annotations

from flask import Response, render_template, request

from ..context import current_auth
from ..errors import SIGNIN_ERRORS
from ..errors import error_page as error_page_for
from ..responses import auth_redirect, html_response, with_query


def error_page() -> Response:
    context = current_auth()
    code = request.args.get("error", "")
    if code in SIGNIN_ERRORS:
        return auth_redirect(context.sign_in_page_url(error=code), as_json=False)
    if "error" in context.auth.pages:
        return auth_redirect(
            with_query(context.page_url("error", "error"), {"error": code}), as_json=False
        )
    page = error_page_for(code)
    html = render_template(
        "authjs/error.html", page=page, origin=context.origin(), base_url=context.base_url()
    )
    return html_response(html, page.status)
