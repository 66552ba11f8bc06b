"""Session strategies: how a cookie value becomes claims, and claims become a cookie value.

The JWT strategy keeps everything in the signed token, so a request needs no store
round trip and any app server can verify it. A token older than the update age is
re-issued on the way out (a rolling session), at most once per update age.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from .tokens import Claims, TokenCodec

#: Claims the codec adds itself; never copied from one token into the next.
TOKEN_BOOKKEEPING = ("iat", "exp", "jti")


@dataclass(frozen=True)
class LoadedSession:
    claims: Claims
    #: Whether the cookie should be re-issued on this response (rolling refresh).
    renew: bool


class SessionStrategy(Protocol):
    def load(self, token: str, now: int) -> LoadedSession | None: ...

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        """A new cookie value for ``claims`` and its lifetime in seconds."""
        ...

    def end(self, token: str) -> None: ...


class JWTSessionStrategy:
    def __init__(self, codec: TokenCodec, *, max_age: int, update_age: int) -> None:
        self.codec = codec
        self.max_age = max_age
        self.update_age = update_age

    def load(self, token: str, now: int) -> LoadedSession | None:
        claims = self.codec.decode(token, now=now)
        if claims is None:
            return None
        return LoadedSession(claims, renew=now - claims["iat"] >= self.update_age)

    def issue(self, claims: Mapping[str, Any], now: int) -> tuple[str, int]:
        fresh = {k: v for k, v in claims.items() if k not in TOKEN_BOOKKEEPING}
        return self.codec.encode(fresh, now=now, max_age=self.max_age), self.max_age

    def end(self, token: str) -> None:
        """Nothing to delete: the cookie is the whole session."""


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
