"""``POST {base}/_log``: where the ``next-auth/react`` client reports its own errors.

The client posts ``level``, ``code`` and details here (with ``sendBeacon``, no CSRF token)
when one of its fetches fails. Anyone can post anything, so only the code is kept, at
debug level and cut short; the answer is always an empty 204.
"""

from __future__ import annotations

from flask import current_app, request

from ..responses import Result

MAX_CODE_LENGTH = 64


def receive_client_log() -> Result:
    code = request.form.get("code", "")[:MAX_CODE_LENGTH]
    current_app.logger.debug("flask-authjs: client reported %r", code)
    return Result(status=204)
