"""The OAuth check cookies: ``state``, the PKCE ``code_verifier`` and the OIDC ``nonce``.

Each value lives in its own short-lived, HttpOnly cookie, signed as a JWT of purpose
``oauth-check``: no check cookie can ever verify as a session token (the Auth.js
CVE-2023-48309 class), and each names the provider and the check it belongs to, so a
cookie minted for one provider (or one check) is refused by another. A check that is
configured but whose cookie is missing, forged or stale fails: it is never skipped (the
Auth.js CVE-2023-27490 class).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import Request, Response

from ..cookies import CookieNames, delete_cookie_header, read_chunked, set_cookie_header
from ..tokens import TokenCodec

#: Seconds a sign-in may take between leaving for the provider and coming back.
CHECK_MAX_AGE = 15 * 60
CHECKS = ("state", "pkce", "nonce")
PURPOSE = "oauth-check"


class CheckFailed(Exception):
    """A check cookie is missing, not ours, for another provider, or does not match."""


def new_check_value() -> str:
    """43 characters of URL-safe randomness (256 bits), also a valid PKCE verifier."""
    return secrets.token_urlsafe(32)


def pkce_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding: the S256 ``code_challenge``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def cookie_name(names: CookieNames, check: str) -> str:
    return {"state": names.oauth_state, "pkce": names.oauth_pkce, "nonce": names.oauth_nonce}[check]


def check_codec(secrets_: tuple[str, ...], algorithm: str) -> TokenCodec:
    return TokenCodec(secrets_, PURPOSE, algorithm=algorithm, max_lifetime=CHECK_MAX_AGE)


@dataclass(frozen=True)
class CheckValues:
    """What a callback recovered from the cookies: the values and where to go afterwards."""

    values: dict[str, str]
    callback_url: str


class CheckCookies:
    """Writes, reads and deletes the check cookies of one provider."""

    def __init__(self, codec: TokenCodec, names: CookieNames, *, secure: bool) -> None:
        self.codec = codec
        self.names = names
        self.secure = secure

    def set(
        self, response: Response, provider_id: str, values: dict[str, str], callback_url: str
    ) -> None:
        now = int(time.time())
        for check, value in values.items():
            token = self.codec.encode(
                {"sub": provider_id, "check": check, "value": value, "callbackUrl": callback_url},
                now=now,
                max_age=CHECK_MAX_AGE,
            )
            response.headers.add(
                "Set-Cookie",
                set_cookie_header(
                    cookie_name(self.names, check), token, secure=self.secure, max_age=CHECK_MAX_AGE
                ),
            )

    def read(self, request: Request, provider_id: str, checks: tuple[str, ...]) -> CheckValues:
        """Every configured check's value, or :class:`CheckFailed` naming the first problem."""
        header = request.headers.get("Cookie", "")
        now = int(time.time())
        values: dict[str, str] = {}
        callback_url = ""
        for check in checks:
            raw = read_chunked(header, cookie_name(self.names, check)).value
            if raw is None:
                raise CheckFailed(f"the {check} cookie is missing")
            claims = self.codec.decode(raw, now=now)
            if claims is None:
                raise CheckFailed(f"the {check} cookie is invalid or expired")
            if not hmac.compare_digest(str(claims.get("sub")), provider_id) or (
                claims.get("check") != check
            ):
                raise CheckFailed(f"the {check} cookie belongs to another provider or check")
            value = claims.get("value")
            if not isinstance(value, str) or not value:
                raise CheckFailed(f"the {check} cookie carries no value")
            values[check] = value
            stored_url = claims.get("callbackUrl")
            if isinstance(stored_url, str):
                callback_url = stored_url
        return CheckValues(values, callback_url)

    def delete(self, response: Response) -> None:
        for check in CHECKS:
            name = cookie_name(self.names, check)
            response.headers.add("Set-Cookie", delete_cookie_header(name, secure=self.secure))
