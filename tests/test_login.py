"""login_user / logout_user from the app's own views, current_user / current_session."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, g, jsonify

from flask_authjs import (
    current_session,
    current_user,
    login_required,
    login_user,
    logout_user,
    signed_in,
    signed_out,
)

from .conftest import USER, session_cookie, sign_in

INVITED = {"id": "u7", "name": "Grace", "email": "grace@example.com", "image": None}


def with_views(app: Flask) -> Flask:
    """The views an app would write around its own invitation flow."""

    @app.post("/accept-invite")
    def accept_invite() -> Any:
        session = login_user(INVITED)
        return jsonify(
            returned=session,
            g_session=g.session,
            current_user=dict(current_user or {}),
            current_session_user=(current_session or {}).get("user"),
        )

    @app.post("/leave")
    def leave() -> Any:
        return jsonify(ended=logout_user(), current_user=bool(current_user))

    @app.post("/in-and-out")
    def in_and_out() -> str:
        login_user(INVITED)
        logout_user()
        return "ok"

    @app.get("/whoami")
    def whoami() -> Any:
        return jsonify(user=dict(current_user) if current_user else None)

    @app.get("/template")
    def template() -> str:
        from flask import render_template_string

        return render_template_string(
            "{% if current_user %}{{ current_user.email }}{% else %}nobody{% endif %}"
        )

    return app


@pytest.fixture(params=["jwt", "database"])
def strategy_app(request: Any, app_factory: Any) -> Flask:
    return with_views(app_factory(SESSION_STRATEGY=request.param))


def test_login_user_sets_the_session_cookie_and_the_next_request_is_signed_in(
    strategy_app: Flask,
) -> None:
    client = strategy_app.test_client()
    response = client.post("/accept-invite")
    assert response.status_code == 200
    assert session_cookie(response)
    body = response.get_json()
    assert body["returned"]["user"]["email"] == "grace@example.com"
    # The rest of the same request already sees the new session.
    assert body["g_session"]["user"]["id"] == "u7"
    assert body["current_user"]["email"] == "grace@example.com"
    assert body["current_session_user"]["id"] == "u7"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert dashboard.get_json()["user"]["email"] == "grace@example.com"
    assert client.get("/api/auth/session").get_json()["user"]["id"] == "u7"


def test_the_database_strategy_keeps_login_user_sessions_in_the_store(
    app_factory: Any,
) -> None:
    app = with_views(app_factory(SESSION_STRATEGY="database"))
    client = app.test_client()
    token = session_cookie(client.post("/accept-invite"))
    assert token is not None and token.count(".") == 0  # opaque, not a JWT
    store = app.extensions["authjs"].adapter
    assert store.delete_user_sessions("u7") == 1


def test_login_user_replaces_the_session_the_browser_had(strategy_app: Flask) -> None:
    client = strategy_app.test_client()
    sign_in(client)
    assert client.get("/whoami").get_json()["user"]["id"] == USER["id"]
    client.post("/accept-invite")
    assert client.get("/whoami").get_json()["user"]["id"] == "u7"


def test_logout_user_ends_the_session(strategy_app: Flask) -> None:
    client = strategy_app.test_client()
    client.post("/accept-invite")
    old_cookie = client.get_cookie("authjs.session-token")
    assert old_cookie is not None
    left = client.post("/leave")
    assert left.get_json() == {"ended": True, "current_user": False}
    assert client.get("/dashboard", headers={"Accept": "application/json"}).status_code == 401
    # Replaying the old cookie: a database session is gone from the store.
    if strategy_app.config["AUTHJS_SESSION_STRATEGY"] == "database":
        replay = strategy_app.test_client()
        replay.set_cookie("authjs.session-token", old_cookie.value)
        assert replay.get("/whoami").get_json() == {"user": None}


def test_logout_user_without_a_session_says_so(strategy_app: Flask) -> None:
    assert strategy_app.test_client().post("/leave").get_json()["ended"] is False


def test_the_last_call_of_a_request_wins(strategy_app: Flask) -> None:
    client = strategy_app.test_client()
    assert client.post("/in-and-out").status_code == 200
    assert client.get("/whoami").get_json() == {"user": None}


def test_login_user_and_logout_user_fire_the_route_signals(app_factory: Any) -> None:
    app = with_views(app_factory())
    seen: list[tuple[str, dict[str, Any]]] = []

    def on_in(sender: Any, **kwargs: Any) -> None:
        seen.append(("in", kwargs))

    def on_out(sender: Any, **kwargs: Any) -> None:
        seen.append(("out", kwargs))

    client = app.test_client()
    with signed_in.connected_to(on_in, app), signed_out.connected_to(on_out, app):
        client.post("/accept-invite")
        client.post("/leave")
    assert [kind for kind, _ in seen] == ["in", "out"]
    assert seen[0][1]["user"]["id"] == "u7"
    assert seen[0][1]["account"] == {
        "provider": "credentials",
        "type": "credentials",
        "providerAccountId": "u7",
    }
    assert seen[0][1]["is_new_user"] is False
    assert seen[1][1]["session"]["sub"] == "u7"


def test_login_user_runs_the_jwt_callback(app_factory: Any) -> None:
    def jwt(token: dict[str, Any], account: Any = None, **_: Any) -> dict[str, Any]:
        if account is not None:
            token["via"] = account["provider"]
        return token

    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        session["user"]["via"] = token.get("via")
        return session

    app = with_views(app_factory(callbacks={"jwt": jwt, "session": session}))

    @app.post("/invite-by-partner")
    def invite_by_partner() -> Any:
        return jsonify(login_user(INVITED, provider="partner-sso"))

    client = app.test_client()
    assert client.post("/invite-by-partner").get_json()["user"]["via"] == "partner-sso"
    assert client.get("/dashboard").get_json()["user"]["via"] == "partner-sso"


@pytest.mark.parametrize("user", [{}, {"id": ""}, {"id": None}, {"id": True}, {"name": "x"}])
def test_login_user_needs_an_id(app_factory: Any, user: dict[str, Any]) -> None:
    app = app_factory()
    with app.test_request_context(), pytest.raises(ValueError, match="id"):
        login_user(user)


def test_current_user_is_falsy_without_a_session_and_outside_requests(
    app_factory: Any,
) -> None:
    app = with_views(app_factory())
    assert not current_user
    assert not current_session
    client = app.test_client()
    assert client.get("/whoami").get_json() == {"user": None}
    assert client.get("/template").get_data(as_text=True) == "nobody"
    sign_in(client)
    assert client.get("/whoami").get_json()["user"]["email"] == USER["email"]
    assert client.get("/template").get_data(as_text=True) == USER["email"]


def test_a_login_required_view_sees_current_user(app_factory: Any) -> None:
    app = app_factory()

    @app.get("/me")
    @login_required
    def me() -> str:
        return str(current_user["email"])  # type: ignore[index]

    client = app.test_client()
    sign_in(client)
    assert client.get("/me").get_data(as_text=True) == USER["email"]
