"""``g.session``, computed the first time a request asks for it; ``current_session`` and
``current_user``, the Flask-Login-style proxies to it.

The middleware has already verified the cookie; turning the claims into the Auth.js
session shape (and running the ``session`` callback) is left until a view, a template or
``login_required`` reads ``g.session``, so pages that never look cost nothing more.
``g.session = ...``, ``g.get("session")`` and ``"session" in g`` behave as usual.
"""

from __future__ import annotations

from typing import Any

from flask.ctx import _AppCtxGlobals
from flask.globals import _cv_app, _cv_request
from werkzeug.local import LocalProxy

from .middleware import SESSION_KEY

_SLOT = "session"


class SessionGlobals(_AppCtxGlobals):
    """Flask's ``g`` with a lazy ``session`` attribute; mixed into the app's own class."""

    def __getattr__(self, name: str) -> Any:
        if name != _SLOT:
            return super().__getattr__(name)
        # The request context itself rather than the ``request``/``current_app`` proxies:
        # ``login_required`` asks on every guarded request.
        context = _cv_request.get(None)
        value = None
        if context is not None:
            claims = context.request.environ.get(SESSION_KEY)
            if claims is not None:
                value = context.app.extensions["authjs"].session_view(claims)
        self.__dict__[_SLOT] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, _SLOT) if name == _SLOT else super().get(name, default)

    def __contains__(self, item: str) -> bool:
        return item == _SLOT or super().__contains__(item)


def request_session() -> dict[str, Any] | None:
    """``g.session`` without going through the ``g`` proxy (``login_required`` asks on
    every guarded request)."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    session: dict[str, Any] | None = app_context.g.session
    return session


def session_was_read() -> bool:
    """Whether this request's ``g.session`` was computed or assigned already (so it may
    differ from what the cookie alone says)."""
    app_context = _cv_app.get(None)
    return app_context is not None and _SLOT in app_context.g.__dict__


def with_lazy_session(globals_class: type[_AppCtxGlobals]) -> type[_AppCtxGlobals]:
    if issubclass(globals_class, SessionGlobals):
        return globals_class
    return type("AuthJSGlobals", (SessionGlobals, globals_class), {})


def _session_or_none() -> dict[str, Any] | None:
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    session: dict[str, Any] | None = app_context.g.get(_SLOT)
    return session


def _user_or_none() -> dict[str, Any] | None:
    session = _session_or_none()
    user = session.get("user") if session else None
    return user if isinstance(user, dict) else None


#: ``g.session``: the signed-in session's dict (``{"user": {...}, "expires": ...}``), or
#: ``None``. A proxy, so test it with ``if current_session:``, not ``is None``.
current_session: dict[str, Any] | None = LocalProxy(_session_or_none)  # type: ignore[assignment]
#: ``g.session["user"]`` (``id``, ``name``, ``email``, ``image`` and what your ``session``
#: callback adds), or ``None`` when nobody is signed in. Test it with ``if current_user:``.
current_user: dict[str, Any] | None = LocalProxy(_user_or_none)  # type: ignore[assignment]
