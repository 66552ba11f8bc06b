"""``AuthJS``: the extension object a user creates, and ``init_app`` wiring it into an app."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import Flask, current_app

from .actions import blueprint
from .adapters import Adapter
from .callbacks import NAMES as CALLBACK_NAMES
from .cli import authjs_cli
from .config import load_settings
from .context import AuthContext, current_auth
from .csrf import csrf_token, set_csrf_cookie
from .decorators import UNAUTHORIZED
from .exceptions import ConfigurationError
from .globals import current_session, current_user, with_lazy_session
from .loop import LoopDetector
from .middleware import SessionMiddleware
from .pipeline import Gate, SignInPipeline
from .pipeline.core import EXTENSION_KEY as PIPELINE_KEY
from .pipeline.two_factor import two_factor_gate
from .providers import Provider
from .redirects import same_origin_url
from .stub_idp import install_stub

PAGE_NAMES = ("sign_in", "sign_out", "error", "new_user", "verify_request")

F = TypeVar("F", bound=Callable[..., Any])


class AuthJS:
    """Auth.js for Flask: the ``/api/auth`` routes, the session middleware and ``g.session``.

    ``AuthJS(app, providers=[...])``, or ``auth = AuthJS(providers=[...])`` then
    ``auth.init_app(app)`` in an app factory. Keyword settings (``secret=...``,
    ``base_path=...``) override ``app.config["AUTHJS_*"]``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        providers: Iterable[Provider] = (),
        pages: Mapping[str, str] | None = None,
        callbacks: Mapping[str, Callable[..., Any]] | None = None,
        adapter: Adapter | None = None,
        **settings: Any,
    ) -> None:
        self.providers: dict[str, Provider] = {}
        for provider in providers:
            if provider.id in self.providers:
                raise ConfigurationError(
                    "providers",
                    f"two providers share the id {provider.id!r}.",
                    "give each provider its own id=...",
                )
            self.providers[provider.id] = provider
        self.pages = dict(pages or {})
        self.callbacks: dict[str, Callable[..., Any]] = dict(callbacks or {})
        self.adapter = adapter
        #: Steps of the sign-in pipeline that may stop a sign-in before its session
        #: (a second factor): see :meth:`sign_in_gate`.
        self.sign_in_gates: list[Gate] = []
        #: ``@auth.unauthorized_handler`` and the like; shared with every app's context.
        self.handlers: dict[str, Callable[..., Any]] = {}
        self.settings = {key.upper(): value for key, value in settings.items()}
        self._check_names()
        if app is not None:
            self.init_app(app)

    def _check_names(self) -> None:
        for name in self.callbacks:
            if name not in CALLBACK_NAMES:
                raise ConfigurationError(
                    "callbacks", f"{name!r} is not a callback.", f"use one of {CALLBACK_NAMES}."
                )
        for name, path in self.pages.items():
            if name not in PAGE_NAMES:
                raise ConfigurationError(
                    "pages", f"{name!r} is not a page.", f"use one of {PAGE_NAMES}."
                )
            if (
                not isinstance(path, str)
                or not path.startswith("/")
                or (same_origin_url(path, "http://localhost") is None)
            ):
                raise ConfigurationError(
                    "pages",
                    f"pages[{name!r}] = {path!r} is not a path on this site.",
                    'give a path such as "/sign-in".',
                )

    def init_app(self, app: Flask) -> None:
        settings = load_settings(app, self.settings)
        context = AuthContext(
            settings,
            self.adapter,
            providers=self.providers,
            pages=self.pages,
            callbacks=self.callbacks,
            handlers=self.handlers,
        )
        app.extensions["authjs"] = context
        app.extensions[PIPELINE_KEY] = SignInPipeline(
            context, self.sign_in_gates, built_in_gates=[two_factor_gate]
        )
        if not app.secret_key:
            # Not for us (our CSRF token is a cookie of its own): Flask-WTF forms and
            # CSRFProtect in the app need a key, so an app with AUTHJS_SECRET has one.
            app.secret_key = hmac.new(
                settings.secrets[0].encode(), b"flask-authjs:flask-session", hashlib.sha256
            ).hexdigest()
        app.wsgi_app = SessionMiddleware(  # type: ignore[method-assign]
            app.wsgi_app,
            context.session_strategies[False],
            secure=settings.secure_cookies if settings.origin else None,
            clock=context.now,
            session_format=context.session_format,
            secure_sessions=context.session_strategies[True],
            read_only=not settings.routes,
        )

        app.app_ctx_globals_class = with_lazy_session(app.app_ctx_globals_class)
        if "sign_in" in self.pages:  # the loops it catches need a custom sign-in page
            # Its after_request hook may render a form, after the hooks a view's
            # csrf_token() asked for have run: the cookie then goes out from here
            # (registered first, so it runs last).
            app.after_request(set_csrf_cookie)
            LoopDetector(app, context)
        app.add_template_global(csrf_token, "authjs_csrf_token")
        app.add_template_global(lambda: current_auth().origin() + "/", "authjs_site_url")
        app.jinja_env.globals.update(current_user=current_user, current_session=current_session)
        app.cli.add_command(authjs_cli)
        if not settings.routes:  # a read-only API: another app signs people in and out
            return
        app.register_blueprint(blueprint, url_prefix=settings.base_path)
        install_stub(app, context)
        _exempt_from_csrf_protect(app)
        # CSRFProtect(app) may come later, but no later than the first request (Flask
        # refuses new hooks after it): exempt at that first request, before its check.
        app.before_request(_exempt_at_the_first_request(app))

    def sign_out_everywhere(self, user_id: str) -> int:
        """End every session of ``user_id`` in the current app (database sessions at once,
        JWTs at their next renewal); return how many database sessions were deleted."""
        context: AuthContext = current_app.extensions["authjs"]
        return context.sign_out_everywhere(user_id)

    def unauthorized_handler(self, function: F) -> F:
        """``@auth.unauthorized_handler``: ``fn()`` returns what ``login_required`` answers
        when nobody is signed in (any Flask view return value), instead of the redirect to
        the sign-in page (or the 401 JSON for scripts)."""
        self.handlers[UNAUTHORIZED] = function
        return function

    def open_account_token(self, sealed: str) -> str | None:
        """A provider token as the store keeps it (``AUTHJS_STORE_OAUTH_TOKENS``), opened;
        ``None`` if it was not sealed with one of the current secrets."""
        context: AuthContext = current_app.extensions["authjs"]
        if context.token_sealer is None:
            raise RuntimeError("AUTHJS_STORE_OAUTH_TOKENS is off: the store keeps no tokens")
        return context.token_sealer.open(sealed)

    def sign_in_gate(self, gate: Gate) -> Gate:
        """``@auth.sign_in_gate``: ``fn(attempt) -> Halted | None``, run by the sign-in
        pipeline after account linking and before the session is issued."""
        self.sign_in_gates.append(gate)
        return gate

    # Callbacks as decorators: ``@auth.jwt_callback``.

    def sign_in_callback(self, function: F) -> F:
        """``fn(user, account, credentials=None, profile=None) -> bool | str``."""
        self.callbacks["sign_in"] = function
        return function

    def redirect_callback(self, function: F) -> F:
        """``fn(url, base_url) -> str``: where a callbackUrl may lead (default: same origin)."""
        self.callbacks["redirect"] = function
        return function

    def jwt_callback(self, function: F) -> F:
        """``fn(token, user=None, account=None, trigger=None, session=None, **_) -> dict``."""
        self.callbacks["jwt"] = function
        return function

    def session_callback(self, function: F) -> F:
        """``fn(session, token) -> dict``: what ``g.session`` and ``GET /session`` show."""
        self.callbacks["session"] = function
        return function


def _exempt_at_the_first_request(app: Flask) -> Callable[[], None]:
    """A ``before_request`` hook that exempts our blueprints, then takes itself off the
    app's hook list, so later requests do not pay for a hook that has nothing left to do.

    The list is replaced, not changed in place: a request running the old list in another
    thread finishes it unchanged (running this once more is harmless).
    """

    def exempt_once() -> None:
        _exempt_from_csrf_protect(app)
        hooks = app.before_request_funcs.get(None, [])
        app.before_request_funcs[None] = [hook for hook in hooks if hook is not exempt_once]

    return exempt_once


def _exempt_from_csrf_protect(app: Flask) -> None:
    """Flask-WTF's ``CSRFProtect`` knows only its own token; our routes check ours."""
    csrf_protect = app.extensions.get("csrf")
    if csrf_protect is not None:
        for name in ("authjs", "authjs_stub"):
            if name in app.blueprints:
                csrf_protect.exempt(app.blueprints[name])
