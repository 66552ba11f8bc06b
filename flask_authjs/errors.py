"""Error codes of the Auth.js protocol, and the one exception hierarchy of flask-authjs.

The codes travel in URLs (``?error=CredentialsSignin``) and JSON bodies exactly as Auth.js
spells them, so the real ``next-auth/react`` client and custom pages understand them.
"""

from __future__ import annotations

from dataclasses import dataclass

CREDENTIALS_SIGNIN = "CredentialsSignin"
INVALID_PASSWORD = "InvalidPassword"
ACCESS_DENIED = "AccessDenied"
CONFIGURATION = "Configuration"
MISSING_CSRF = "MissingCSRF"
SESSION_REQUIRED = "SessionRequired"
INVALID_INPUT = "InvalidInput"
BODY_TOO_LARGE = "BodyTooLarge"
OAUTH_SIGNIN = "OAuthSignin"
OAUTH_CALLBACK = "OAuthCallback"
OAUTH_ACCOUNT_NOT_LINKED = "OAuthAccountNotLinked"
CALLBACK = "Callback"
TOO_MANY_ATTEMPTS = "TooManyAttempts"
SIGNUP_INVALID = "SignupInvalid"
EMAIL_TAKEN = "EmailTaken"
STORE_UNAVAILABLE = "StoreUnavailable"
TWO_FACTOR_REQUIRED = "TwoFactorRequired"
TWO_FACTOR_EXPIRED = "TwoFactorExpired"
INVALID_CODE = "InvalidCode"
WEBAUTHN_VERIFICATION = "WebAuthnVerificationError"
LAST_SIGN_IN_METHOD = "LastSignInMethod"
DEFAULT_MESSAGE = "Unable to sign in."
#: The 503 answer while the store cannot be reached, from the blueprint or the middleware.
STORE_UNAVAILABLE_MESSAGE = (
    "The sign-in service is temporarily unavailable. Please try again shortly."
)
STORE_RETRY_AFTER = "5"

_TRY_ANOTHER = "Try signing in with a different account."

#: Messages the sign-in page shows for ``?error=<code>`` (PROTOCOL.md section 10).
SIGNIN_MESSAGES: dict[str, str] = {
    "Signin": _TRY_ANOTHER,
    OAUTH_SIGNIN: _TRY_ANOTHER,
    OAUTH_CALLBACK: _TRY_ANOTHER,
    "OAuthCreateAccount": _TRY_ANOTHER,
    "EmailCreateAccount": _TRY_ANOTHER,
    CALLBACK: _TRY_ANOTHER,
    OAUTH_ACCOUNT_NOT_LINKED: (
        "To confirm your identity, sign in with the same account you used originally."
    ),
    "EmailSignin": "The e-mail could not be sent.",
    CREDENTIALS_SIGNIN: "Sign in failed. Check the details you provided are correct.",
    INVALID_PASSWORD: (
        "Passwords must be at most 72 bytes long (UTF-8) and must not contain NUL characters."
    ),
    SESSION_REQUIRED: "Please sign in to access this page.",
    MISSING_CSRF: "Your sign-in form expired. Please try again.",
    INVALID_INPUT: "The form could not be read. Please try again.",
    TOO_MANY_ATTEMPTS: "Too many attempts. Please wait a few minutes and try again.",
    TWO_FACTOR_EXPIRED: "The sign-in took too long. Please sign in again.",
    WEBAUTHN_VERIFICATION: "The passkey could not be verified. Please try again.",
}

#: Codes that ``GET {base}/error`` bounces to the sign-in page, as Auth.js v4 does.
SIGNIN_ERRORS = frozenset(SIGNIN_MESSAGES)


@dataclass(frozen=True)
class ErrorPage:
    status: int
    heading: str
    message: str
    offer_sign_in: bool


ERROR_PAGES: dict[str, ErrorPage] = {
    "configuration": ErrorPage(
        500,
        "Server error",
        "There is a problem with the server configuration. "
        "Check the server logs for more information.",
        False,
    ),
    "accessdenied": ErrorPage(403, "Access Denied", "You do not have permission to sign in.", True),
    "verification": ErrorPage(
        403,
        "Unable to sign in",
        "The sign in link is no longer valid. It may have been used already or it may have "
        "expired.",
        True,
    ),
}
DEFAULT_ERROR_PAGE = ErrorPage(200, "Error", "", True)


def error_page(code: str) -> ErrorPage:
    return ERROR_PAGES.get(code.lower(), DEFAULT_ERROR_PAGE)


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

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field!r} {problem}")
