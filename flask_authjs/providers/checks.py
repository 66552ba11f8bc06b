"""The OAuth check cookies: ``state``, the PKCE ``code_verifier`` and the OIDC ``nonce``.

Each value lives in its own short-lived, HttpOnly cookie, signed as a JWT of purpose
``oauth-check``: no check cookie can ever verify as a session token (the Auth.js
CVE-2023-48309 class), and each names the provider and the check it belongs to, so a
cookie minted for one provider (or one check) is refused by another. A check that is
configured but whose cookie is missing, forged or stale fails: it is never skipped (the
Auth.js CVE-2023-27490 class).

Each cookie also carries the sign-in's intent: where to go afterwards, and, for an
explicit "link account" start, the id of the user whose session started it. A flow
started as a plain sign-in can never link to whoever happens to be signed in when it
comes back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from ..cookies import CookieNames, delete_cookie_header, read_chunked, set_cookie_header
from ..exceptions import CheckFailed as CheckFailed
from ..tokens import TokenCodec

#: Seconds a sign-in may take between leaving for the provider and coming back.
CHECK_MAX_AGE = 15 * 60
CHECKS = ("state", "pkce", "nonce")
PURPOSE = "oauth-check"


def new_check_value() -> str:
    """43 characters of URL-safe randomness (256 bits), also a valid PKCE verifier."""
    return secrets.token_urlsafe(32)


def pkce_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding: the S256 ``code_challenge``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def cookie_name(names: CookieNames, check: str) -> str:
    return {"state": names.oauth_state, "pkce": names.oauth_pkce, "nonce": names.oauth_nonce}[check]


@dataclass(frozen=True)
class CheckValues:
    """What a callback recovered from the cookies: the values, where to go afterwards,
    and the user a "link account" start was made by (``None`` for a plain sign-in)."""

    values: dict[str, str]
    callback_url: str
    link_user_id: str | None = None


class CheckCookies:
    """Writes, reads and deletes the check cookies of one provider."""

    def __init__(self, codec: TokenCodec, names: CookieNames, *, secure: bool) -> None:
        self.codec = codec
        self.names = names
        self.secure = secure

    def set(
        self,
        provider_id: str,
        values: dict[str, str],
        callback_url: str,
        *,
        now: int,
        link_user_id: str | None = None,
    ) -> list[str]:
        """The ``Set-Cookie`` values of one start; every cookie carries the same intent."""
        headers = []
        for check, value in values.items():
            claims = {"sub": provider_id, "check": check, "value": value}
            claims["callbackUrl"] = callback_url
            if link_user_id is not None:
                claims["link"] = link_user_id
            token = self.codec.encode(claims, now=now, max_age=CHECK_MAX_AGE)
            name = cookie_name(self.names, check)
            headers.append(
                set_cookie_header(name, token, secure=self.secure, max_age=CHECK_MAX_AGE)
            )
        return headers

    def read(
        self, header: str, provider_id: str, checks: tuple[str, ...], *, now: int
    ) -> CheckValues:
        """Every configured check's value, or :class:`CheckFailed` naming the first problem.

        ``header`` is the request's ``Cookie`` header. The cookies of one start agree on
        the intent; cookies of two starts mixed together fail.
        """
        values: dict[str, str] = {}
        callback_url = ""
        links: set[object] = set()
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
            links.add(claims.get("link"))
        if len(links) > 1:
            raise CheckFailed("the check cookies come from different sign-in starts")
        link = links.pop() if links else None
        return CheckValues(values, callback_url, link if isinstance(link, str) else None)

    def delete(self) -> list[str]:
        return [
            delete_cookie_header(cookie_name(self.names, check), secure=self.secure)
            for check in CHECKS
        ]
