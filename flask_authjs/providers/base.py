"""What every provider has, and the two values that cross the provider boundary.

A provider only authenticates. It gets a :class:`SignInRequest` (the request's data,
read by the action: no ``flask.request`` inside a provider) and returns an
:class:`Identity` (who signed in, with which account) or raises
:class:`~flask_authjs.exceptions.SignInError` with the Auth.js code. What happens next
(the ``sign_in`` callback, account linking, the ``jwt`` callback, the session, the
signals) is the sign-in pipeline's job, the same for every provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Request

from ..context import AuthContext


@dataclass(frozen=True)
class SignInRequest:
    """The request as a provider sees it."""

    #: The query string (GET) or the form / JSON body (POST), as flat strings.
    params: Mapping[str, Any]
    #: The raw ``Cookie`` header (check cookies are read from it).
    cookies: str = ""
    remote_addr: str | None = None
    #: The request object itself, only to hand to a user's ``authorize(credentials, request)``.
    request: Request | None = None


@dataclass(frozen=True)
class Identity:
    """Who a provider vouches for.

    ``user`` is set when the provider knows the user already (credentials, sign-up);
    otherwise the pipeline finds or creates the user from ``profile`` and ``account``
    (OAuth, email). ``raw_profile`` is what the provider sent, for the callbacks.
    ``link_user_id`` is set only when the flow was started as an explicit "link account"
    action by the session of that user. ``callback_url`` is where the flow said to go
    (OAuth keeps it in its check cookie), when the provider knows better than the request.
    """

    account: dict[str, Any]
    user: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    raw_profile: Mapping[str, Any] | None = None
    credentials: Mapping[str, str] | None = None
    allow_email_linking: bool = False
    link_user_id: str | None = None
    callback_url: str | None = None
    is_new_user: bool = False


@dataclass(frozen=True)
class Authorization:
    """Where ``POST {base}/signin/<id>`` sends the browser, and the cookies to set first."""

    url: str
    cookies: list[str] = field(default_factory=list)


class Provider:
    type: str = ""
    #: The callback is a form post from our own pages: POST only, CSRF-checked
    #: (credentials). Otherwise it is a redirect back from elsewhere (OAuth, email links),
    #: which the provider checks itself (state, PKCE, one-time tokens).
    form_callback: bool = False

    def __init__(self, *, id: str, name: str) -> None:
        if not id or not id.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"provider id {id!r} must be letters, digits, '-' or '_'")
        self.id = id
        self.name = name

    def describe(self, base_url: str) -> dict[str, Any]:
        """The provider's entry in ``GET {base}/providers``."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "signinUrl": f"{base_url}/signin/{self.id}",
            "callbackUrl": f"{base_url}/callback/{self.id}",
        }

    def authorization(
        self,
        context: AuthContext,
        *,
        callback_url: str,
        params: Mapping[str, str],
        link_user_id: str | None = None,
    ) -> Authorization | None:
        """``POST {base}/signin/<id>``: where to send the browser, or ``None``.

        ``None`` (credentials) sends the user to the sign-in page, where the form is.
        ``params`` are the client's extra authorization parameters (the POST's query).
        """
        return None

    def authenticate(self, context: AuthContext, sign_in: SignInRequest) -> Identity:
        """``GET|POST {base}/callback/<id>``: who this request proves the user is."""
        raise NotImplementedError

    def cleanup_cookies(self, context: AuthContext) -> list[str]:
        """``Set-Cookie`` values the callback's answer carries, success or not."""
        return []
