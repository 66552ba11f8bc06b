"""The common start of every state-changing POST: read the body, check CSRF.

A failed check raises :class:`~flask_authjs.exceptions.CSRFFailed`, which the blueprint
answers the Auth.js way (a redirect to ``<page>?csrf=true``, or 403 ``{"url": ...}`` in
JSON mode), so no action can forget the check or answer it differently.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import request

from ..body import read_body
from ..context import AuthContext
from ..csrf import csrf_valid
from ..errors import MISSING_CSRF
from ..exceptions import CSRFFailed
from ..responses import Result, redirect_result, wants_json, with_query


class CheckedPost(NamedTuple):
    """Unpacks as ``body, as_json = checked_post(...)``."""

    body: dict[str, Any]
    as_json: bool


def checked_post(context: AuthContext, *, failure_page: str) -> CheckedPost:
    """The POST body, once its CSRF token is valid; ``failure_page`` is where a failure goes."""
    body = read_body(request)
    as_json = wants_json(request.environ, body)
    if not csrf_valid(request, body, context.origin()):
        raise CSRFFailed(failure_page, as_json)
    return CheckedPost(body, as_json)


def csrf_failure(context: AuthContext, failure: CSRFFailed) -> Result:
    url = with_query(context.action_url(failure.page), {"csrf": "true", "error": MISSING_CSRF})
    return redirect_result(url, as_json=failure.as_json, status=403, error=MISSING_CSRF)
