"""The four user callbacks of Auth.js (``sign_in``, ``redirect``, ``jwt``, ``session``).

One object holds them (the very dict ``AuthJS`` keeps, so a callback registered with
``@auth.jwt_callback`` after ``init_app`` still counts) and checks what each returns.
The sign-in pipeline is the only caller of ``sign_in`` and ``jwt``; the context calls
``redirect`` (where a callbackUrl may lead) and ``session`` (the shape views see).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import CONFIGURATION
from .exceptions import SignInError

NAMES = ("sign_in", "redirect", "jwt", "session")


class Callbacks:
    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.functions = functions

    def __contains__(self, name: str) -> bool:
        return name in self.functions

    def sign_in(
        self,
        *,
        user: Mapping[str, Any],
        account: Mapping[str, Any],
        credentials: Mapping[str, str] | None,
        profile: Mapping[str, Any] | None,
    ) -> bool | str:
        """``True`` to go on, ``False`` to refuse, or a URL to go on to instead."""
        callback = self.functions.get("sign_in")
        if callback is None:
            return True
        allowed = callback(user=user, account=account, credentials=credentials, profile=profile)
        if isinstance(allowed, str):
            return allowed
        return allowed is not False and allowed is not None

    def jwt(self, token: dict[str, Any], **details: Any) -> dict[str, Any]:
        """The token after the ``jwt`` callback; it must stay a dict with a string ``sub``."""
        callback = self.functions.get("jwt")
        if callback is None:
            return token
        token = callback(token=token, **details)
        if not isinstance(token, dict) or not isinstance(token.get("sub"), str):
            raise SignInError(
                CONFIGURATION,
                "the jwt callback must return a dict with the string claim 'sub'",
                status=500,
                page="error",
            )
        return token

    def session(self, session: dict[str, Any], token: Mapping[str, Any]) -> dict[str, Any]:
        callback = self.functions.get("session")
        if callback is None:
            return session
        shaped: dict[str, Any] = callback(session=session, token=token)
        return shaped

    def redirect(self, url: str, base_url: str) -> object:
        callback = self.functions.get("redirect")
        return url if callback is None else callback(url=url, base_url=base_url)
