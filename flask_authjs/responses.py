"""The response shapes of the auth routes: redirects that become JSON on request, no-store JSON.

Auth.js clients post ``json=true`` (v4) or send ``X-Auth-Return-Redirect: 1`` (v5) and
expect ``{"url": ...}`` instead of a 302, with the route's status. We add ``ok``,
``status`` and ``error`` (and the new ``session`` after a sign-in), which the real
client ignores and a plain ``fetch`` client can use at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Request, Response, jsonify

NO_STORE = {
    "Cache-Control": "private, no-cache, no-store",
    "Pragma": "no-cache",
    "Expires": "0",
    "Vary": "Cookie",
}


def wants_json_redirect(request: Request, body: Mapping[str, Any]) -> bool:
    return body.get("json") == "true" or request.headers.get("X-Auth-Return-Redirect") == "1"


def with_query(url: str, params: Mapping[str, str | None]) -> str:
    present = {key: value for key, value in params.items() if value is not None}
    if not present:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(present)}"


def json_response(data: Any, status: int = 200, *, cache: bool = False) -> Response:
    response = jsonify(data)
    response.status_code = status
    if not cache:
        response.headers.extend(NO_STORE)  # a fresh response has none of them: no lookups
    return response


def auth_redirect(
    url: str,
    *,
    as_json: bool,
    status: int = 200,
    error: str | None = None,
    session: Mapping[str, Any] | None = None,
) -> Response:
    """A 302 to ``url`` for browsers, or ``{"url": ...}`` with ``status`` for scripts."""
    if not as_json:
        response = Response(status=302)
        response.headers["Location"] = url
        response.headers.update(NO_STORE)
        return response
    data: dict[str, Any] = {"url": url, "ok": 200 <= status < 300, "status": status, "error": error}
    if session is not None:
        data["session"] = session
    return json_response(data, status)


def plain_error(message: str, status: int = 400) -> Response:
    return Response(message, status=status, mimetype="text/plain")
