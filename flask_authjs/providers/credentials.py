"""Sign-in with an email and a password, checked by your function or against the store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Request

from ..emails import normalize_email
from ..errors import EmailNotVerified, InvalidInput
from ..passwords import password_problem
from .base import Provider

if TYPE_CHECKING:
    from ..context import AuthContext

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


class PasswordRejected(Exception):
    """The password can never be valid (too long for bcrypt, NUL); said plainly to the user."""


class CredentialsProvider(Provider):
    """``authorize(credentials, request) -> user dict | None``; without it, the store.

    ``credentials`` holds every submitted form field as a ``str``. Returning ``None``
    means wrong credentials (error ``CredentialsSignin``). The returned user needs an
    ``id``; ``name``, ``email`` and ``image`` are copied into the session.
    """

    type = "credentials"

    def __init__(
        self,
        authorize: AuthorizeFunction | None = None,
        *,
        id: str = "credentials",
        name: str = "Credentials",
        fields: dict[str, dict[str, str]] | None = None,
    ) -> None:
        super().__init__(id=id, name=name)
        self.authorize = authorize
        self.fields = DEFAULT_FIELDS if fields is None else fields

    def authenticate(
        self, credentials: dict[str, str], request: Request, context: AuthContext
    ) -> Mapping[str, Any] | None:
        if self.authorize is not None:
            return self.authorize(credentials, request)
        return self._check_store(credentials, context)

    def _check_store(
        self, credentials: dict[str, str], context: AuthContext
    ) -> Mapping[str, Any] | None:
        password = credentials.get("password", "")
        problem = password_problem(password)
        if problem:
            raise PasswordRejected(problem)
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
        if context.settings.email_verification == "required" and user["email_verified"] is None:
            raise EmailNotVerified(email)
        return {key: user[key] for key in ("id", "name", "email", "image")}
