"""``SessionMiddleware``: the session cookie, verified once per request, for any WSGI app."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .clock import Clock, system_clock
from .cookies import (
    chunked_set_cookie_headers,
    is_ours,
    private_to_the_browser,
    read_chunked,
)
from .errors import STORE_RETRY_AFTER, STORE_UNAVAILABLE
from .exceptions import StoreUnavailable
from .formats import JWS, SessionFormat
from .responses import STORE_UNAVAILABLE_MESSAGE, wants_json
from .sessions import LoadedSession, SessionStrategy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: ``environ`` key holding the verified claims (a dict) or ``None``.
SESSION_KEY = "authjs.session"
#: ``environ`` key holding the raw session cookie value that was accepted.
TOKEN_KEY = "authjs.session_token"


class SessionMiddleware:
    """Reads the session cookie, verifies it, and puts the claims in ``environ``.

    It trusts only the session format's cookie (``authjs.session-token`` by default,
    ``__Host-authjs.session-token`` on https; Auth.js's own names in its formats), joined
    from its ``.0``, ``.1``, ... chunks when it was split. The value is checked by the
    session strategy (a JWT signature, or a store lookup); anything that fails, in any way,
    is no session: ``environ["authjs.session"]`` is ``None``, the request goes on, and the
    response clears the bad cookie. A session past its update age is re-issued on the way
    out, unless the app itself set the session cookie. Whoever writes our cookies, the
    response is kept out of shared caches (:func:`cookies.private_to_the_browser`).

    ``secure`` forces the https cookie names; ``None`` decides per request from
    ``wsgi.url_scheme`` (put Werkzeug's ``ProxyFix`` outside this middleware behind a proxy).
    ``secure_sessions`` reads the https cookie when it needs another strategy than
    ``sessions`` (Auth.js v5 salts its key with the cookie name). ``read_only`` never writes
    the cookie, neither to renew nor to clear it: the app that owns it (a Next.js site)
    does that.
    """

    def __init__(
        self,
        app: WSGIApplication,
        sessions: SessionStrategy,
        *,
        secure: bool | None = None,
        clock: Clock = system_clock,
        session_format: SessionFormat = JWS,
        secure_sessions: SessionStrategy | None = None,
        read_only: bool = False,
    ) -> None:
        self.app = app
        self.secure = secure
        self.clock = clock
        self.chunk_size = session_format.chunk_size
        self.read_only = read_only
        self._cookies = {
            False: (session_format.cookie_name(False), sessions),
            True: (session_format.cookie_name(True), secure_sessions or sessions),
        }

    def _secure(self, environ: WSGIEnvironment) -> bool:
        if self.secure is None:
            return environ.get("wsgi.url_scheme") == "https"
        return self.secure

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        secure = self._secure(environ)
        name, sessions = self._cookies[secure]
        header = environ.get("HTTP_COOKIE", "")
        if name not in header:
            environ[SESSION_KEY] = None
            return self.app(environ, _keeping_cookies_private(start_response))
        cookie = read_chunked(header, name)
        if not cookie.names:
            environ[SESSION_KEY] = None
            return self.app(environ, _keeping_cookies_private(start_response))
        now = int(self.clock())
        try:
            loaded = sessions.load(cookie.value, now) if cookie.value else None
        except StoreUnavailable:
            return _store_unavailable(environ, start_response)
        environ[SESSION_KEY] = loaded.claims if loaded else None
        environ[TOKEN_KEY] = cookie.value if loaded else None
        if self.read_only or (loaded is not None and not loaded.renew):
            return self.app(environ, _keeping_cookies_private(start_response))
        return self.app(
            environ,
            self._writing_cookie(start_response, sessions, name, cookie.names, loaded, now, secure),
        )

    def _writing_cookie(
        self,
        start_response: StartResponse,
        sessions: SessionStrategy,
        name: str,
        previous: tuple[str, ...],
        loaded: LoadedSession | None,
        now: int,
        secure: bool,
    ) -> StartResponse:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            app_wrote_cookie = any(
                key.lower() == "set-cookie" and value.startswith(name) for key, value in headers
            )
            if not app_wrote_cookie:
                if loaded is None:
                    value, max_age = None, None
                else:
                    value, max_age = sessions.issue(loaded.claims, now)
                headers = headers + [
                    ("Set-Cookie", cookie)
                    for cookie in chunked_set_cookie_headers(
                        name,
                        value,
                        secure=secure,
                        max_age=max_age,
                        previous=previous,
                        chunk_size=self.chunk_size,
                    )
                ]
            return start_response(status, private_to_the_browser(headers), exc_info)

        return start


def _keeping_cookies_private(start_response: StartResponse) -> StartResponse:
    """``start_response`` that keeps any response writing our cookies out of shared caches."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if any(key.lower() == "set-cookie" and is_ours(value) for key, value in headers):
            headers = private_to_the_browser(headers)
        return start_response(status, headers, exc_info)

    return start


#: No template engine out here (the middleware wraps any WSGI app), so a fixed small page.
UNAVAILABLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Temporarily unavailable</title></head>
<body><main><h1>Temporarily unavailable</h1><p>{message}</p>
<p><a href="">Try again</a></p></main></body></html>
"""


def _store_unavailable(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """503 when a database session cannot be looked up: not signed out, not a traceback."""
    message = STORE_UNAVAILABLE_MESSAGE
    if wants_json(environ):
        body = json.dumps({"error": STORE_UNAVAILABLE, "message": message}).encode()
        content_type = "application/json"
    elif "text/html" in environ.get("HTTP_ACCEPT", ""):  # a person: a page to retry
        body = UNAVAILABLE_PAGE.format(message=message).encode()
        content_type = "text/html; charset=utf-8"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Retry-After", STORE_RETRY_AFTER),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
