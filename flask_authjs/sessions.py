"""Session strategies: how a cookie value becomes claims, and claims become a cookie value.

The JWT strategy keeps everything in the signed token, so a request needs no store
round trip and any app server can verify it. A token older than the update age is
re-issued on the way out (a rolling session), at most once per update age; that is
also the moment it asks the store whether the user signed out everywhere.

Every session, in both strategies, ends ``max_age`` seconds after the sign-in that
started it (``auth_time``): renewals and updates refresh the claims but never move
that deadline, so neither a stolen token nor a busy user keeps a session forever.

The database strategy puts an opaque random token in the cookie and the session in the
store (under a hash of the token, so a leaked table holds no usable cookies): one
store read per request, and a delete on sign-out that takes effect at once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from .adapters import Adapter, StoreUnavailable
from .tokens import Claims

#: Claims the codec adds itself; never copied from one token into the next.
TOKEN_BOOKKEEPING = ("iat", "exp", "jti")
#: When the user signed in; kept across renewals so "sign out everywhere" can end the token.
AUTH_TIME = "auth_time"
#: Database session tokens are ``token_urlsafe(32)``; anything much longer is not ours.
MAX_SESSION_TOKEN_LENGTH = 128

logger = logging.getLogger("flask_authjs")


def signed_in_at(claims: Mapping[str, Any], default: int = 0) -> int:
    """When the session's sign-in happened: ``auth_time``, or ``iat`` for older tokens;
    ``default`` for claims that are no session yet (a fresh sign-in)."""
    value = claims.get(AUTH_TIME, claims.get("iat"))
    return value if type(value) is int else default


def lifetime_left(claims: Mapping[str, Any], now: int, max_age: int) -> int:
    """Seconds a new token for ``claims`` may live: up to ``max_age``, never past
    ``auth_time + max_age`` (the absolute lifetime), and at most 0 once that has passed."""
    return min(max_age, signed_in_at(claims) + max_age - now)


def is_revoked(store: Adapter, claims: Mapping[str, Any]) -> bool:
    """Whether the user signed out everywhere at or after this session's sign-in."""
    revoked_at = store.sessions_revoked_at(claims["sub"])
    return revoked_at is not None and signed_in_at(claims) <= revoked_at


class LoadedSession(tuple[Claims, bool, int]):
    """A verified session cookie: ``(claims, renew, steady_until)``.

    A bare tuple underneath, made with :meth:`of`: one is built on every signed-in
    request, and a tuple is the cheapest object Python builds.
    """

    __slots__ = ()

    @classmethod
    def of(cls, claims: Claims, renew: bool, steady_until: int = 0) -> LoadedSession:
        return tuple.__new__(cls, (claims, renew, steady_until))

    @property
    def claims(self) -> Claims:
        return self[0]

    @property
    def renew(self) -> bool:
        """Whether the cookie should be re-issued on this response (rolling refresh)."""
        return self[1]

    @property
    def steady_until(self) -> int:
        """The same token loads to this same answer while ``now`` is before this time (a
        young JWT: until it expires or is due for renewal); 0: ask on every request."""
        return self[2]


class SessionCodec(Protocol):
    """Claims <-> token: the JWS :class:`~.tokens.TokenCodec` or the JWE :class:`~.jwe.JWECodec`."""

    def encode(self, claims: Mapping[str, Any], *, now: int, max_age: int) -> str: ...

    def decode(self, token: str, *, now: int) -> Claims | None: ...


class SessionStrategy(Protocol):
    def load(self, token: str, now: int) -> LoadedSession | None: ...

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        """A new cookie value for ``claims`` and its lifetime in seconds.

        Claims of a session (``auth_time``, or ``iat``) continue that sign-in and its
        absolute lifetime; without them, the session starts now.
        """
        ...

    def end(self, token: str) -> None: ...


