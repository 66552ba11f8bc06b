"""login_required: browsers go to the sign-in page and come back; scripts get 401 JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request

from flask_authjs import AuthJS, CredentialsProvider, login_required

from .conftest import SECRET, authorize, sign_in


def test_a_browser_is_sent_to_sign_in_with_the_page_it_asked_for(client: Any) -> None:
    response = client.get("/dashboard?tab=2", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "http://localhost/api/auth/signin?callbackUrl=%2Fdashboard%3Ftab%3D2"
    )


def test_the_custom_sign_in_page_is_used_when_configured(app_factory: Any) -> None:
    client = app_factory(pages={"sign_in": "/sign-in"}).test_client()
    response = client.get("/dashboard")
    assert response.headers["Location"] == "http://localhost/sign-in?callbackUrl=%2Fdashboard"


@pytest.mark.parametrize(
    "headers", [{"Accept": "application/json"}, {"X-Requested-With": "XMLHttpRequest"}]
)
def test_a_script_gets_401_session_required(client: Any, headers: dict[str, str]) -> None:
    response = client.get("/dashboard", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"error": "SessionRequired"}


def test_with_a_session_the_view_runs_and_sees_g_session(client: Any) -> None:
    sign_in(client)
    assert client.get("/dashboard").get_json()["user"]["id"] == "u1"


def test_the_whole_round_trip_lands_back_on_the_page(client: Any) -> None:
    login = client.get("/dashboard").headers["Location"]
    page = client.get(login).get_data(as_text=True)
    assert 'value="http://localhost/dashboard"' in page
    response = sign_in(client, callbackUrl="http://localhost/dashboard")
    assert response.get_json()["url"] == "http://localhost/dashboard"


def test_g_session_is_built_only_when_something_reads_it(app_factory: Any) -> None:
    calls: list[str] = []

    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        calls.append(token["sub"])
        return session

    app = app_factory(callbacks={"session": session})
    client = app.test_client()
    sign_in(client)
    calls.clear()
    assert client.get("/").data == b"home"
    assert calls == []
    client.get("/dashboard")
    assert calls == ["u1"]


def test_g_session_reads_like_any_g_attribute(app: Any) -> None:
    from flask import g

    with app.test_request_context():
        assert g.session is None
        assert g.get("session") is None and "session" in g
        g.session = {"user": {"id": "x"}}
        assert g.get("session") == {"user": {"id": "x"}}
    with app.app_context():
        assert g.session is None


def test_an_unauthorized_handler_replaces_the_default_answer(tmp_path: Any) -> None:
    app = Flask("guarded")
    app.config.update(AUTHJS_SECRET=SECRET, AUTHJS_URL="http://localhost")
    auth = AuthJS(app, providers=[CredentialsProvider(authorize)])

    @app.get("/private")
    @login_required
    def private() -> str:
        return "secret"

    client = app.test_client()
    assert client.get("/private").status_code == 302  # the default, before a handler

    # Registered after init_app, as apps usually do: it still counts.
    @auth.unauthorized_handler
    def no_session() -> Any:
        return {"error": "please sign in", "path": request.path}, 403

    for headers in ({"Accept": "text/html"}, {"Accept": "application/json"}):
        response = client.get("/private", headers=headers)
        assert response.status_code == 403
        assert response.get_json() == {"error": "please sign in", "path": "/private"}
    sign_in(client)
    assert client.get("/private").get_data(as_text=True) == "secret"
