"""The response shapes of the auth routes, and the one place a :class:`Result` becomes one.

Actions decide *what* to answer (a :class:`Result`: where to redirect or which JSON body,
the status, the cookies to set or clear); :func:`to_response` decides *how*, the same way
for every action. :func:`wants_json` is the package's only answer to "does this client
want JSON rather than a page or a 302?".

Auth.js clients post ``json=true`` (v4) or send ``X-Auth-Return-Redirect: 1`` (v5) and
expect ``{"url": ...}`` instead of a 302, with the route's status. We add ``ok``,
``status`` and ``error`` (and the new ``session`` after a sign-in), which the real
client ignores and a plain ``fetch`` client can use at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, send_from_directory
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

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


#: The 503 answer while the store cannot be reached, from the blueprint or the middleware.
STORE_UNAVAILABLE_MESSAGE = (
    "The sign-in service is temporarily unavailable. Please try again shortly."
)
_JSON_TYPES = ("text/html", "application/json")


def wants_json(environ: Mapping[str, Any], body: Mapping[str, Any] | None = None) -> bool:
    """Whether the client wants JSON: ``json=true`` in the body (Auth.js v4),
    ``X-Auth-Return-Redirect: 1`` (v5), ``X-Requested-With: XMLHttpRequest``, a JSON
    request body, or an ``Accept`` header that prefers JSON to HTML.

    It reads the WSGI ``environ``, so the middleware (outside Flask) asks the same question.
    """
    if body is not None and body.get("json") == "true":
        return True
    if environ.get("HTTP_X_AUTH_RETURN_REDIRECT") == "1":
        return True
    if environ.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest":
        return True
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    if content_type == "application/json":
        return True
    accept = environ.get("HTTP_ACCEPT")
    if not accept:
        return False
    best = parse_accept_header(accept, MIMEAccept).best_match(_JSON_TYPES)
    return best == "application/json"


def with_query(url: str, params: Mapping[str, str | None]) -> str:
    present = {key: value for key, value in params.items() if value is not None}
    if not present:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(present)}"


def json_response(data: Any, status: int = 200, *, cache: bool = False) -> Response:
    """``jsonify``'s body (the app's JSON provider, compact), built in one step with our
    headers."""
    return _json_text_response(json_text(data), status, cache)


def json_text(data: Any) -> str:
    """``data`` as ``jsonify`` writes it (the app's JSON provider, compact, newline)."""
    return f"{current_app.json.dumps(data, separators=(',', ':'))}\n"


def _json_text_response(text: str, status: int, cache: bool) -> Response:
    response = Response(text, status=status, mimetype="application/json")
    add_constant_headers(response, JSON_HEADERS if not cache else [NOSNIFF])
    return response


def add_constant_headers(response: Response, pairs: list[tuple[str, str]]) -> None:
    """Append this module's constant header pairs, which were checked once at import.

    Werkzeug re-validates every value it is given (no newline), which for the five
    headers of every JSON answer costs more than the rest of ``GET {base}/session``; these
    never change, so they go straight onto the header list where Werkzeug keeps it.
    """
    listed = getattr(response.headers, "_list", None)
    if isinstance(listed, list):
        listed.extend(pairs)
    else:  # a Werkzeug without the list: the checked way
        response.headers.extend(pairs)


def _checked_constants(*groups: list[tuple[str, str]]) -> None:
    for key, value in (pair for group in groups for pair in group):
        if not (key and value) or any(c in key + value for c in "\r\n\0"):
            raise ValueError(f"bad constant header {key!r}: {value!r}")


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
        return Response(status=302, headers=[("Location", url), *NO_STORE, NOSNIFF])
    data: dict[str, Any] = {"url": url, "ok": 200 <= status < 300, "status": status, "error": error}
    if session is not None:
        data["session"] = session
    return json_response(data, status)


def plain_error(message: str, status: int = 400) -> Response:
    return Response(message, status=status, mimetype="text/plain", headers=[NOSNIFF])


@dataclass
class Result:
    """What an action answers, before it is a response (see :func:`to_response`).

    Exactly one of ``redirect`` (a 302, or ``{"url": ...}`` when ``as_json``), ``json``
    (a no-store JSON body), ``html`` (an auth page), ``text`` (a plain error) or ``file``
    (a file of the package's ``static`` folder) is set.
    """

    status: int = 200
    redirect: str | None = None
    as_json: bool = False
    error: str | None = None
    session: Mapping[str, Any] | None = None
    json: Any = None
    #: A JSON body already encoded (see :func:`json_text_result`).
    json_text: str | None = None
    cache: bool = False
    html: str | None = None
    text: str | None = None
    file: str | None = None
    mimetype: str | None = None
    #: ``Set-Cookie`` header values: cookies to set, and expired ones that clear cookies.
    cookies: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)

    def with_cookies(self, cookies: Sequence[str]) -> Result:
        self.cookies.extend(cookies)
        return self


def redirect_result(
    url: str,
    *,
    as_json: bool,
    status: int = 200,
    error: str | None = None,
    session: Mapping[str, Any] | None = None,
) -> Result:
    return Result(status=status, redirect=url, as_json=as_json, error=error, session=session)


def json_result(data: Any, status: int = 200, *, cache: bool = False) -> Result:
    return Result(status=status, json=data, cache=cache)


def json_text_result(text: str, status: int = 200) -> Result:
    """A JSON answer whose body is already encoded (by :func:`json_text`)."""
    return Result(status=status, json_text=text)


def page_result(html: str, status: int = 200) -> Result:
    return Result(status=status, html=html)


def text_result(message: str, status: int = 400) -> Result:
    return Result(status=status, text=message)


def to_response(result: Result, static_folder: str | None = None) -> Response:
    """The one place a :class:`Result` becomes a Flask response."""
    if result.redirect is not None:
        response = auth_redirect(
            result.redirect,
            as_json=result.as_json,
            status=result.status,
            error=result.error,
            session=result.session,
        )
    elif result.html is not None:
        response = html_response(result.html, result.status)
    elif result.text is not None:
        response = plain_error(result.text, result.status)
    elif result.file is not None:
        assert static_folder is not None
        response = send_from_directory(static_folder, result.file, mimetype=result.mimetype)
        response.headers["X-Content-Type-Options"] = "nosniff"
    elif result.json_text is not None:
        response = _json_text_response(result.json_text, result.status, result.cache)
    elif result.json is not None:
        response = json_response(result.json, result.status, cache=result.cache)
    else:
        response = Response(status=result.status, headers=[NOSNIFF])
    for cookie in result.cookies:
        response.headers.add("Set-Cookie", cookie)
    for name, value in result.headers:
        response.headers[name] = value
    return response


_checked_constants(NO_STORE, PAGE_HEADERS, JSON_HEADERS, [NOSNIFF])
