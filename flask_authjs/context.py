"""Everything flask-authjs knows about one app, built once at ``init_app``.

Views and helpers reach it with :func:`current_auth` (it lives in
``app.extensions["authjs"]``); it answers the per-request questions that need both the
settings and the request: our origin, the cookie names, where a callbackUrl may lead.
It sits below the providers and the sign-in pipeline and knows nothing of them: the
``AuthJS`` object hands it the provider registry, the pages and the callbacks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flask import abort, current_app, has_request_context, request

from .adapters import Adapter, adapter_from_url
from .callbacks import Callbacks
from .clock import Clock, system_clock
from .config import Settings
from .cookies import CookieNames, chunked_set_cookie_headers, cookie_names, read_chunked
from .formats import FORMATS, session_codecs
from .middleware import SESSION_KEY, TOKEN_KEY
from .passwords import PasswordHasher
from .ratelimit import RateLimiter
from .redirects import is_safe_location, normalized_origin, same_origin_url
from .responses import json_text, with_query
from .sealing import TokenSealer
from .sessions import (
    AUTH_TIME,
    TOKEN_BOOKKEEPING,
    DatabaseSessionStrategy,
    JWTSessionStrategy,
    SessionStrategy,
    is_revoked,
    session_from_claims,
    sign_out_everywhere,
    signed_in_at,
)
from .tokens import Claims, TokenCodec


class ProviderEntry(Protocol):
    """What the context needs of a provider: the registry holds the real classes."""

    id: str
    name: str
    type: str

    def describe(self, base_url: str) -> dict[str, Any]: ...


class AuthContext:
    def __init__(
        self,
        settings: Settings,
        adapter: Adapter | None,
        *,
        providers: Mapping[str, ProviderEntry] | None = None,
        pages: Mapping[str, str] | None = None,
        callbacks: Mapping[str, Callable[..., Any]] | None = None,
        handlers: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.settings = settings
        #: The ``AuthJS`` object's own dicts, shared, not copied.
        self.providers: Mapping[str, ProviderEntry] = providers if providers is not None else {}
        self.pages: Mapping[str, str] = pages if pages is not None else {}
        self.callbacks = Callbacks(callbacks if callbacks is not None else {})
        #: The app's own handlers (``"unauthorized"``: what ``login_required`` answers).
        self.handlers: Mapping[str, Callable[..., Any]] = handlers if handlers is not None else {}
        self.session_format = FORMATS[settings.session_format]
        codecs = session_codecs(
            self.session_format,
            settings.secrets,
            algorithm=settings.jwt_algorithm,
            max_lifetime=settings.session_max_age,
        )
        #: The plain-name cookie's codec (the only one but in Auth.js v5's format).
        self.session_codec = codecs[False]
        #: The one clock (:mod:`.clock`); tests replace it to move time without sleeping.
        self.clock: Clock = system_clock
        #: The session strategy of the plain (``False``) and the https (``True``) cookie.
        self.session_strategies: dict[bool, SessionStrategy]
        if settings.session_strategy == "database":
            database = DatabaseSessionStrategy(
                lambda: self.adapter,
                max_age=settings.session_max_age,
                raw_tokens=settings.database_session_tokens == "raw",
            )
            self.session_strategies = {False: database, True: database}
        else:
            self.session_strategies = {
                secure: JWTSessionStrategy(
                    codec,
                    max_age=settings.session_max_age,
                    update_age=settings.session_update_age,
                    store=lambda: self.adapter,
                )
                for secure, codec in codecs.items()
            }
        self.password_hasher = PasswordHasher(settings.bcrypt_rounds)
        self.rate_limiter = RateLimiter(lambda: self.adapter, lambda: self.clock(), settings)
        self._codecs: dict[str, TokenCodec] = {}
        self.token_sealer = TokenSealer(settings.secrets) if settings.store_oauth_tokens else None
        self._adapter = adapter
        self.session_bodies = SessionBodies()

    @property
    def adapter(self) -> Adapter:
        if self._adapter is None:
            self._adapter = adapter_from_url(
                self.settings.database_url,
                timeout=self.settings.store_timeout,
                schema=self.settings.database_schema,
            )
        return self._adapter

    def now(self) -> int:
        return int(self.clock())

    def codec(self, purpose: str, *, max_lifetime: int) -> TokenCodec:
        """A token codec of this app's secrets for ``purpose`` (made once, then reused)."""
        codec = self._codecs.get(purpose)
        if codec is None:
            codec = TokenCodec(
                self.settings.secrets,
                purpose,
                algorithm=self.settings.jwt_algorithm,
                max_lifetime=max_lifetime,
            )
            self._codecs[purpose] = codec
        return codec

    # The request's view of the settings.

    def origin(self) -> str:
        """Our canonical origin: ``AUTHJS_URL``, or the request's host when it is trusted."""
        if self.settings.origin is not None:
            return self.settings.origin
        origin = normalized_origin(request.host_url)
        if origin is None:
            abort(400)
        return origin

    def base_url(self) -> str:
        return self.origin() + self.settings.base_path

    def action_url(self, action: str) -> str:
        return f"{self.base_url()}/{action}"

    def secure(self) -> bool:
        return self.origin().startswith("https://")

    def cookie_names(self) -> CookieNames:
        return cookie_names(
            self.secure(),
            authjs_names=self.session_format.authjs_names,
            session_base=self.session_format.base_name,
        )

    @property
    def sessions(self) -> SessionStrategy:
        """The session strategy of this request's session cookie."""
        return self.session_strategies[has_request_context() and self.secure()]

    def page_url(self, page: str, default_action: str) -> str:
        """The absolute URL of ``pages[page]`` if set, else of our built-in action."""
        custom = self.pages.get(page)
        if custom is None:
            return self.action_url(default_action)
        return same_origin_url(custom, self.origin()) or custom

    def sign_in_page_url(self, *, callback_url: str | None = None, error: str | None = None) -> str:
        return with_query(
            self.page_url("sign_in", "signin"), {"callbackUrl": callback_url, "error": error}
        )

    def resolve_callback_url(self, target: object) -> str:
        """Where a ``callbackUrl`` may send the user: same origin, or the ``redirect`` callback.

        The callback sees the same-origin result (or the bare origin) and may widen it;
        whatever it returns must still be a header-safe URL.
        """
        origin = self.origin()
        url = same_origin_url(target, origin) or origin
        if "redirect" not in self.callbacks:
            return url
        asked = target if isinstance(target, str) and target else url
        chosen = self.callbacks.redirect(asked, origin)
        return chosen if isinstance(chosen, str) and is_safe_location(chosen) else url

    # Sessions as views see them.

    def session_view(self, claims: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if claims is None:
            return None
        if "session" not in self.callbacks:
            return session_from_claims(claims)
        return self.callbacks.session(session_from_claims(claims), claims)

    def current_claims(self) -> Mapping[str, Any] | None:
        claims: Mapping[str, Any] | None = request.environ.get(SESSION_KEY)
        return claims

    def issue_session(self, claims: Mapping[str, Any]) -> IssuedSession:
        """A new session for a fresh sign-in: the cookie value, and the claims as they now stand.

        The sign-in happens now, whatever ``auth_time`` the ``jwt`` callback put in ``claims``.
        """
        return self._issue(
            {k: v for k, v in claims.items() if k not in (AUTH_TIME, *TOKEN_BOOKKEEPING)}
        )

    def session_revoked(self, current: Mapping[str, Any]) -> bool:
        """Whether "sign out everywhere" ended the verified session ``current``.

        The middleware asks only when a JWT is due for renewal; a session update asks
        every time, so updating cannot keep a revoked token alive.
        """
        return is_revoked(self.adapter, current)

    def update_session(
        self, current: Mapping[str, Any], claims: Mapping[str, Any]
    ) -> IssuedSession:
        """Re-issue the verified session ``current`` with updated ``claims``.

        It stays the same sign-in: its ``auth_time``, so its absolute lifetime, whatever
        the ``jwt`` callback returned.
        """
        return self._issue({**claims, AUTH_TIME: signed_in_at(current)})

    def _issue(self, claims: Mapping[str, Any]) -> IssuedSession:
        now = self.now()
        previous = request.environ.get(TOKEN_KEY) if has_request_context() else None
        if previous:
            # A new session replaces the request's old one (sign-in again, session update).
            self.sessions.end(previous)
        token, max_age = self.sessions.issue(claims, now)
        fresh = {k: v for k, v in claims.items() if k not in TOKEN_BOOKKEEPING}
        return IssuedSession(token, max_age, {**fresh, "iat": now, "exp": now + max_age})

    def session_cookies(self, issued: IssuedSession | None) -> list[str]:
        """``Set-Cookie`` values writing (or, with ``None``, deleting) the session cookie
        and clearing any of the request's stale chunks."""
        name = self.cookie_names().session_token
        previous = read_chunked(request.headers.get("Cookie", ""), name).names
        return chunked_set_cookie_headers(
            name,
            issued.token if issued else None,
            secure=self.secure(),
            max_age=issued.max_age if issued else None,
            previous=previous,
            chunk_size=self.session_format.chunk_size,
        )

    def end_session(self) -> list[str]:
        """End the request's session in the store (if any); the cookies that clear it."""
        token = request.environ.get(TOKEN_KEY)
        if token:
            self.sessions.end(token)
        return self.session_cookies(None)

    def sign_out_everywhere(self, user_id: str) -> int:
        """End every session of ``user_id`` (see :func:`sessions.sign_out_everywhere`)."""
        return sign_out_everywhere(self.adapter, user_id, self.now())


class SessionBodies:
    """``GET {base}/session``'s JSON body for a session shaped by default, by token.

    Without a ``session`` callback the body is a pure function of the claims, and the
    claims of a token (JWT), or of a token at one expiry (database sessions, whose
    expiry slides), do not change: encoding it once per token is enough. Bounded, oldest
    out first, like the token cache.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._bodies: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    def body(self, token: str, claims: Mapping[str, Any]) -> str:
        key = (token, claims["exp"])
        text = self._bodies.get(key)
        if text is None:
            text = json_text(session_from_claims(claims))
            with self._lock:
                if len(self._bodies) >= self.size:
                    del self._bodies[next(iter(self._bodies))]
                self._bodies[key] = text
        return text

    def __len__(self) -> int:
        return len(self._bodies)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    max_age: int
    claims: Claims


def current_auth() -> AuthContext:
    context: AuthContext = current_app.extensions["authjs"]
    return context
