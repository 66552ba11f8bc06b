"""OpenID Connect ``id_token`` validation: signature from the provider's JWKS, then claims.

Keys come from ``jwks_url`` through PyJWT's ``PyJWKClient``, which caches the key set
(one fetch per :data:`JWKS_CACHE_SECONDS`, refetched once when an unknown ``kid``
appears). RS256 and ES256 need the ``cryptography`` package (``pip install
'flask-authjs[oidc]'``).
"""

from __future__ import annotations

import hmac
from typing import Any

import jwt

from ..exceptions import IdTokenInvalid as IdTokenInvalid

JWKS_CACHE_SECONDS = 3600
#: Seconds of clock difference tolerated with the provider, as Auth.js (openid-client) does.
CLOCK_SKEW = 10
ALGORITHMS = ("RS256", "ES256")


class IdTokenValidator:
    def __init__(
        self, *, issuer: str | tuple[str, ...], jwks_url: str, client_id: str, timeout: float
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._jwks = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=timeout
        )

    def validate(self, id_token: object, nonce: str) -> dict[str, Any]:
        if not isinstance(id_token, str) or not id_token:
            raise IdTokenInvalid("the token response has no id_token")
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.client_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise IdTokenInvalid(f"the id_token is invalid: {type(error).__name__}") from None
        if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise IdTokenInvalid("the id_token nonce does not match the nonce cookie")
        return claims
