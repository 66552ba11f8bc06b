"""Ways to sign in: credentials (email + password), OAuth 2 providers, and the stub."""

from __future__ import annotations

from .base import Provider as Provider
from .credentials import CredentialsProvider as CredentialsProvider
from .oauth import OAuthProvider as OAuthProvider
from .presets import GitHubProvider as GitHubProvider
from .presets import GoogleProvider as GoogleProvider
from .stub import StubOAuthProvider as StubOAuthProvider

__all__ = [
    "CredentialsProvider",
    "GitHubProvider",
    "GoogleProvider",
    "OAuthProvider",
    "Provider",
    "StubOAuthProvider",
]
