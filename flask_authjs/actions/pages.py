"""The words on our pages: read from ``templates/authjs/_messages.html``, where they live.

Python decides which code a page shows; the template says it in words, so an app
changes or translates every message by shipping its own ``authjs/_messages.html``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

MESSAGES_TEMPLATE = "authjs/_messages.html"


def _messages() -> Any:
    return current_app.jinja_env.get_template(MESSAGES_TEMPLATE).module


def signin_message(code: str) -> str:
    """What the sign-in page says for ``?error=<code>``."""
    messages = _messages()
    message: str = messages.signin.get(code, messages.default_signin)
    return message


def known_signin_message(code: str) -> str | None:
    message: str | None = _messages().signin.get(code)
    return message


def email_taken_message() -> str:
    message: str = _messages().email_taken
    return message


def error_page_copy(code: str) -> dict[str, Any]:
    """The heading, message and sign-in offer of ``GET {base}/error?error=<code>``."""
    messages = _messages()
    copy: dict[str, Any] = messages.error_pages.get(code.lower(), messages.default_error_page)
    return copy
