"""Account linking: which user an OAuth account signs in (as Auth.js links them).

The rules of Auth.js's callback handler, in order:

1. The account is linked already: it signs its user in (refused if someone else is signed in).
2. Someone is signed in: the account is linked to them.
3. A user has the profile's email: refused with ``OAuthAccountNotLinked`` (an attacker's
   provider account with your address must not open your account), unless the provider
   sets ``allow_dangerous_email_account_linking``, which links it to that user.
4. Otherwise a new user is created and the account linked to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from .adapters import DuplicateAccount, DuplicateEmail, User
from .signals import account_linked, send_safely, user_created

if TYPE_CHECKING:
    from .context import AuthContext


class AccountNotLinked(Exception):
    """The account may not sign in as, or be linked to, the user it points at."""


class NoEmail(Exception):
    """A new user needs an email address, and the provider gave none."""


@dataclass(frozen=True)
class Resolved:
    user: dict[str, Any]
    is_new_user: bool


def resolve_user(
    context: AuthContext,
    profile: Mapping[str, Any],
    account: Mapping[str, Any],
    *,
    allow_email_linking: bool,
) -> Resolved:
    """The user this OAuth sign-in is for, linking or creating as the rules say."""
    adapter = context.adapter
    current = _signed_in_user(context)
    linked = adapter.get_user_by_account(account["provider"], account["providerAccountId"])
    if linked is not None:
        if current is not None and current["id"] != linked["id"]:
            raise AccountNotLinked("the account belongs to another user than the signed-in one")
        return Resolved(_public(linked), is_new_user=False)
    if current is not None:
        return Resolved(_link(context, current, account), is_new_user=False)
    email = profile.get("email")
    owner = adapter.get_user_by_email(email) if isinstance(email, str) else None
    if owner is not None:
        if not allow_email_linking:
            raise AccountNotLinked("another user has this email and the account is not linked")
        return Resolved(_link(context, owner, account), is_new_user=False)
    if not isinstance(email, str):
        raise NoEmail("the provider gave no email address for a new user")
    try:
        created = adapter.create_user(email, name=profile.get("name"), image=profile.get("image"))
    except DuplicateEmail as error:  # created by a concurrent request since we looked
        raise AccountNotLinked("another user has this email") from error
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    send_safely(user_created, app, user=_public(created))
    return Resolved(_link(context, created, account), is_new_user=True)


def _signed_in_user(context: AuthContext) -> User | None:
    """The store's user behind the current session (a session of no stored user is none)."""
    claims = context.current_claims()
    subject = claims.get("sub") if claims else None
    return context.adapter.get_user(subject) if isinstance(subject, str) else None


def _link(context: AuthContext, user: User, account: Mapping[str, Any]) -> dict[str, Any]:
    try:
        context.adapter.link_account(user["id"], account)
    except DuplicateAccount as error:  # linked by a concurrent request since we looked
        raise AccountNotLinked("the account was linked concurrently") from error
    public = _public(user)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    send_safely(account_linked, app, user=public, account=dict(account))
    return public


def _public(user: User) -> dict[str, Any]:
    """The user without its password hash: what callbacks and the session see."""
    return {key: user[key] for key in ("id", "name", "email", "image")}
