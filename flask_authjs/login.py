"""``login_user()`` and ``logout_user()``: start or end a session from any view.

Flask-Login's names, for the flows an app runs itself (an invitation accepted, a sign-up
form of its own, an admin "sign in as"): the user is already known, so the provider step
and account linking are skipped and the sign-in pipeline runs from the ``jwt`` callback
on (:meth:`~flask_authjs.pipeline.SignInPipeline.complete`): the same claims, the same
session (a JWT, or a row for the database strategy), the same ``signed_in`` signal as a
sign-in through the routes. The session cookie is set on this request's response,
whatever the view returns, and the rest of the request already sees the new session in
``g.session`` and ``current_user``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, after_this_request, current_app, g, request

from .context import current_auth
from .middleware import SESSION_KEY, TOKEN_KEY
from .pipeline import Attempt, current_pipeline
from .signals import send_safely, signed_out

#: ``g`` slot holding the ``Set-Cookie`` values the last call asked for.
_PENDING = "_authjs_pending_cookies"


def login_user(user: Mapping[str, Any], *, provider: str = "credentials") -> dict[str, Any]:
    """Sign ``user`` in on this request; return the new session as ``g.session`` shows it.

    ``user`` is a dict with at least ``"id"`` (and usually ``"email"``, ``"name"``,
    ``"image"``), as your store or ``authorize`` returns it. ``provider`` is the id the
    session's account is recorded under (what the ``jwt`` callback sees in
    ``account["provider"]``). A session the request already had is replaced (and, for the
    database strategy, deleted).
    """
    user_id = user.get("id")
    if not isinstance(user_id, str | int) or isinstance(user_id, bool) or user_id == "":
        raise ValueError('login_user(): the user needs an "id" (a string or an integer)')
    context = current_auth()
    registered = context.providers.get(provider)
    account = {
        "provider": provider,
        "type": registered.type if registered is not None else "credentials",
        "providerAccountId": str(user_id),
    }
    attempt = Attempt(user=dict(user), account=account, callback_url=request.url)
    signed = current_pipeline().complete(attempt)
    request.environ[SESSION_KEY] = signed.claims
    request.environ[TOKEN_KEY] = signed.token
    g.session = signed.session
    _set_on_response(signed.cookies)
    return dict(signed.session or {})


def logout_user() -> bool:
    """End this request's session (deleted from the store for the database strategy) and
    clear its cookie on the response; ``False`` when nobody was signed in.

    ``signed_out`` is sent with the claims that ended, as ``POST {base}/signout`` does.
    """
    context = current_auth()
    claims = context.current_claims()
    _set_on_response(context.end_session())
    request.environ[SESSION_KEY] = None
    request.environ[TOKEN_KEY] = None
    g.session = None
    if claims is None:
        return False
    send_safely(
        signed_out,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        session=dict(claims),
    )
    return True


def _set_on_response(cookies: list[str]) -> None:
    """Write ``cookies`` on this request's response; a later call replaces an earlier one
    (``login_user`` then ``logout_user`` leaves the user signed out)."""
    first = _PENDING not in g
    setattr(g, _PENDING, cookies)
    if not first:
        return

    @after_this_request
    def write(response: Response) -> Response:
        for cookie in g.get(_PENDING, ()):
            response.headers.add("Set-Cookie", cookie)
        return response
