"""The sign-in pipeline: what happens after a provider says who someone is, for every provider.

In order, the way Auth.js core's callback handler does it:

1. the ``sign_in`` callback (refuse with ``AccessDenied``, or send elsewhere);
2. account linking (:mod:`.linking`): find, link or create the user;
3. the gates: steps that may stop here, before any session (the built-in second factor,
   :mod:`.two_factor`, then an app's own);
4. the ``jwt`` callback;
5. the session is issued (a JWT, or a row in the store for database sessions);
6. the signals (``signed_in``).

The pipeline builds no response: it returns :class:`SignedIn` (the session cookie to
set, where to go, the session as the client sees it) or :class:`Halted` (a gate's
redirect), or raises :class:`~flask_authjs.exceptions.SignInError`. The action that
called it turns that into an answer. Steps 4 to 6 are :meth:`SignInPipeline.complete`,
which a gate's own action calls once its step is done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from ..context import AuthContext
from ..errors import ACCESS_DENIED
from ..exceptions import SignInError
from ..providers import Identity
from ..responses import with_query
from ..sessions import claims_for_user
from ..signals import send_safely, session_updated, signed_in
from .linking import known_user, resolve_user

#: ``app.extensions`` key of the app's :class:`SignInPipeline`.
EXTENSION_KEY = "authjs.pipeline"


@dataclass(frozen=True)
class Attempt:
    """A sign-in that passed the ``sign_in`` callback and linking: what gates look at."""

    user: dict[str, Any]
    account: dict[str, Any]
    callback_url: str
    is_new_user: bool = False
    profile: Mapping[str, Any] | None = None
    credentials: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Halted:
    """A gate stopped the sign-in before any session: send the user to ``url``.

    ``cookies`` (``Set-Cookie`` values) carry what the gate needs to resume, e.g. a
    signed, short-lived token naming the pending user.
    """

    url: str
    cookies: list[str] = field(default_factory=list)
    status: int = 200
    #: The code a script (``json=true``) gets in ``error``, e.g. ``TwoFactorRequired``.
    error: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in (or session update): the cookies to set and what to answer."""

    user: dict[str, Any]
    callback_url: str
    #: The session as ``GET {base}/session`` shows it.
    session: dict[str, Any] | None
    #: ``Set-Cookie`` values of the new session cookie.
    cookies: list[str]
    claims: Mapping[str, Any]
    is_new_user: bool = False
    #: The new session cookie's value (a JWT, or a database session token).
    token: str = ""


#: ``gate(attempt)``: ``None`` to go on, or :class:`Halted` to stop before the session.
Gate = Callable[[Attempt], "Halted | None"]


class SignInPipeline:
    """One per app (``init_app`` makes it); reach it with :func:`current_pipeline`."""

    def __init__(
        self,
        context: AuthContext,
        gates: Sequence[Gate] = (),
        *,
        built_in_gates: Sequence[Gate] = (),
    ) -> None:
        self.context = context
        #: The ``AuthJS`` object's own list, so a gate added later still runs.
        self.gates = gates
        #: Ours (the second factor, :mod:`.two_factor`), run before an app's.
        self.built_in_gates = built_in_gates

    def sign_in(self, identity: Identity, *, callback_url: str) -> SignedIn | Halted:
        """Steps 1 to 6 for what a provider proved; ``callback_url`` is already resolved."""
        context = self.context
        if "sign_in" in context.callbacks:
            user = known_user(context, identity) or {**(identity.profile or {}), "id": None}
            allowed = context.callbacks.sign_in(
                user=user,
                account=identity.account,
                credentials=identity.credentials,
                profile=identity.raw_profile,
            )
            if allowed is False:
                raise SignInError(
                    ACCESS_DENIED, "the sign_in callback refused", status=403, page="error"
                )
            if isinstance(allowed, str):
                callback_url = context.resolve_callback_url(allowed)
        resolved = resolve_user(context, identity)
        attempt = Attempt(
            user=resolved.user,
            account=identity.account,
            callback_url=callback_url,
            is_new_user=resolved.is_new_user,
            profile=identity.raw_profile,
            credentials=identity.credentials,
        )
        for gate in (*self.built_in_gates, *self.gates):
            halted = gate(attempt)
            if halted is not None:
                return halted
        return self.complete(attempt)

    def complete(self, attempt: Attempt) -> SignedIn:
        """Steps 4 to 6: the ``jwt`` callback, the session, the signal."""
        context = self.context
        token = context.callbacks.jwt(
            claims_for_user(attempt.user),
            user=attempt.user,
            account=attempt.account,
            profile=attempt.profile,
            trigger="signUp" if attempt.is_new_user else "signIn",
            is_new_user=attempt.is_new_user,
        )
        callback_url = attempt.callback_url
        if attempt.is_new_user and "new_user" in context.pages:
            callback_url = with_query(
                context.page_url("new_user", "signin"), {"callbackUrl": callback_url}
            )
        issued = context.issue_session(token)
        send_safely(
            signed_in,
            _app(),
            user=attempt.user,
            account=attempt.account,
            is_new_user=attempt.is_new_user,
        )
        return SignedIn(
            user=attempt.user,
            callback_url=callback_url,
            session=context.session_view(issued.claims),
            cookies=context.session_cookies(issued),
            claims=issued.claims,
            is_new_user=attempt.is_new_user,
            token=issued.token,
        )

    def update(self, claims: Mapping[str, Any], data: object) -> SignedIn:
        """``POST {base}/session``: the ``jwt`` callback with ``trigger="update"``, a new
        session of the same sign-in (its ``auth_time``, so its absolute lifetime), the
        ``session_updated`` signal. The caller has checked that it was not revoked."""
        context = self.context
        token = context.callbacks.jwt(dict(claims), trigger="update", session=data)
        issued = context.update_session(claims, token)
        session = context.session_view(issued.claims)
        send_safely(session_updated, _app(), session=session, token=issued.claims)
        return SignedIn(
            user=dict(session.get("user", {})) if session else {},
            callback_url="",
            session=session,
            cookies=context.session_cookies(issued),
            claims=issued.claims,
            token=issued.token,
        )


def current_pipeline() -> SignInPipeline:
    pipeline: SignInPipeline = current_app.extensions[EXTENSION_KEY]
    return pipeline


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]
