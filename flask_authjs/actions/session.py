"""``GET {base}/session`` (the current session or ``{}``) and ``POST`` (update it)."""

from __future__ import annotations

from flask import g, request

from ..body import read_body
from ..context import current_auth
from ..csrf import csrf_valid
from ..globals import session_was_read
from ..middleware import TOKEN_KEY
from ..pipeline import current_pipeline
from ..responses import Result, json_result, json_text_result


def get_session() -> Result:
    """Every client polls this (on focus, on an interval), so the common case, a session
    shaped by default (no ``session`` callback), answers the JSON body kept for its
    token; anything else builds it."""
    context = current_auth()
    token = request.environ.get(TOKEN_KEY)
    claims = context.current_claims()
    if claims is None or not token or "session" in context.callbacks or session_was_read():
        return json_result(g.session or {})
    return json_text_result(context.session_bodies.body(token, claims))


def update_session() -> Result:
    """The ``jwt`` callback gets ``trigger="update"`` and the posted ``data``."""
    context = current_auth()
    body = read_body(request, objects=frozenset({"data"}))
    if not csrf_valid(request, body, context.origin()):
        return json_result({}, 400)
    claims = context.current_claims()
    if claims is None:
        return json_result({})
    if context.session_revoked(claims):
        # Signed out everywhere: an update must not give the token a new life.
        return json_result({}).with_cookies(context.end_session())
    updated = current_pipeline().update(claims, body.get("data"))
    return json_result(updated.session).with_cookies(updated.cookies)
