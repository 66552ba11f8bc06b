"""Every exception flask-authjs raises on purpose, under one base: :class:`AuthJSError`.

Each carries what its handler needs (a setting and its fix, a field, an Auth.js error
code and status), so the code that answers it never has to guess. The tree:

- ``ConfigurationError``: the app is set up wrongly; raised at start-up.
- ``InvalidInput``: a request field has the wrong shape (answered 400).
- ``StoreUnavailable``, ``DuplicateEmail``, ``DuplicateAccount``: what a store reports.
- ``CSRFFailed``: a state-changing POST without a valid token (answered the Auth.js way).
- ``SignInError``: a sign-in refused, with its Auth.js ``code`` (``CredentialsSignin``,
  ``OAuthCallback``, ``OAuthAccountNotLinked``, ...), the HTTP status a script gets, and a
  ``reason`` for the log that never holds a secret. Providers raise it; the sign-in
  pipeline raises it; one place in the actions answers it.
- ``ProviderError``: an OAuth provider answered something unusable (becomes
  ``OAuthCallback`` inside the provider).
"""

from __future__ import annotations

from . import errors


class AuthJSError(Exception):
    """Base class of every exception flask-authjs raises on purpose."""


class ConfigurationError(AuthJSError):
    """A setting is missing or wrong; raised by ``init_app`` so the app fails at start-up."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.problem = problem
        self.fix = fix
        super().__init__(f"{setting}: {problem} Fix: {fix}")


class InvalidInput(AuthJSError):
    """A request field is missing its expected shape (repeated, not a string, too long)."""

    code = errors.INVALID_INPUT

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field!r} {problem}")


class StoreUnavailable(AuthJSError):
    """The store could not be reached in time; answered with 503, never a traceback."""

    code = errors.STORE_UNAVAILABLE


class DuplicateEmail(AuthJSError):
    """A user with this normalised email exists already."""

    code = errors.EMAIL_TAKEN


class DuplicateAccount(AuthJSError):
    """This (provider, providerAccountId) is linked to a user already."""

    def __init__(self, provider: str, provider_account_id: str) -> None:
        self.provider = provider
        self.provider_account_id = provider_account_id
        super().__init__(f"the {provider} account {provider_account_id!r} is linked already")


class CSRFFailed(AuthJSError):
    """A state-changing POST without a valid CSRF token; ``page`` is where the user goes."""

    code = errors.MISSING_CSRF

    def __init__(self, page: str, as_json: bool) -> None:
        super().__init__(page)
        self.page = page
        self.as_json = as_json


class SignInError(AuthJSError):
    """A sign-in refused with the Auth.js ``code`` the client and the pages understand.

    ``status`` is what a script (``json=true``) gets; a browser is redirected to the
    sign-in page (or, for ``page="error"``, the error page) with ``?error=<code>``.
    ``reason`` is for the server log only. ``callback_url`` is where the user was going,
    when the code that refused knows it (an OAuth flow keeps it in its check cookie).
    """

    def __init__(
        self,
        code: str,
        reason: str = "",
        *,
        status: int = 401,
        page: str = "signin",
        retry_after: int | None = None,
        callback_url: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {reason}" if reason else code)
        self.callback_url = callback_url
        self.code = code
        self.reason = reason
        self.status = status
        self.page = page
        self.retry_after = retry_after


class ProviderError(AuthJSError):
    """The provider could not be reached, or answered something we cannot use."""


class CheckFailed(ProviderError):
    """An OAuth check cookie is missing, not ours, for another provider, or does not match."""


class IdTokenInvalid(ProviderError):
    """The ``id_token`` is missing, forged, expired, or for another client or sign-in."""


class ProfileInvalid(ProviderError):
    """``profile()`` raised, or returned no ``id`` or an email that is not one."""
