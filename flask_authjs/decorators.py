"""``login_required``: a signed-in session, or the way to get one."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from flask import Request, request

from .context import current_auth
from .errors import SESSION_REQUIRED
from .globals import request_session
from .responses import json_result, redirect_result, to_response, wants_json

F = TypeVar("F", bound=Callable[..., Any])

#: Set on every view ``login_required`` returns, so the loop detector can find a guarded
#: sign-in page.
GUARDED_ATTRIBUTE = "authjs_login_required"
#: ``AuthContext.handlers`` key of ``@auth.unauthorized_handler``.
UNAUTHORIZED = "unauthorized"


def login_required(view: F) -> F:
    """Run ``view`` only with a session in ``g.session``.

    A browser is redirected to the sign-in page (yours, if ``pages["sign_in"]`` is set)
    with ``callbackUrl`` set to the page it asked for; a script (``Accept:
    application/json`` or ``X-Requested-With: XMLHttpRequest``) gets 401
    ``{"error": "SessionRequired"}``. ``@auth.unauthorized_handler`` replaces both answers.
    """

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if request_session() is not None:
            return view(*args, **kwargs)
        return unauthorized()

    setattr(guarded, GUARDED_ATTRIBUTE, True)
    return cast(F, guarded)


def unauthorized() -> Any:
    """What ``login_required`` answers without a session: the app's handler, or ours."""
    handler = current_auth().handlers.get(UNAUTHORIZED)
    if handler is not None:
        return handler()
    if wants_json(request.environ):
        return to_response(json_result({"error": SESSION_REQUIRED}, 401))
    url = current_auth().sign_in_page_url(callback_url=requested_path(request))
    return to_response(redirect_result(url, as_json=False))


def is_guarded(view: Callable[..., Any]) -> bool:
    """Whether ``view`` is, or wraps (``functools.wraps``), a ``login_required`` view."""
    innermost = inspect.unwrap(view, stop=lambda f: hasattr(f, GUARDED_ATTRIBUTE))
    return getattr(innermost, GUARDED_ATTRIBUTE, False) is True


def requested_path(request: Request) -> str:
    """The path and query the browser asked for, percent-encoded as it sent them."""
    path = quote(request.script_root + request.path, safe="/!$&'()*+,;=:@~-._")
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path
