"""Everything flask-authjs knows about one app, built once at ``init_app``.

Views and helpers reach it with :func:`current_auth` (it lives in
``app.extensions["authjs"]``); it answers the per-request questions that need both the
settings and the request: our origin, the cookie names, where a callbackUrl may lead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response, abort, current_app, has_request_context, request

from .adapters import Adapter, adapter_from_url
from .config import Settings
from .cookies import CookieNames, chunked_set_cookie_headers, cookie_names, read_chunked
from .email_tokens import EmailTokens
from .errors import ConfigurationError
from .mail import make_mailer
from .middleware import SESSION_KEY, TOKEN_KEY
from .passwords import PasswordHasher
from .providers.checks import check_codec
from .ratelimit import RateLimiter
from .redirects import is_safe_location, normalized_origin, same_origin_url
from .responses import with_query
from .sessions import (
    TOKEN_BOOKKEEPING,
    DatabaseSessionStrategy,
    JWTSessionStrategy,
    SessionStrategy,
    session_from_claims,
    sign_out_everywhere,
)
from .tokens import Claims, TokenCodec

if TYPE_CHECKING:
    from .extension import AuthJS
    from .providers import Provider


class AuthContext:
    def __init__(self, auth: AuthJS, settings: Settings, adapter: Adapter | None) -> None:
        self.auth = auth
        self.settings = settings
        self.session_codec = TokenCodec(
            settings.secrets,
            "session",
            algorithm=settings.jwt_algorithm,
            max_lifetime=settings.session_max_age,
        )
        #: Seconds since the epoch; tests replace it to move time without sleeping.
        self.clock: Callable[[], float] = time.time
        self.sessions: SessionStrategy
        if settings.session_strategy == "database":
            self.sessions = DatabaseSessionStrategy(
                lambda: self.adapter,
                max_age=settings.session_max_age,
                update_age=settings.session_update_age,
            )
        else:
            self.sessions = JWTSessionStrategy(
                self.session_codec,
                max_age=settings.session_max_age,
                update_age=settings.session_update_age,
                store=lambda: self.adapter,
            )
        self.password_hasher = PasswordHasher(settings.bcrypt_rounds)
        self.rate_limiter = RateLimiter(lambda: self.adapter, lambda: self.clock(), settings)
        self.check_codec = check_codec(settings.secrets, settings.jwt_algorithm)
        self._adapter = adapter
        self.email_tokens = EmailTokens(
            lambda: self.adapter, settings.secrets, lambda: self.clock()
        )
        self.mailer = make_mailer(
            send=next(
                filter(None, (getattr(p, "send", None) for p in auth.providers.values())), None
            ),
            smtp=settings.smtp,
            timeout=settings.smtp_timeout,
            sender=settings.email_from,
            dev_outbox=settings.dev_outbox,
        )
        self._check_mail()

    def _check_mail(self) -> None:
        """Magic links and verification mails need a way to send and ``AUTHJS_URL``."""
        email_provider = any(p.type == "email" for p in self.auth.providers.values())
        if not (email_provider or self.settings.email_verification):
            return
        if self.mailer is None:
            raise ConfigurationError(
                "AUTHJS_SMTP_URL",
                "is not set, so sign-in and verification mails cannot be sent.",
                'set it (e.g. "smtp://user:password@smtp.example.com:587"), or pass '
                "EmailProvider(send=your_function).",
            )
        if self.settings.origin is None:
            raise ConfigurationError(
                "AUTHJS_URL",
                "is not set; email links are built from it, never from a request's Host header.",
                'set it to the public origin, e.g. "https://example.com".',
            )

    @property
    def adapter(self) -> Adapter:
        if self._adapter is None:
            self._adapter = adapter_from_url(
                self.settings.database_url, timeout=self.settings.store_timeout
            )
        return self._adapter

    def now(self) -> int:
        return int(self.clock())

    @property
    def providers(self) -> dict[str, Provider]:
        return self.auth.providers

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
        return cookie_names(self.secure())

    def page_url(self, page: str, default_action: str) -> str:
        """The absolute URL of ``pages[page]`` if set, else of our built-in action."""
        custom = self.auth.pages.get(page)
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
        callback = self.auth.callbacks.get("redirect")
        if callback is None:
            return url
        asked = target if isinstance(target, str) and target else url
        chosen = callback(url=asked, base_url=origin)
        return chosen if isinstance(chosen, str) and is_safe_location(chosen) else url

    # Sessions as views see them.

    def session_view(self, claims: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if claims is None:
            return None
        session = session_from_claims(claims)
        callback = self.auth.callbacks.get("session")
        if callback is not None:
            session = callback(session=session, token=claims)
        return session

    def current_claims(self) -> Mapping[str, Any] | None:
        claims: Mapping[str, Any] | None = request.environ.get(SESSION_KEY)
        return claims

    def issue_session(self, claims: Mapping[str, Any]) -> IssuedSession:
        """A new session for ``claims``: the cookie value, and the claims as they now stand."""
        now = self.now()
        previous = request.environ.get(TOKEN_KEY) if has_request_context() else None
        if previous:
            # A new session replaces the request's old one (sign-in again, session update).
            self.sessions.end(previous)
        token, max_age = self.sessions.issue(claims, now)
        fresh = {k: v for k, v in claims.items() if k not in TOKEN_BOOKKEEPING}
        return IssuedSession(token, max_age, {**fresh, "iat": now, "exp": now + max_age})

    def set_session_cookie(self, response: Response, issued: IssuedSession | None) -> None:
        """Write (or, with ``None``, delete) the session cookie and any stale chunks."""
        name = self.cookie_names().session_token
        previous = read_chunked(request.headers.get("Cookie", ""), name).names
        for header in chunked_set_cookie_headers(
            name,
            issued.token if issued else None,
            secure=self.secure(),
            max_age=issued.max_age if issued else None,
            previous=previous,
        ):
            response.headers.add("Set-Cookie", header)

    def end_session(self, response: Response) -> None:
        token = request.environ.get(TOKEN_KEY)
        if token:
            self.sessions.end(token)
        self.set_session_cookie(response, None)

    def sign_out_everywhere(self, user_id: str) -> int:
        """End every session of ``user_id`` (see :func:`sessions.sign_out_everywhere`)."""
        return sign_out_everywhere(self.adapter, user_id, self.now())


@dataclass(frozen=True)
class IssuedSession:
    token: str
    max_age: int
    claims: Claims


def current_auth() -> AuthContext:
    context: AuthContext = current_app.extensions["authjs"]
    return context
