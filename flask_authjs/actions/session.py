"""``GET {base}/session`` (the current session or ``{}``) and ``POST`` (update it)."""

from __future__ import annotations

from flask import Response, current_app, g, request

from ..body import read_body
from ..context import current_auth
from ..csrf import csrf_valid
from ..responses import json_response
from ..signals import send_safely, session_updated


def get_session() -> Response:
    return json_response(g.session or {})


def update_session() -> Response:
    """The ``jwt`` callback gets ``trigger="update"`` and the posted ``data``."""
    context = current_auth()
    body = read_body(request, objects=frozenset({"data"}))
    if not csrf_valid(request, body, context.origin()):
        return json_response({}, 400)
    claims = context.current_claims()
    if claims is None:
        return json_response({})
    if context.session_revoked(claims):
        response = json_response({})
        context.end_session(response)
        return response
    token = dict(claims)
    jwt_callback = context.auth.callbacks.get("jwt")
    if jwt_callback is not None:
        token = jwt_callback(token=token, trigger="update", session=body.get("data"))
    if not isinstance(token, dict) or not isinstance(token.get("sub"), str):
        raise TypeError("the jwt callback must return a dict with the string claim 'sub'")
    issued = context.update_session(claims, token)
    session = context.session_view(issued.claims)
    response = json_response(session)
    context.set_session_cookie(response, issued)
    send_safely(
        session_updated,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        session=session,
        token=issued.claims,
    )
    return response
