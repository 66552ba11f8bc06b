"""AuthJSTestClient: a test client already signed in, for apps' own test suites."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from flask import Flask

from flask_authjs import signed_in
from flask_authjs.testing import AuthJSTestClient

ADA = {"id": "42", "name": "Ada", "email": "ada@example.com", "image": None}


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_the_client_is_signed_in_as_the_given_user(app_factory: Any, strategy: str) -> None:
    app: Flask = app_factory(SESSION_STRATEGY=strategy)
    app.test_client_class = AuthJSTestClient
    client = app.test_client(user=ADA)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.get_json()["user"] == ADA
    assert client.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"


def test_without_a_user_it_is_a_plain_client(app_factory: Any) -> None:
    app: Flask = app_factory()
    app.test_client_class = AuthJSTestClient
    response = app.test_client().get("/dashboard", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_the_jwt_callback_shapes_the_test_session_and_no_signal_fires(app_factory: Any) -> None:
    def jwt(token: dict[str, Any], user: Any = None, **_: Any) -> dict[str, Any]:
        if user is not None:
            token["role"] = user.get("role", "reader")
        return token

    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        session["user"]["role"] = token["role"]
        return session

    app: Flask = app_factory(callbacks={"jwt": jwt, "session": session})
    app.test_client_class = AuthJSTestClient
    fired: list[Any] = []
    with signed_in.connected_to(lambda sender, **kw: fired.append(kw), app):
        client = app.test_client(user={**ADA, "role": "admin"})
    assert client.get("/dashboard").get_json()["user"]["role"] == "admin"
    assert fired == []


def test_https_apps_get_the_host_prefixed_cookie_name(app_factory: Any) -> None:
    app: Flask = app_factory(URL="https://app.example")
    app.test_client_class = AuthJSTestClient
    client = app.test_client(user=ADA)
    assert client.get_cookie("__Host-authjs.session-token", domain="localhost") is not None
    response = client.get("/dashboard", base_url="https://app.example")
    assert response.get_json()["user"]["id"] == "42"


def test_sign_out_drops_the_session(app_factory: Any) -> None:
    app: Flask = app_factory()
    app.test_client_class = AuthJSTestClient
    client = app.test_client(user=ADA)
    client.sign_out()
    assert client.get("/dashboard", headers={"Accept": "application/json"}).status_code == 401


def test_a_user_needs_an_id(app_factory: Any) -> None:
    app: Flask = app_factory()
    app.test_client_class = AuthJSTestClient
    with pytest.raises(ValueError, match="id"):
        app.test_client(user={"email": "ada@example.com"})


def test_production_code_never_imports_the_test_client() -> None:
    """The import-linter contract says so statically; this checks a real import too."""
    code = (
        "import sys, flask, flask_authjs\n"
        "app = flask.Flask('x')\n"
        "app.config.update(AUTHJS_SECRET='s' * 40, AUTHJS_URL='http://localhost')\n"
        "flask_authjs.AuthJS(app)\n"
        "app.test_client().get('/api/auth/session')\n"
        "print('flask_authjs.testing' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
