"""Sign-in with an email and a password, checked by your function or against the store.

Each attempt is reserved in the store, atomically, per account and per client address
before the password is checked (:mod:`..ratelimit`), and released unless the credentials
were wrong; over the limit, the password is not even checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Request

from ..context import AuthContext
from ..emails import normalize_email
from ..errors import CONFIGURATION, CREDENTIALS_SIGNIN, INVALID_PASSWORD, TOO_MANY_ATTEMPTS
from ..exceptions import InvalidInput, SignInError, StoreUnavailable
from ..passwords import password_problem
from .base import Identity, Provider, SignInRequest

logger = logging.getLogger("flask_authjs")

AuthorizeFunction = Callable[[dict[str, str], Request], "Mapping[str, Any] | None"]

DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "email": {
        "label": "Email",
        "type": "email",
        "placeholder": "you@example.com",
        "autocomplete": "username",
    },
    "password": {"label": "Password", "type": "password", "autocomplete": "current-password"},
}


#: Form fields that belong to the protocol, not to the user's credentials.
PROTOCOL_FIELDS = ("csrfToken",)


def identifying_field(fields: Mapping[str, Mapping[str, str]]) -> str | None:
    """``email`` if present, else the first field that is not a password."""
    if "email" in fields:
        return "email"
    return next((name for name, spec in fields.items() if spec.get("type") != "password"), None)


class CredentialsProvider(Provider):
    """``authorize(credentials, request) -> user dict | None``; without it, the store.

    ``credentials`` holds every submitted form field as a ``str``. Returning ``None``
    means wrong credentials (error ``CredentialsSignin``). The returned user needs an
    ``id``; ``name``, ``email`` and ``image`` are copied into the session.

    ``account_field`` names the field that says *which account* a sign-in aims at, for
    the per-account rate limit: by default ``email`` if there is one, else the first
    field that is not a password (``username`` in ``{"username": ..., "password": ...}``).
    """

    type = "credentials"
    form_callback = True

    def __init__(
        self,
        authorize: AuthorizeFunction | None = None,
        *,
        id: str = "credentials",
        name: str = "Credentials",
        fields: dict[str, dict[str, str]] | None = None,
        account_field: str | None = None,
    ) -> None:
        super().__init__(id=id, name=name)
        self.authorize = authorize
        self.fields = DEFAULT_FIELDS if fields is None else fields
        if account_field is not None and account_field not in self.fields:
            raise ValueError(
                f"CredentialsProvider(account_field={account_field!r}): no such field "
                f"(fields: {', '.join(self.fields) or 'none'})"
            )
        self.account_field = account_field or identifying_field(self.fields)

    def account_identifier(self, credentials: Mapping[str, str]) -> str | None:
        """The submitted account name (unnormalised), or ``None`` when none was sent."""
        value = credentials.get(self.account_field) if self.account_field else None
        return value if isinstance(value, str) and value.strip() else None

    def authenticate(self, context: AuthContext, sign_in: SignInRequest) -> Identity:
        credentials = {k: v for k, v in sign_in.params.items() if k not in PROTOCOL_FIELDS}
        limiter = context.rate_limiter
        limits = limiter.sign_in_limits(self.account_identifier(credentials), sign_in.remote_addr)
        # Counted before the password is checked, atomically: racing requests cannot get
        # more guesses to bcrypt than the limit. Anything but wrong credentials uncounts it.
        reservation = limiter.reserve(limits)
        if reservation.retry_after is not None:
            raise SignInError(
                TOO_MANY_ATTEMPTS, "rate limited", status=429, retry_after=reservation.retry_after
            )
        try:
            user = self._user(context, credentials, sign_in.request)
        except SignInError:
            limiter.release(reservation)  # a refused password or a broken authorize: no guess
            raise
        if user is None:
            raise SignInError(CREDENTIALS_SIGNIN, "wrong credentials")
        limiter.release(reservation)
        account = {
            "provider": self.id,
            "type": "credentials",
            "providerAccountId": str(user["id"]),
        }
        return Identity(account=account, user=user, credentials=credentials)

    def _user(
        self, context: AuthContext, credentials: dict[str, str], request: Request | None
    ) -> dict[str, Any] | None:
        """The user the credentials prove, or ``None``; a broken ``authorize`` is logged."""
        if self.authorize is None:
            return self._check_store(credentials, context)
        try:
            user = self.authorize(credentials, request)  # type: ignore[arg-type]
        except (StoreUnavailable, SignInError):
            raise
        except Exception:
            logger.exception("flask-authjs: authorize() of %r raised", self.id)
            raise SignInError(
                CONFIGURATION, "authorize() raised", status=500, page="error"
            ) from None
        if user is None:
            return None
        if not isinstance(user, Mapping) or user.get("id") in (None, ""):
            raise SignInError(
                CONFIGURATION,
                f"authorize() of {self.id!r} must return a dict with an 'id', or None",
                status=500,
                page="error",
            )
        return dict(user)

    def _check_store(
        self, credentials: dict[str, str], context: AuthContext
    ) -> dict[str, Any] | None:
        password = credentials.get("password", "")
        problem = password_problem(password)
        if problem:
            raise SignInError(INVALID_PASSWORD, problem, status=400)
        hasher = context.password_hasher
        try:
            email = normalize_email(credentials.get("email", ""))
        except InvalidInput:
            hasher.verify_dummy(password)
            return None
        user = context.adapter.get_user_by_email(email)
        if user is None:
            hasher.verify_dummy(password)
            return None
        if not hasher.verify(password, user["password_hash"]):
            return None
        if user["password_hash"] and hasher.needs_rehash(user["password_hash"]):
            context.adapter.set_password_hash(user["id"], hasher.hash(password))
        return {key: user[key] for key in ("id", "name", "email", "image")}
