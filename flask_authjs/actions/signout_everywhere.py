"""``POST {base}/signout-everywhere``: end every session of the signed-in user.

Database sessions on every device end at once; JWT sessions elsewhere end at their next
renewal (within ``AUTHJS_SESSION_UPDATE_AGE``), when the store is asked. This device's
cookie is cleared now.
"""

from __future__ import annotations

from flask import Response, current_app

from ..context import current_auth
from ..errors import SESSION_REQUIRED
from ..responses import auth_redirect
from ..signals import send_safely, signed_out
from .posts import checked_post


def sign_out_everywhere() -> Response:
    context = current_auth()
    body, as_json = checked_post(context, failure_page="signout")
    claims = context.current_claims()
    if claims is None:
        return auth_redirect(
            context.sign_in_page_url(error=SESSION_REQUIRED),
            as_json=as_json,
            status=401,
            error=SESSION_REQUIRED,
        )
    context.sign_out_everywhere(claims["sub"])
    response = auth_redirect(context.resolve_callback_url(body.get("callbackUrl")), as_json=as_json)
    context.set_session_cookie(response, None)
    send_safely(
        signed_out,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        session=dict(claims),
    )
    return response
