"""Account linking: which user an identity signs in, found, linked or created.

The rules of Auth.js's callback handler, with one change (an explicit link intent):

1. The flow was started as "link account" by a signed-in user (``Identity.link_user_id``,
   bound into the OAuth check cookies by the start), and that user's session is the one
   coming back: the account is linked to that user, or refused if it belongs to someone
   else. A link intent that does not match the current session is refused.
2. Otherwise whoever is signed in does not matter: the sign-in replaces the session. An
   account linked already signs its user in.
3. A user has the profile's email: refused with ``OAuthAccountNotLinked`` (an attacker's
   provider account with your address must not open your account), unless the provider
   sets ``allow_dangerous_email_account_linking``, which links it to that user.
4. Otherwise a new user is created and the account linked to it.

Without rule 1, a browser carrying someone else's session (planted from a sibling
subdomain, or by XSS elsewhere) would link the new provider account to that someone,
and their later sign-ins would open the attacker's account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from ..adapters import User
from ..context import AuthContext
from ..errors import OAUTH_ACCOUNT_NOT_LINKED, OAUTH_CREATE_ACCOUNT
from ..exceptions import DuplicateAccount, DuplicateEmail, SignInError
from ..providers import Identity
from ..sealing import account_to_store
from ..signals import account_linked, send_safely, user_created

#: The user fields callbacks and sessions see (never the password hash).
PUBLIC_FIELDS = ("id", "name", "email", "image")


@dataclass(frozen=True)
class Resolved:
    user: dict[str, Any]
    is_new_user: bool


def not_linked(reason: str) -> SignInError:
    return SignInError(OAUTH_ACCOUNT_NOT_LINKED, reason)


def known_user(context: AuthContext, identity: Identity) -> dict[str, Any] | None:
    """The user the identity is for before any linking: its own, or the account's owner."""
    if identity.user is not None:
        return identity.user
    account = identity.account
    linked = context.adapter.get_user_by_account(account["provider"], account["providerAccountId"])
    return public(linked) if linked is not None else None


def resolve_user(context: AuthContext, identity: Identity) -> Resolved:
    """The user this sign-in is for, linking or creating as the rules say."""
    if identity.user is not None:
        return Resolved(identity.user, identity.is_new_user)
    adapter = context.adapter
    account = identity.account
    profile = identity.profile or {}
    linked = adapter.get_user_by_account(account["provider"], account["providerAccountId"])
    if identity.link_user_id is not None:
        current = _signed_in_user(context)
        if current is None or current["id"] != identity.link_user_id:
            raise not_linked("the link was started by another session than this one")
        if linked is not None:
            if linked["id"] != current["id"]:
                raise not_linked("the account belongs to another user than the signed-in one")
            return Resolved(public(linked), is_new_user=False)
        return Resolved(_link(context, current, account), is_new_user=False)
    if linked is not None:
        return Resolved(public(linked), is_new_user=False)
    email = profile.get("email")
    owner = adapter.get_user_by_email(email) if isinstance(email, str) else None
    if owner is not None:
        if not identity.allow_email_linking:
            raise not_linked("another user has this email and the account is not linked")
        return Resolved(_link(context, owner, account), is_new_user=False)
    if not isinstance(email, str):
        raise SignInError(OAUTH_CREATE_ACCOUNT, "the provider gave no email for a new user")
    try:
        created = adapter.create_user(email, name=profile.get("name"), image=profile.get("image"))
    except DuplicateEmail as error:  # created by a concurrent request since we looked
        raise not_linked("another user has this email") from error
    send_safely(user_created, _app(), user=public(created))
    return Resolved(_link(context, created, account), is_new_user=True)


def _signed_in_user(context: AuthContext) -> User | None:
    """The store's user behind the current session (a session of no stored user is none)."""
    claims = context.current_claims()
    subject = claims.get("sub") if claims else None
    return context.adapter.get_user(subject) if isinstance(subject, str) else None


def _link(context: AuthContext, user: User, account: Mapping[str, Any]) -> dict[str, Any]:
    try:
        # The provider's tokens reach the store sealed, or not at all (sealing.py).
        context.adapter.link_account(user["id"], account_to_store(account, context.token_sealer))
    except DuplicateAccount as error:  # linked by a concurrent request since we looked
        raise not_linked("the account was linked concurrently") from error
    linked = public(user)
    send_safely(account_linked, _app(), user=linked, account=dict(account))
    return linked


def public(user: Mapping[str, Any]) -> dict[str, Any]:
    """The user without its password hash: what callbacks and the session see."""
    return {key: user[key] for key in PUBLIC_FIELDS}


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]
