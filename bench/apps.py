"""The apps under test, built alike: one ``SECRET_KEY``, one Flask session, one view.

Every app gets the same Flask configuration and, unless a benchmark says otherwise, the
same ``Cookie`` header (a signed Flask session cookie plus our session token), so the
difference between two of them is the authentication layer and nothing else.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import flask_login
import jwt
from flask import Flask, g, request

from flask_authjs import AuthJS, CredentialsProvider, login_required
from flask_authjs.sessions import claims_for_user

from .replay import (
    BROWSER_HEADERS,
    CSRF_SESSION,
    GREETING,
    ORIGIN,
    base_app,
    signed_flask_session,
)

AUTHJS_SECRET = "bench-authjs-secret-0123456789abcdef0123"
USER = {"id": "u1", "name": "Ada Lovelace", "email": "ada@example.com", "image": None}
PASSWORD = "correct horse battery"


def authjs_app(**config: Any) -> Flask:
    app = base_app("authjs")
    app.config.update(
        AUTHJS_SECRET=AUTHJS_SECRET, AUTHJS_URL=ORIGIN, AUTHJS_BCRYPT_ROUNDS=4, **config
    )
    AuthJS(app, providers=[CredentialsProvider(authorize=_authorize)])

    @app.get("/dashboard")
    @login_required
    def dashboard() -> str:
        return f"hello {g.session['user']['email']}"

    @app.get("/")
    def home() -> str:
        return GREETING

    return app


def _authorize(credentials: dict[str, str], _request: Any) -> dict[str, Any] | None:
    if credentials.get("email") == USER["email"] and credentials.get("password") == PASSWORD:
        return dict(USER)
    return None


def naive_jwt_app() -> Flask:
    """A reference point: what a straightforward PyJWT decode per request costs."""
    app = base_app("naive")
    key = AUTHJS_SECRET.encode()

    @app.before_request
    def load() -> None:
        token = request.cookies.get("authjs.session-token")
        try:
            g.claims = jwt.decode(token or "", key, algorithms=["HS256"])
        except jwt.PyJWTError:
            g.claims = None

    @app.get("/dashboard")
    def dashboard() -> Any:
        if g.claims is None:
            return "sign in", 302
        return f"hello {g.claims['email']}"

    return app


class LoginUser(flask_login.UserMixin):  # type: ignore[misc]
    def __init__(self, record: dict[str, Any]) -> None:
        self.id = record["id"]
        self.email = record["email"]


def flask_login_app(load_user: Callable[[str], LoginUser | None] | None = None) -> Flask:
    """Flask-Login; by default with an in-memory user loader (its best case: no store)."""
    app = base_app("flasklogin")
    manager = flask_login.LoginManager(app)
    manager.user_loader(load_user or {USER["id"]: LoginUser(USER)}.get)

    @app.get("/dashboard")
    @flask_login.login_required  # type: ignore[misc]
    def dashboard() -> str:
        return f"hello {flask_login.current_user.email}"

    return app


def flask_login_store_app(directory: str) -> Flask:
    """Flask-Login as apps use it: the user loader reads the user from a SQLite table."""
    path = os.path.join(directory, "flask_login_users.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT)")
        db.execute("INSERT INTO users VALUES (?, ?)", (USER["id"], USER["email"]))
    local = threading.local()

    def load_user(user_id: str) -> LoginUser | None:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path)
        row = local.db.execute("SELECT id, email FROM users WHERE id = ?", (user_id,)).fetchone()
        return LoginUser({"id": row[0], "email": row[1]}) if row else None

    return flask_login_app(load_user)


def flask_session_cookie(app: Flask) -> str:
    """A signed Flask session as a browser holds it after using both kinds of app.

    It carries Flask-WTF's CSRF token and Flask-Login's user id, with the identifier
    Flask-Login computes from this client's address and user agent (so its "basic"
    session protection is satisfied and it writes nothing back).
    """
    with app.test_request_context(headers=BROWSER_HEADERS):
        identifier = flask_login.utils._create_identifier()
    return signed_flask_session(
        app, {**CSRF_SESSION, "_user_id": USER["id"], "_fresh": True, "_id": identifier}
    )


def jwt_session_token(app: Flask) -> str:
    """A valid session token minted by the app's own codec (no sign-in needed)."""
    token: str = app.extensions["authjs"].issue_session(claims_for_user(USER)).token
    return token


def signed_in_cookie(app: Flask, name: str = "authjs.session-token") -> str:
    """Sign in through the real credentials route and return the session cookie's value."""
    client = app.test_client()
    csrf = client.get("/api/auth/csrf").get_json()["csrfToken"]
    response = client.post(
        "/api/auth/callback/credentials",
        data={"email": USER["email"], "password": PASSWORD, "csrfToken": csrf, "json": "true"},
    )
    if response.status_code != 200:
        raise RuntimeError(f"sign-in failed: {response.status_code} {response.get_data()!r}")
    for header in response.headers.getlist("Set-Cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0]
    raise RuntimeError("sign-in set no session cookie")
