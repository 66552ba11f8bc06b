"""Ways to sign in: credentials (email + password), OAuth 2 providers, and the stub.

Providers only authenticate: each turns a :class:`SignInRequest` into an
:class:`Identity` or raises :class:`~flask_authjs.exceptions.SignInError`.
"""

from __future__ import annotations

from .base import Authorization as Authorization
from .base import Identity as Identity
from .base import Provider as Provider
from .base import SignInRequest as SignInRequest
from .credentials import CredentialsProvider as CredentialsProvider
from .oauth import OAuthProvider as OAuthProvider
from .presets import GitHubProvider as GitHubProvider
from .presets import GoogleProvider as GoogleProvider
from .stub import StubOAuthProvider as StubOAuthProvider

__all__ = [
    "Authorization",
    "CredentialsProvider",
    "GitHubProvider",
    "GoogleProvider",
    "Identity",
    "OAuthProvider",
    "Provider",
    "SignInRequest",
    "StubOAuthProvider",
]