class JWTSessionStrategy:
    """``store`` (optional) answers "signed out everywhere?" when a token is due for renewal.

    A token whose ``auth_time`` is at or before the user's revocation time is not
    renewed: it is no session. Between renewals the store is never asked, so a revoked
    token lives on for at most the update age (a session update asks at once, see
    :meth:`AuthContext.update_session`).
    """

    def __init__(
        self,
        codec: SessionCodec,
        *,
        max_age: int,
        update_age: int,
        store: Callable[[], Adapter] | None = None,
    ) -> None:
        self.codec = codec
        self.max_age = max_age
        self.update_age = update_age
        self.store = store

    def load(self, token: str, now: int) -> LoadedSession | None:
        claims = self.codec.decode(token, now=now)
        if claims is None or lifetime_left(claims, now, self.max_age) <= 0:
            return None
        due = claims["iat"] + self.update_age
        if now < due:
            ends = min(claims["exp"], signed_in_at(claims) + self.max_age)
            return LoadedSession.of(claims, False, min(due, ends))
        if self.store is not None:
            try:
                revoked = is_revoked(self.store(), claims)
            except StoreUnavailable as error:
                # The token is still valid; renewal (and the check) waits for the store.
                logger.warning("flask-authjs: session renewal postponed: %s", error)
                return LoadedSession.of(claims, False)
            if revoked:
                return None
        return LoadedSession.of(claims, True)

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        fresh = {k: v for k, v in claims.items() if k not in TOKEN_BOOKKEEPING}
        fresh[AUTH_TIME] = signed_in_at(claims, default=now)
        max_age = max(1, lifetime_left(fresh, now, self.max_age))
        return self.codec.encode(fresh, now=now, max_age=max_age), max_age

    def end(self, token: str) -> None:
        """Nothing to delete: the cookie is the whole session."""


@lru_cache(maxsize=4096)
def session_key(token: str) -> str:
    """What the store keeps for a database session token: its SHA-256, never the token.

    Cached: every request of a database session asks again for the same token."""
    return hashlib.sha256(token.encode()).hexdigest()


class DatabaseSessionStrategy:
    """Opaque session tokens; the session itself (claims, expiry) lives in the store.

    ``raw_tokens`` keys the stored session by the cookie value itself, as Auth.js does, so
    a Next.js app sharing the database reads the sessions Flask makes (and the other way
    round); the default keeps only a hash, so a leaked table holds no usable cookies.
    """

    def __init__(
        self,
        store: Callable[[], Adapter],
        *,
        max_age: int,
        raw_tokens: bool = False,
    ) -> None:
        self.store = store
        self.max_age = max_age
        self.key: Callable[[str], str] = (lambda token: token) if raw_tokens else session_key

    def load(self, token: str, now: int) -> LoadedSession | None:
        if not token or len(token) > MAX_SESSION_TOKEN_LENGTH:
            return None
        key = self.key(token)
        store = self.store()
        stored = store.get_session(key)
        if stored is None:
            return None
        if stored["expires"] <= now:
            store.delete_session(key)
            return None
        # Rows written before ``auth_time`` was stored: their sign-in began a max age
        # before their (possibly slid) expiry.
        data = {AUTH_TIME: stored["expires"] - self.max_age, **stored["data"]}
        expires = min(stored["expires"], signed_in_at(data) + self.max_age)
        if expires <= now:
            store.delete_session(key)
            return None
        claims = {**data, "sub": stored["user_id"], "iat": signed_in_at(data), "exp": expires}
        return LoadedSession.of(claims, False)

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        data = {k: v for k, v in claims.items() if k not in (*TOKEN_BOOKKEEPING, "sub")}
        data[AUTH_TIME] = signed_in_at(claims, default=now)
        max_age = max(1, lifetime_left(data, now, self.max_age))
        self.store().create_session(self.key(token), claims["sub"], now + max_age, data, now=now)
        return token, max_age

    def end(self, token: str) -> None:
        if token and len(token) <= MAX_SESSION_TOKEN_LENGTH:
            self.store().delete_session(self.key(token))


def sign_out_everywhere(store: Adapter, user_id: str, now: int) -> int:
    """End every session of a user, in both strategies; return the database sessions ended.

    Database sessions are deleted at once; JWTs signed in at or before ``now`` stop at
    their next renewal (within the update age).
    """
    store.revoke_user_sessions(user_id, now)
    return store.delete_user_sessions(user_id)


def claims_for_user(user: Mapping[str, Any]) -> Claims:
    """The default token of Auth.js: ``sub``, ``name``, ``email``, ``picture``."""
    return {
        "sub": str(user["id"]),
        "name": user.get("name"),
        "email": user.get("email"),
        "picture": user.get("image"),
    }


def session_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The Auth.js session shape, plus ``user.id`` (so the id is there right after sign-in)."""
    return {
        "user": {
            "id": claims["sub"],
            "name": claims.get("name"),
            "email": claims.get("email"),
            "image": claims.get("picture"),
        },
        "expires": iso_time(claims["exp"]),
    }


@lru_cache(maxsize=4096)
def iso_time(timestamp: int) -> str:
    """``exp`` as Auth.js writes it; cached, since every request of a session asks again."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
