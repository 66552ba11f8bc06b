"""``GET {base}/error?error=<code>``: sign-in problems go to the sign-in page, others here."""

from __future__ import annotations

from flask import render_template, request

from ..context import current_auth
from ..errors import SIGNIN_ERRORS, error_page_status
from ..responses import Result, page_result, redirect_result, with_query
from .pages import error_page_copy


def error_page() -> Result:
    context = current_auth()
    code = request.args.get("error", "")
    if code in SIGNIN_ERRORS:
        return redirect_result(context.sign_in_page_url(error=code), as_json=False)
    if "error" in context.pages:
        return redirect_result(
            with_query(context.page_url("error", "error"), {"error": code}), as_json=False
        )
    html = render_template(
        "authjs/error.html",
        page=error_page_copy(code),
        origin=context.origin(),
        base_url=context.base_url(),
    )
    return page_result(html, error_page_status(code))
