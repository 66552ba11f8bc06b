"""flask-authjs: the Auth.js (NextAuth) model for Flask.

``AuthJS(app, providers=[...])`` serves the Auth.js routes under ``/api/auth``, verifies
the session cookie on every request into ``flask.g.session``, and ``@login_required``
guards views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .decorators import login_required as login_required
from .exceptions import AuthJSError as AuthJSError
from .exceptions import ConfigurationError as ConfigurationError
from .exceptions import EmailSendError as EmailSendError
from .extension import AuthJS as AuthJS
from .globals import current_session as current_session
from .globals import current_user as current_user
from .login import login_user as login_user
from .login import logout_user as logout_user
from .loop import RedirectLoopWarning as RedirectLoopWarning
from .middleware import SessionMiddleware as SessionMiddleware
from .navigation import sign_in as sign_in
from .navigation import sign_out as sign_out
from .providers import CredentialsProvider as CredentialsProvider
from .providers import EmailProvider as EmailProvider
from .providers import GitHubProvider as GitHubProvider
from .providers import GoogleProvider as GoogleProvider
from .providers import OAuthProvider as OAuthProvider
from .providers import Provider as Provider
from .providers import StubOAuthProvider as StubOAuthProvider
from .signals import account_linked as account_linked
from .signals import passkey_added as passkey_added
from .signals import session_updated as session_updated
from .signals import signed_in as signed_in
from .signals import signed_out as signed_out
from .signals import two_factor_disabled as two_factor_disabled
from .signals import two_factor_enabled as two_factor_enabled
from .signals import user_created as user_created

__all__ = [
    "AuthJS",
    "AuthJSError",
    "ConfigurationError",
    "CredentialsProvider",
    "EmailProvider",
    "EmailSendError",
    "GitHubProvider",
    "GoogleProvider",
    "OAuthProvider",
    "PasskeyProvider",
    "Provider",
    "RedirectLoopWarning",
    "SessionMiddleware",
    "StubOAuthProvider",
    "account_linked",
    "current_session",
    "current_user",
    "login_required",
    "login_user",
    "logout_user",
    "passkey_added",
    "session_updated",
    "sign_in",
    "sign_out",
    "signed_in",
    "signed_out",
    "two_factor_disabled",
    "two_factor_enabled",
    "user_created",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .providers.passkey import PasskeyProvider


def __getattr__(name: str) -> Any:
    """``PasskeyProvider`` loads ``webauthn`` (the ``passkeys`` extra) only when asked for."""
    if name == "PasskeyProvider":
        from .providers.passkey import PasskeyProvider

        return PasskeyProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
