"""The response shapes of the auth routes: pages, no-store JSON, redirects that become JSON.

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

NO_STORE = [
    ("Cache-Control", "private, no-cache, no-store"),
    ("Pragma", "no-cache"),
    ("Expires", "0"),
    ("Vary", "Cookie"),
]
NOSNIFF = ("X-Content-Type-Options", "nosniff")
#: No inline script or style on our pages. ``form-action`` is left out on purpose: an OAuth
#: start is a form post that redirects to the provider, which Chromium would then block.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: Header lists built once; every response here is fresh, so they are appended, not set.
PAGE_HEADERS = [
    *NO_STORE,
    NOSNIFF,
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", PAGE_POLICY),
]
JSON_HEADERS = [*NO_STORE, NOSNIFF]


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
    response.headers.extend(JSON_HEADERS if not cache else [NOSNIFF])
    return response


def html_response(html: str, status: int = 200) -> Response:
    """An auth page: never cached, framed or sniffed, and running only scripts we ship."""
    return Response(html, status=status, mimetype="text/html", headers=PAGE_HEADERS)


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
        return Response(status=302, headers=[("Location", url), *NO_STORE])
    data: dict[str, Any] = {"url": url, "ok": 200 <= status < 300, "status": status, "error": error}
    if session is not None:
        data["session"] = session
    return json_response(data, status)


def plain_error(message: str, status: int = 400) -> Response:
    return Response(message, status=status, mimetype="text/plain", headers=[NOSNIFF])
