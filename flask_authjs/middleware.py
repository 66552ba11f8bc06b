"""``SessionMiddleware``: the session cookie, verified once per request, for any WSGI app."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .clock import Clock, system_clock
from .cookies import CookieNames, chunked_set_cookie_headers, cookie_names, read_chunked
from .errors import STORE_RETRY_AFTER, STORE_UNAVAILABLE
from .exceptions import StoreUnavailable
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

    It trusts only the cookie named ``authjs.session-token`` (``__Secure-authjs.session-token``
    on https), joined from its ``.0``, ``.1``, ... chunks when it was split. The value is
    checked by the session strategy (a JWT signature, or a store lookup); anything that
    fails, in any way, is no session: ``environ["authjs.session"]`` is ``None``, the
    request goes on, and the response clears the bad cookie. A session past its update
    age is re-issued on the way out, unless the app itself set the session cookie.

    ``secure`` forces the https cookie names; ``None`` decides per request from
    ``wsgi.url_scheme`` (put Werkzeug's ``ProxyFix`` outside this middleware behind a proxy).
    """

    def __init__(
        self,
        app: WSGIApplication,
        sessions: SessionStrategy,
        *,
        secure: bool | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.secure = secure
        self.clock = clock
        self._names = {True: cookie_names(True), False: cookie_names(False)}

    def names_for(self, environ: WSGIEnvironment) -> CookieNames:
        secure = self.secure
        if secure is None:
            secure = environ.get("wsgi.url_scheme") == "https"
        return self._names[secure]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        name = self.names_for(environ).session_token
        header = environ.get("HTTP_COOKIE", "")
        if name not in header:
            environ[SESSION_KEY] = None
            return self.app(environ, start_response)
        cookie = read_chunked(header, name)
        if not cookie.names:
            environ[SESSION_KEY] = None
            return self.app(environ, start_response)
        now = int(self.clock())
        try:
            loaded = self.sessions.load(cookie.value, now) if cookie.value else None
        except StoreUnavailable:
            return _store_unavailable(environ, start_response)
        environ[SESSION_KEY] = loaded.claims if loaded else None
        environ[TOKEN_KEY] = cookie.value if loaded else None
        if loaded is not None and not loaded.renew:
            return self.app(environ, start_response)
        secure = name != self._names[False].session_token
        return self.app(
            environ, self._writing_cookie(start_response, name, cookie.names, loaded, now, secure)
        )

    def _writing_cookie(
        self,
        start_response: StartResponse,
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
                    value, max_age = loaded.reissue or self.sessions.issue(loaded.claims, now)
                headers = headers + [
                    ("Set-Cookie", cookie)
                    for cookie in chunked_set_cookie_headers(
                        name, value, secure=secure, max_age=max_age, previous=previous
                    )
                ]
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
