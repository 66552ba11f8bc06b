"""``POST {base}/signout-everywhere``: end every session of the signed-in user.

Database sessions on every device end at once; JWT sessions elsewhere end at their next
renewal (within ``AUTHJS_SESSION_UPDATE_AGE``), when the store is asked. This device's
cookie is cleared now.
"""

from __future__ import annotations

from flask import current_app

from ..context import current_auth
from ..errors import SESSION_REQUIRED
from ..responses import Result, redirect_result
from ..signals import send_safely, signed_out
from .posts import checked_post


def sign_out_everywhere() -> Result:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="signout")
    claims = context.current_claims()
    if claims is None:
        return redirect_result(
            context.sign_in_page_url(error=SESSION_REQUIRED),
            as_json=as_json,
            status=401,
            error=SESSION_REQUIRED,
        )
    context.sign_out_everywhere(claims["sub"])
    target = context.resolve_callback_url(body.get("callbackUrl"))
    result = redirect_result(target, as_json=as_json).with_cookies(context.session_cookies(None))
    send_safely(
        signed_out,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        session=dict(claims),
    )
    return result
