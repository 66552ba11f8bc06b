"""``GET {base}/signout`` (a confirmation page) and ``POST`` (end the session)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request

from ..context import current_auth
from ..csrf import csrf_token
from ..responses import Result, page_result, redirect_result
from ..signals import send_safely, signed_out
from .posts import checked_post


def sign_out_page() -> Result:
    context = current_auth()
    if "sign_out" in context.pages:
        return redirect_result(context.page_url("sign_out", "signout"), as_json=False)
    raw_callback = request.args.get("callbackUrl")
    html = render_template(
        "authjs/signout.html",
        csrf_token=csrf_token(),
        callback_url=context.resolve_callback_url(raw_callback) if raw_callback else "",
        base_url=context.base_url(),
        signed_in_as=_who(context.session_view(context.current_claims())),
    )
    return page_result(html)


def _who(session: dict[str, Any] | None) -> str | None:
    if session is None:
        return None
    user = session.get("user") or {}
    return str(user.get("email") or user.get("name") or "an account")


def sign_out() -> Result:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="signout")
    claims = context.current_claims()
    target = context.resolve_callback_url(body.get("callbackUrl"))
    result = redirect_result(target, as_json=as_json).with_cookies(context.end_session())
    if claims is not None:
        send_safely(
            signed_out,
            current_app._get_current_object(),  # type: ignore[attr-defined]
            session=dict(claims),
        )
    return result
