"""CSRF for the auth routes: Flask-WTF's signed tokens, in Auth.js's ``csrfToken`` field.

Flask-WTF's ``CSRFProtect`` only reads ``csrf_token`` and never a JSON body, so the auth
routes validate themselves: the ``csrfToken`` body field (Auth.js wire name) or the
``X-CSRFToken`` / ``X-CSRF-Token`` header. A request whose ``Origin`` header names another
origin fails too, whatever token it carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request, g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from .redirects import normalized_origin

_FLASK_WTF_FIELD = "csrf_token"


def csrf_token() -> str:
    return str(generate_csrf())


def csrf_valid(request: Request, body: Mapping[str, Any], origin: str) -> bool:
    sent_origin = request.headers.get("Origin")
    if sent_origin is not None and normalized_origin(sent_origin) != origin:
        return False
    token = (
        body.get("csrfToken")
        or request.headers.get("X-CSRFToken")
        or request.headers.get("X-CSRF-Token")
    )
    if not isinstance(token, str) or not token:
        return False
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


def rotate_csrf_token() -> None:
    """Forget the current token, so a new one is made after sign-in and sign-out."""
    session.pop(_FLASK_WTF_FIELD, None)
    g.pop(_FLASK_WTF_FIELD, None)
