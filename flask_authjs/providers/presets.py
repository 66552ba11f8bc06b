"""Ready configurations of :class:`OAuthProvider` for GitHub and Google.

Each is the plain class with the provider's URLs, scope and profile mapping filled in;
any keyword (``id``, ``name``, ``scope``, ``allow_dangerous_email_account_linking``, ...)
overrides the preset. Register the app with the provider using the redirect URI
``{AUTHJS_URL}{AUTHJS_BASE_PATH}/callback/github`` (or ``/google``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jwt.algorithms import has_crypto

from ..context import AuthContext
from .backchannel import get_json
from .oauth import OAuthProvider, bearer

GITHUB_EMAILS_URL = "https://api.github.com/user/emails"


def github_profile(raw: Mapping[str, Any], tokens: Mapping[str, Any]) -> dict[str, Any]:
    """GitHub's ``/user``: numeric ``id``, ``name`` (or the ``login``), ``avatar_url``."""
    return {
        "id": raw["id"],
        "name": raw.get("name") or raw.get("login"),
        "email": raw.get("email"),
        "image": raw.get("avatar_url"),
    }


class GitHubProvider(OAuthProvider):
    """GitHub OAuth app. A user whose email is private has ``email: null`` in ``/user``:
    then the primary, verified address comes from ``/user/emails`` (scope ``user:email``).
    """

    def __init__(self, client_id: str, client_secret: str, **overrides: Any) -> None:
        settings: dict[str, Any] = {
            "id": "github",
            "name": "GitHub",
            "authorization_url": "https://github.com/login/oauth/authorize",
            "token_url": "https://github.com/login/oauth/access_token",
            "userinfo_url": "https://api.github.com/user",
            "scope": "read:user user:email",
            "profile": github_profile,
            "token_auth_method": "client_secret_post",
            **overrides,
        }
        super().__init__(client_id=client_id, client_secret=client_secret, **settings)

    def fetch_userinfo(self, context: AuthContext, tokens: Mapping[str, Any]) -> dict[str, Any]:
        user = super().fetch_userinfo(context, tokens)
        if not user.get("email"):
            emails = get_json(GITHUB_EMAILS_URL, headers=bearer(tokens), timeout=self.timeout)
            user["email"] = primary_verified_email(emails)
        return user


def primary_verified_email(emails: object) -> str | None:
    if not isinstance(emails, list):
        return None
    for entry in emails:
        if isinstance(entry, dict) and entry.get("primary") and entry.get("verified"):
            email = entry.get("email")
            return email if isinstance(email, str) else None
    return None


def google_profile(raw: Mapping[str, Any], tokens: Mapping[str, Any]) -> dict[str, Any]:
    """OpenID Connect claims; the email only when Google says it is verified."""
    return {
        "id": raw["sub"],
        "name": raw.get("name"),
        "email": raw.get("email") if raw.get("email_verified") is True else None,
        "image": raw.get("picture"),
    }


def GoogleProvider(client_id: str, client_secret: str, **overrides: Any) -> OAuthProvider:
    """Google (OpenID Connect). With ``cryptography`` installed, the ``id_token`` is also
    validated (issuer, audience, expiry, nonce, Google's keys); without it, state + PKCE.
    """
    oidc: dict[str, Any] = (
        {
            "checks": ("state", "pkce", "nonce"),
            "issuer": ("https://accounts.google.com", "accounts.google.com"),
            "jwks_url": "https://www.googleapis.com/oauth2/v3/certs",
        }
        if has_crypto
        else {}
    )
    settings: dict[str, Any] = {
        "id": "google",
        "name": "Google",
        "authorization_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://oauth2.googleapis.com/token",
        "userinfo_url": "https://openidconnect.googleapis.com/v1/userinfo",
        "scope": "openid email profile",
        "profile": google_profile,
        "token_auth_method": "client_secret_post",
        **oidc,
        **overrides,
    }
    return OAuthProvider(client_id=client_id, client_secret=client_secret, **settings)
