"""Session strategies: how a cookie value becomes claims, and claims become a cookie value.

The JWT strategy keeps everything in the signed token, so a request needs no store
round trip and any app server can verify it. A token older than the update age is
re-issued on the way out (a rolling session), at most once per update age; that is
also the one moment it asks the store whether the user signed out everywhere.

The database strategy puts an opaque random token in the cookie and the session in the
store (under a hash of the token, so a leaked table holds no usable cookies): one
store read per request, one write per update age to slide the expiry, and a delete on
sign-out that takes effect at once.
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
from .tokens import Claims, TokenCodec

#: Claims the codec adds itself; never copied from one token into the next.
TOKEN_BOOKKEEPING = ("iat", "exp", "jti")
#: When the user signed in; kept across renewals so "sign out everywhere" can end the token.
AUTH_TIME = "auth_time"
#: Database session tokens are ``token_urlsafe(32)``; anything much longer is not ours.
MAX_SESSION_TOKEN_LENGTH = 128

logger = logging.getLogger("flask_authjs")


class LoadedSession(tuple[Claims, bool, "tuple[str, int] | None", int]):
    """A verified session cookie: ``(claims, renew, reissue, steady_until)``.

    A bare tuple underneath, made with :meth:`of`: one is built on every signed-in
    request, and a tuple is the cheapest object Python builds.
    """

    __slots__ = ()

    @classmethod
    def of(
        cls,
        claims: Claims,
        renew: bool,
        reissue: tuple[str, int] | None = None,
        steady_until: int = 0,
    ) -> LoadedSession:
        return tuple.__new__(cls, (claims, renew, reissue, steady_until))

    @property
    def claims(self) -> Claims:
        return self[0]

    @property
    def renew(self) -> bool:
        """Whether the cookie should be re-issued on this response (rolling refresh)."""
        return self[1]

    @property
    def reissue(self) -> tuple[str, int] | None:
        """With ``renew``: the cookie value and lifetime to write, when the strategy already
        renewed the session itself (database sessions keep their token); else ``issue``."""
        return self[2]

    @property
    def steady_until(self) -> int:
        """The same token loads to this same answer while ``now`` is before this time (a
        young JWT: until it expires or is due for renewal); 0: ask on every request."""
        return self[3]


class SessionStrategy(Protocol):
    def load(self, token: str, now: int) -> LoadedSession | None: ...

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        """A new cookie value for ``claims`` and its lifetime in seconds."""
        ...

    def end(self, token: str) -> None: ...


class JWTSessionStrategy:
    """``store`` (optional) answers "signed out everywhere?" when a token is due for renewal.

    A token whose ``auth_time`` is at or before the user's revocation time is not
    renewed: it is no session. Between renewals the store is never asked, so a revoked
    token lives on for at most the update age.
    """

    def __init__(
        self,
        codec: TokenCodec,
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
        if claims is None:
            return None
        due = claims["iat"] + self.update_age
        if now < due:
            return LoadedSession.of(claims, False, None, min(due, claims["exp"]))
        if self.store is not None:
            try:
                revoked_at = self.store().sessions_revoked_at(claims["sub"])
            except StoreUnavailable as error:
                # The token is still valid; renewal (and the check) waits for the store.
                logger.warning("flask-authjs: session renewal postponed: %s", error)
                return LoadedSession.of(claims, False)
            signed_in_at = claims.get(AUTH_TIME, claims["iat"])
            if revoked_at is not None and (
                not isinstance(signed_in_at, int) or signed_in_at <= revoked_at
            ):
                return None
        return LoadedSession.of(claims, True)

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        fresh = {k: v for k, v in claims.items() if k not in TOKEN_BOOKKEEPING}
        fresh.setdefault(AUTH_TIME, now)
        return self.codec.encode(fresh, now=now, max_age=self.max_age), self.max_age

    def end(self, token: str) -> None:
        """Nothing to delete: the cookie is the whole session."""


@lru_cache(maxsize=4096)
def session_key(token: str) -> str:
    """What the store keeps for a database session token: its SHA-256, never the token.

    Cached: every request of a database session asks again for the same token."""
    return hashlib.sha256(token.encode()).hexdigest()


class DatabaseSessionStrategy:
    """Opaque session tokens; the session itself (claims, expiry) lives in the store."""

    def __init__(self, store: Callable[[], Adapter], *, max_age: int, update_age: int) -> None:
        self.store = store
        self.max_age = max_age
        self.update_age = update_age

    def load(self, token: str, now: int) -> LoadedSession | None:
        if not token or len(token) > MAX_SESSION_TOKEN_LENGTH:
            return None
        key = session_key(token)
        store = self.store()
        stored = store.get_session(key)
        if stored is None:
            return None
        if stored["expires"] <= now:
            store.delete_session(key)
            return None
        expires = stored["expires"]
        renew = now - (expires - self.max_age) >= self.update_age
        if renew:
            expires = now + self.max_age
            store.update_session_expiry(key, expires)
        claims = {
            **stored["data"],
            "sub": stored["user_id"],
            "iat": expires - self.max_age,
            "exp": expires,
        }
        return LoadedSession.of(claims, renew, (token, self.max_age) if renew else None)

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        data = {k: v for k, v in claims.items() if k not in (*TOKEN_BOOKKEEPING, "sub")}
        self.store().create_session(
            session_key(token), claims["sub"], now + self.max_age, data, now=now
        )
        return token, self.max_age

    def end(self, token: str) -> None:
        if token and len(token) <= MAX_SESSION_TOKEN_LENGTH:
            self.store().delete_session(session_key(token))


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
