"""Signed JWTs with PyJWT: one purpose-bound key per secret, rotation, and a verified-token cache.

Each secret in ``AUTHJS_SECRET`` is turned into a key for one purpose ("session",
"oauth-check", ...), so a token minted for one purpose never verifies as another (the
Auth.js CVE-2023-48309 class). The first secret signs; every secret verifies, and the
``kid`` header names the key so verification tries exactly one.

Verification is a pure function of the token bytes and the keys, so its result can be
cached; expiry is time-dependent and is checked on every call, cached or not.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

import jwt

#: Tokens longer than this are refused before PyJWT sees them (PyJWT will happily spend a
#: second decoding megabytes). Four chunks of a chunked cookie.
MAX_TOKEN_SIZE = 4 * 3933
REQUIRED_CLAIMS = ("exp", "iat", "sub", "jti")
DEFAULT_CACHE_SIZE = 4096
#: Seconds of clock difference tolerated between app servers (for ``iat``).
CLOCK_SKEW = 60

Claims = dict[str, Any]


def derive_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), b"flask-authjs:" + purpose.encode(), hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def secret_hash(token: str, secret: str) -> str:
    """Auth.js's ``sha256_hex(token + secret)``: the hash half of the CSRF cookie, and what
    the store keeps for an emailed token.

    The same formula as ``@auth/core``, so with a shared database and the same secret a
    link either side mails is redeemed by the other; the store never holds the token.
    """
    return hashlib.sha256((token + secret).encode()).hexdigest()


class VerifyingCodec:
    """What every session codec shares: the verified-token cache and the claim checks.

    Subclasses implement ``_verify`` (token bytes and keys -> claims, no clock but for
    ``iat`` from the future) and ``encode``. ``max_lifetime`` bounds ``exp - iat``, so a
    token claiming to live for centuries is refused even though its signature is good;
    ``expiry_leeway`` is how many seconds past ``exp`` a token still counts.
    """

    expiry_leeway = 0

    def __init__(self, *, max_lifetime: int, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._max_lifetime = max_lifetime
        self._cache: dict[str, Claims] = {}
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def encode(self, claims: Mapping[str, Any], *, now: int, max_age: int) -> str:
        raise NotImplementedError

    def decode(self, token: str, *, now: int) -> Claims | None:
        """The verified claims, or ``None`` for any token that is not ours, whole and current.

        The returned dict is shared with the cache: read it, do not mutate it.
        """
        claims = self._cache.get(token)
        if claims is None:
            claims = self._verify(token, now)
            if claims is None:
                return None
            self._remember(token, claims)
        return claims if claims["exp"] + self.expiry_leeway > now else None

    def _verify(self, token: str, now: int) -> Claims | None:
        raise NotImplementedError

    def _well_formed(self, claims: object) -> TypeGuard[Claims]:
        if not isinstance(claims, dict):
            return False
        exp, iat = claims.get("exp"), claims.get("iat")
        if type(exp) is not int or type(iat) is not int:
            return False
        if not 0 < exp - iat <= self._max_lifetime:
            return False
        return isinstance(claims.get("sub"), str) and isinstance(claims.get("jti"), str)

    def _remember(self, token: str, claims: Claims) -> None:
        with self._cache_lock:
            if len(self._cache) >= self._cache_size:
                del self._cache[next(iter(self._cache))]
            self._cache[token] = claims

    @property
    def cache_len(self) -> int:
        return len(self._cache)


class TokenCodec(VerifyingCodec):
    """Encodes and verifies the HMAC-signed JWTs (JWS) of one purpose."""

    def __init__(
        self,
        secrets: Sequence[str],
        purpose: str,
        *,
        algorithm: str = "HS256",
        max_lifetime: int,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if not secrets:
            raise ValueError("at least one secret is required")
        super().__init__(max_lifetime=max_lifetime, cache_size=cache_size)
        keys = [derive_key(secret, purpose) for secret in secrets]
        self._signing_key = keys[0]
        self._signing_kid = key_id(keys[0])
        self._keys = {key_id(key): key for key in reversed(keys)}
        self._algorithm = algorithm

    def encode(self, claims: Mapping[str, Any], *, now: int, max_age: int) -> str:
        payload = {**claims, "iat": now, "exp": now + max_age, "jti": uuid.uuid4().hex}
        return jwt.encode(
            payload,
            self._signing_key,
            algorithm=self._algorithm,
            headers={"kid": self._signing_kid},
        )

    def _verify(self, token: str, now: int) -> Claims | None:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_SIZE:
            return None
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                return None
            claims: Claims = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                options={"require": list(REQUIRED_CLAIMS), "verify_exp": False},
                leeway=CLOCK_SKEW,
            )
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
            return None
        return claims if self._well_formed(claims) else None
