"""What a proven email does to the user record: Auth.js's email account step, made safe.

A used link proves the visitor reads that mailbox. As in Auth.js, an unknown email gets
a user (``emailVerified`` = now) and a known one is marked verified. One step more:
**pre-account takeover**. If the account was created with a password by someone who
never proved the email (an attacker signing up with the victim's address before the
victim arrives), that password is removed and every session of the account ends, so
the account is the mailbox owner's alone from here on.
"""

from __future__ import annotations

from typing import NamedTuple

from .adapters import User
from .context import AuthContext
from .exceptions import DuplicateEmail


class ProvenUser(NamedTuple):
    user: User
    is_new_user: bool


def prove_email(context: AuthContext, email: str) -> ProvenUser:
    """The user of ``email``, created or marked verified; see the module docstring."""
    store = context.adapter
    now = context.now()
    user = store.get_user_by_email(email)
    if user is None:
        try:
            return ProvenUser(store.create_user(email, email_verified=now), True)
        except DuplicateEmail:  # created by a concurrent request a moment ago
            user = store.get_user_by_email(email)
            if user is None:
                raise
    if user["email_verified"] is None:
        if user["password_hash"]:
            store.set_password_hash(user["id"], None)
            context.sign_out_everywhere(user["id"])
            user = User(**{**user, "password_hash": None})
        store.set_email_verified(user["id"], now)
        user = User(**{**user, "email_verified": now})
    return ProvenUser(user, False)
