"""Ways to sign in: credentials (email + password), magic links, OAuth 2 providers, the stub."""

from __future__ import annotations

from .base import Provider as Provider
from .credentials import CredentialsProvider as CredentialsProvider
from .email import EmailProvider as EmailProvider
from .oauth import OAuthProvider as OAuthProvider
from .presets import GitHubProvider as GitHubProvider
from .presets import GoogleProvider as GoogleProvider
from .stub import StubOAuthProvider as StubOAuthProvider

__all__ = [
    "CredentialsProvider",
    "EmailProvider",
    "GitHubProvider",
    "GoogleProvider",
    "OAuthProvider",
    "Provider",
    "StubOAuthProvider",
]
