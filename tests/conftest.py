"""The app factory every test builds on, and helpers that speak the protocol like a client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, g, jsonify
from flask.testing import FlaskClient

from flask_authjs import AuthJS, CredentialsProvider, login_required

SECRET = "test-secret-that-is-long-enough-for-production-use"
USER = {"id": "u1", "name": "Ada", "email": "ada@example.com", "image": None}
PASSWORD = "correct horse"


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    if credentials.get("email") == USER["email"] and credentials.get("password") == PASSWORD:
        return dict(USER)
    return None


AppFactory = Callable[..., Flask]


@pytest.fixture
def app_factory(tmp_path: Any) -> AppFactory:
    """``app_factory(providers=..., pages=..., callbacks=..., **config)`` -> a fresh app.

    Config keys without a prefix are ``AUTHJS_`` settings (``URL="https://x"``).
    """

    def make(
        *,
        providers: list[Any] | None = None,
        pages: dict[str, str] | None = None,
        callbacks: dict[str, Any] | None = None,
        adapter: Any = None,
        testing: bool = True,
        **settings: Any,
    ) -> Flask:
        app = Flask("testapp", instance_path=str(tmp_path / "instance"))
        app.config.update(
            TESTING=testing,
            AUTHJS_SECRET=SECRET,
            AUTHJS_URL="http://localhost",
            AUTHJS_BCRYPT_ROUNDS=4,
            AUTHJS_DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}",
        )
        app.config.update({f"AUTHJS_{key}": value for key, value in settings.items()})
        AuthJS(
            app,
            providers=providers if providers is not None else [CredentialsProvider(authorize)],
            pages=pages,
            callbacks=callbacks,
            adapter=adapter,
        )

        @app.get("/")
        def home() -> str:
            return "home"

        @app.get("/dashboard")
        @login_required
        def dashboard() -> Any:
            return jsonify(g.session)

        return app

    return make


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def raw_client(app: Flask) -> FlaskClient:
    """A client without a cookie jar, so a test's own ``Cookie`` header reaches the app."""
    return app.test_client(use_cookies=False)


def csrf_token(client: FlaskClient) -> str:
    token: str = client.get("/api/auth/csrf").get_json()["csrfToken"]
    return token


def sign_in(
    client: FlaskClient, email: str = USER["email"], password: str = PASSWORD, **fields: str
) -> Any:
    """Post the credentials form in ``json=true`` mode, as ``next-auth/react`` does."""
    data = {
        "email": email,
        "password": password,
        "csrfToken": csrf_token(client),
        "json": "true",
        **fields,
    }
    return client.post("/api/auth/callback/credentials", data=data)


def session_cookie(response: Any, name: str = "authjs.session-token") -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0]
    return None
