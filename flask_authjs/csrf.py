"""CSRF for the auth routes: Auth.js's double-submit cookie.

The cookie ``authjs.csrf-token`` (``__Host-authjs.csrf-token`` on https) holds
``token|sha256_hex(token + secret)``. A POST is accepted when it sends the same ``token``
in the ``csrfToken`` body field (the Auth.js wire name) or the ``X-CSRFToken`` /
``X-CSRF-Token`` header, and the cookie's hash is ours. A request whose ``Origin`` header
names another origin fails too, whatever token it carries.

Why a cookie rather than a token kept in Flask's session: the token lives exactly as long as
the cookie (a browser session), so a page that fetched ``/csrf`` once keeps working after
signing in, and the auth routes never write a Flask ``session`` cookie. The hash means only
the server can mint a cookie; the ``__Host-`` prefix means a sibling subdomain cannot plant
one on https, which is what token rotation at sign-in used to defend against.
"""

from __future__ import annotations

import hmac
import secrets as random_source
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import unquote

from flask import Request, Response, after_this_request, current_app, request

from .cookies import CookieNames, set_cookie_header
from .redirects import normalized_origin
from .tokens import secret_hash

#: ``environ`` keys: this request's token, and whether the response must set the cookie.
_TOKEN_KEY = "authjs.csrf_token"
_NEW_KEY = "authjs.csrf_new"


def token_from_cookie(value: str | None, secrets: tuple[str, ...]) -> str | None:
    """The token of a ``token|hash`` cookie whose hash one of ``secrets`` made, else ``None``."""
    if not value:
        return None
    token, sep, digest = unquote(value).partition("|")
    if not sep or not token or len(token) > 128:
        return None
    if any(hmac.compare_digest(digest, secret_hash(token, secret)) for secret in secrets):
        return token
    return None


class _Settings(Protocol):
    secrets: tuple[str, ...]


class _App(Protocol):
    """What CSRF needs of the app's ``AuthContext`` (a layer above, so not imported)."""

    @property
    def settings(self) -> _Settings: ...

    def cookie_names(self) -> CookieNames: ...

    def secure(self) -> bool: ...


def _app() -> _App:
    context: _App = current_app.extensions["authjs"]
    return context


def _cookie_token(context: _App) -> str | None:
    name = context.cookie_names().csrf_token
    return token_from_cookie(request.cookies.get(name), context.settings.secrets)


def csrf_token() -> str:
    """This browser's token: the one its cookie carries, or a new one the response will set."""
    cached: str | None = request.environ.get(_TOKEN_KEY)
    if cached is not None:
        return cached
    token = _cookie_token(_app())
    if token is None:
        token = random_source.token_hex(32)
        request.environ[_NEW_KEY] = True
        # Only a request that minted a token sets the cookie: no hook on every request.
        after_this_request(set_csrf_cookie)
    request.environ[_TOKEN_KEY] = token
    return token


def set_csrf_cookie(response: Response) -> Response:
    """Send the cookie when this request minted a new token (once, whoever calls first)."""
    if request.environ.pop(_NEW_KEY, False):
        context = _app()
        token = request.environ[_TOKEN_KEY]
        value = f"{token}|{secret_hash(token, context.settings.secrets[0])}"
        response.headers.add(
            "Set-Cookie",
            set_cookie_header(context.cookie_names().csrf_token, value, secure=context.secure()),
        )
    return response


def csrf_valid(request: Request, body: Mapping[str, Any], origin: str) -> bool:
    sent_origin = request.headers.get("Origin")
    if sent_origin is not None and normalized_origin(sent_origin) != origin:
        return False
    sent = (
        body.get("csrfToken")
        or request.headers.get("X-CSRFToken")
        or request.headers.get("X-CSRF-Token")
    )
    if not isinstance(sent, str) or not sent:
        return False
    expected = _cookie_token(_app())
    return expected is not None and hmac.compare_digest(sent.encode(), expected.encode())
