"""The error codes of the Auth.js protocol, and which page answers each.

The codes travel in URLs (``?error=CredentialsSignin``) and JSON bodies exactly as Auth.js
spells them, so the real ``next-auth/react`` client and custom pages understand them. The
words shown to people for each code live with the templates
(``templates/authjs/_messages.html``); the exceptions that carry these codes are in
:mod:`flask_authjs.exceptions`.
"""

from __future__ import annotations

SIGNIN = "Signin"
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
OAUTH_CREATE_ACCOUNT = "OAuthCreateAccount"
OAUTH_ACCOUNT_NOT_LINKED = "OAuthAccountNotLinked"
EMAIL_CREATE_ACCOUNT = "EmailCreateAccount"
EMAIL_SIGNIN = "EmailSignin"
EMAIL_NOT_VERIFIED = "EmailNotVerified"
VERIFICATION = "Verification"
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
#: Seconds a client is asked to wait (``Retry-After``) while the store cannot be reached.
STORE_RETRY_AFTER = "5"

#: Codes that ``GET {base}/error`` bounces to the sign-in page, as Auth.js v4 does.
SIGNIN_ERRORS = frozenset(
    {
        SIGNIN,
        OAUTH_SIGNIN,
        OAUTH_CALLBACK,
        OAUTH_CREATE_ACCOUNT,
        EMAIL_CREATE_ACCOUNT,
        CALLBACK,
        OAUTH_ACCOUNT_NOT_LINKED,
        EMAIL_SIGNIN,
        EMAIL_NOT_VERIFIED,
        CREDENTIALS_SIGNIN,
        INVALID_PASSWORD,
        SESSION_REQUIRED,
        MISSING_CSRF,
        INVALID_INPUT,
        TOO_MANY_ATTEMPTS,
        TWO_FACTOR_EXPIRED,
        WEBAUTHN_VERIFICATION,
    }
)

#: The status of ``GET {base}/error?error=<code>`` (lower-cased code); 200 for the rest.
ERROR_PAGE_STATUS: dict[str, int] = {"configuration": 500, "accessdenied": 403, "verification": 403}


def error_page_status(code: str) -> int:
    return ERROR_PAGE_STATUS.get(code.lower(), 200)
