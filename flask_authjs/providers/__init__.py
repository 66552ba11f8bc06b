"""Ways to sign in: credentials (email + password), magic links, OAuth 2 providers, the
stub.

Providers only authenticate: each turns a :class:`SignInRequest` into an
:class:`Identity` or raises :class:`~flask_authjs.exceptions.SignInError`.
"""

from __future__ import annotations

from .base import Authorization as Authorization
from .base import Identity as Identity
from .base import Provider as Provider
from .base import SignInRequest as SignInRequest
from .credentials import CredentialsProvider as CredentialsProvider
from .email import EmailProvider as EmailProvider
from .oauth import OAuthProvider as OAuthProvider
from .presets import GitHubProvider as GitHubProvider
from .presets import GoogleProvider as GoogleProvider
from .stub import StubOAuthProvider as StubOAuthProvider

__all__ = [
    "Authorization",
    "CredentialsProvider",
    "EmailProvider",
    "GitHubProvider",
    "GoogleProvider",
    "Identity",
    "OAuthProvider",
    "Provider",
    "SignInRequest",
    "StubOAuthProvider",
]
