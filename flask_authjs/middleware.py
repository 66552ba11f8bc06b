"""``SessionMiddleware``: the session cookie, verified once per request, for any WSGI app."""

from __future__ import annotations

import json
import threading
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
        #: Per ``secure``: the session cookie's name, its strategy, and the parsed headers.
        self._cookies = {
            secure: (name, strategy, HeaderCache(name))
            for secure, name, strategy in (
                (False, session_format.cookie_name(False), sessions),
                (True, session_format.cookie_name(True), secure_sessions or sessions),
            )
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # Every request passes here: the common cases take as few steps as they can.
        secure = self.secure
        if secure is None:
            secure = environ.get("wsgi.url_scheme") == "https"
        name, sessions, headers = self._cookies[secure]
        header = environ.get("HTTP_COOKIE")
        if not header or name not in header:
            environ[SESSION_KEY] = None
            return self.app(environ, _keeping_cookies_private(start_response))
        value, names, known, steady_until = headers.entries.get(header) or headers.read(header)
        if not names:
            environ[SESSION_KEY] = None
            return self.app(environ, _keeping_cookies_private(start_response))
        now = int(self.clock())
        if now < steady_until:
            loaded: LoadedSession | None = known
        else:
            try:
                loaded = sessions.load(value, now) if value else None
            except StoreUnavailable:
                return _store_unavailable(environ, start_response)
            if loaded is not None and loaded.steady_until > now:
                headers.settle(header, loaded)
        renew = False
        if loaded is None:
            environ[SESSION_KEY] = environ[TOKEN_KEY] = None
        else:
            claims, renew, _ = loaded
            environ[SESSION_KEY] = claims
            environ[TOKEN_KEY] = value
        if self.read_only or (loaded is not None and not renew):
            return self.app(environ, _keeping_cookies_private(start_response))
        return self.app(
            environ,
            self._writing_cookie(start_response, sessions, name, names, loaded, now, secure),
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


class HeaderCache:
    """What one session cookie name says in a ``Cookie`` header, by header, bounded
    (oldest out first): ``(value, names, loaded, steady_until)``.

    A browser sends the same header on every request until a cookie changes, so the
    header is parsed once (a pure function of the header and the name), and the cached
    value is the same ``str`` object each time, whose hash Python keeps. A strategy that
    says its answer for a token holds until a time (a young JWT: until it expires or is
    due for renewal) has that answer kept here too, used while the clock is before it;
    otherwise the strategy is asked on every request, as before. Only headers up to
    ``max_length`` are kept.
    """

    def __init__(self, name: str, size: int = 512, max_length: int = 4096) -> None:
        self.name = name
        self.size = size
        self.max_length = max_length
        #: Read by the middleware directly on its hot path.
        self.entries: dict[str, tuple[str | None, tuple[str, ...], LoadedSession | None, int]] = {}
        self._lock = threading.Lock()

    def read(self, header: str) -> tuple[str | None, tuple[str, ...], LoadedSession | None, int]:
        entry = self.entries.get(header)
        if entry is None:
            value, names = read_chunked(header, self.name)
            entry = (value, names, None, 0)
            self._keep(header, entry)
        return entry

    def settle(self, header: str, loaded: LoadedSession) -> None:
        """Keep ``loaded`` for ``header`` until ``loaded.steady_until``."""
        entry = self.entries.get(header)
        if entry is not None:
            self._keep(header, (entry[0], entry[1], loaded, loaded.steady_until))

    def _keep(
        self, header: str, entry: tuple[str | None, tuple[str, ...], LoadedSession | None, int]
    ) -> None:
        if len(header) > self.max_length:
            return
        with self._lock:
            if header not in self.entries and len(self.entries) >= self.size:
                del self.entries[next(iter(self.entries))]
            self.entries[header] = entry

    def __len__(self) -> int:
        return len(self.entries)


def _keeping_cookies_private(start_response: StartResponse) -> StartResponse:
    """``start_response`` that keeps any response writing our cookies out of shared caches."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # A plain loop, the length first: this runs for every response, most of which
        # write no cookie ("Set-Cookie" has 10 letters, the usual headers more).
        for key, value in headers:
            if len(key) == 10 and key.lower() == "set-cookie" and is_ours(value):
                headers = private_to_the_browser(headers)
                break
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
