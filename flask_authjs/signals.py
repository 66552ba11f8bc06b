"""Events as blinker signals, Flask's own convention: ``signed_in.connect(fn, app)``.

Each signal is sent with the app as sender; receivers get keyword arguments. A receiver
that raises is a bug in the receiver: it is logged, and the sign-in or sign-out it was
told about is not undone.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import Flask

_signals = Namespace()

#: A user signed in. Arguments: ``user`` (dict), ``account`` (dict), ``is_new_user`` (bool).
signed_in = _signals.signal("authjs-signed-in")

#: A user signed out. Arguments: ``session`` (the claims that ended, a dict).
signed_out = _signals.signal("authjs-signed-out")

#: ``POST {base}/session`` changed a session. Arguments: ``session``, ``token``.
session_updated = _signals.signal("authjs-session-updated")

#: A user was created (sign-up, first OAuth sign-in). Arguments: ``user``.
user_created = _signals.signal("authjs-user-created")

#: An OAuth account was linked to a user. Arguments: ``user``, ``account``.
account_linked = _signals.signal("authjs-account-linked")

#: A passkey was added to an account. Arguments: ``user``, ``passkey`` (its public view).
passkey_added = _signals.signal("authjs-passkey-added")

#: Two-factor sign-in was turned on. Arguments: ``user``.
two_factor_enabled = _signals.signal("authjs-two-factor-enabled")

#: Two-factor sign-in was turned off. Arguments: ``user``.
two_factor_disabled = _signals.signal("authjs-two-factor-disabled")


def send_safely(signal: Any, app: Flask, **kwargs: Any) -> None:
    try:
        signal.send(app, **kwargs)
    except Exception:
        app.logger.exception("flask-authjs: a receiver of %r raised", signal.name)
