"""``AUTHJS_SESSION_STRATEGY="database"`` (credentials included), and signing out everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import AuthJS
from flask_authjs.adapters import Adapter
from flask_authjs.sessions import session_key

from .conftest import DAY, AppFactory, FakeClock, csrf_token, session_cookie, sign_in, use_clock


@pytest.fixture
def db_app(app_factory: AppFactory, adapter: Adapter, clock: FakeClock) -> Flask:
    return use_clock(app_factory(adapter=adapter, SESSION_STRATEGY="database"), clock)


def signed_in_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client).status_code == 200
    return client


def test_the_cookie_is_an_opaque_token_and_the_session_lives_in_the_store(
    db_app: Flask, adapter: Adapter, clock: FakeClock
) -> None:
    client = db_app.test_client()
    response = sign_in(client)
    assert response.get_json()["session"]["user"]["id"] == "u1"
    token = session_cookie(response)
    assert token is not None and token.count(".") == 0 and len(token) >= 40
    stored = adapter.get_session(session_key(token))
    assert stored is not None
    assert stored["user_id"] == "u1"
    assert stored["expires"] == int(clock.now) + 30 * DAY
    assert adapter.get_session(token) is None  # the store never holds the cookie value
    session = client.get("/api/auth/session").get_json()
    assert session["user"] == {"id": "u1", "name": "Ada", "email": "ada@example.com", "image": None}
    assert client.get("/dashboard").status_code == 200


def test_an_unknown_or_forged_token_is_no_session(db_app: Flask) -> None:
    client = db_app.test_client()
    for value in ["forged", "x" * 43, "x" * 200]:
        client.set_cookie("authjs.session-token", value)
        assert client.get("/api/auth/session").get_json() == {}


def test_sessions_expire(db_app: Flask, clock: FakeClock) -> None:
    client = signed_in_client(db_app)
    clock.advance(30 * DAY + 1)
    assert client.get("/api/auth/session").get_json() == {}
    assert client.get("/dashboard").status_code in (302, 401)


def test_sessions_end_max_age_after_sign_in_however_often_used(
    db_app: Flask, adapter: Adapter, clock: FakeClock
) -> None:
    client = db_app.test_client()
    token = session_cookie(sign_in(client))
    assert token is not None
    start = int(clock.now)
    for _ in range(29):
        clock.advance(DAY)
        response = client.get("/api/auth/session")
        assert response.get_json()["user"]["id"] == "u1"
        assert session_cookie(response) is None  # no cookie write, no store write
    stored = adapter.get_session(session_key(token))
    assert stored is not None and stored["expires"] == start + 30 * DAY
    clock.advance(DAY)
    assert client.get("/api/auth/session").get_json() == {}


def test_sign_out_deletes_the_session_row(db_app: Flask, adapter: Adapter) -> None:
    client = db_app.test_client()
    token = session_cookie(sign_in(client))
    assert token is not None
    stolen = db_app.test_client()
    stolen.set_cookie("authjs.session-token", token)
    client.post("/api/auth/signout", data={"csrfToken": csrf_token(client)})
    assert adapter.get_session(session_key(token)) is None
    assert stolen.get("/api/auth/session").get_json() == {}


def test_signing_in_again_replaces_the_old_session(db_app: Flask, adapter: Adapter) -> None:
    client = db_app.test_client()
    first = session_cookie(sign_in(client))
    second = session_cookie(sign_in(client))
    assert first and second and first != second
    assert adapter.get_session(session_key(first)) is None
    assert adapter.get_session(session_key(second)) is not None


def test_session_update_keeps_one_row(app_factory: AppFactory, adapter: Adapter) -> None:
    def jwt(token: dict[str, Any], trigger: str | None = None, **kw: Any) -> dict[str, Any]:
        if trigger == "update":
            token["name"] = kw["session"]["name"]
        return token

    app = app_factory(adapter=adapter, SESSION_STRATEGY="database", callbacks={"jwt": jwt})
    client = app.test_client()
    first = session_cookie(sign_in(client))
    response = client.post(
        "/api/auth/session",
        json={"data": {"name": "Countess"}},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.get_json()["user"]["name"] == "Countess"
    second = session_cookie(response)
    assert first and second and first != second
    assert adapter.get_session(session_key(first)) is None
    assert client.get("/api/auth/session").get_json()["user"]["name"] == "Countess"


def post_sign_out_everywhere(client: FlaskClient) -> Any:
    return client.post(
        "/api/auth/signout-everywhere", data={"csrfToken": csrf_token(client), "json": "true"}
    )


def test_sign_out_everywhere_ends_every_database_session_at_once(db_app: Flask) -> None:
    laptop, phone = signed_in_client(db_app), signed_in_client(db_app)
    response = post_sign_out_everywhere(laptop)
    assert response.status_code == 200
    assert response.get_json()["url"] == "http://localhost"
    assert session_cookie(response) == ""
    assert phone.get("/api/auth/session").get_json() == {}
    assert laptop.get("/api/auth/session").get_json() == {}


def test_sign_out_everywhere_ends_other_jwts_at_their_next_renewal(
    app_factory: AppFactory, adapter: Adapter, clock: FakeClock
) -> None:
    app = use_clock(app_factory(adapter=adapter), clock)
    laptop, phone = signed_in_client(app), signed_in_client(app)
    clock.advance(60)
    assert post_sign_out_everywhere(laptop).status_code == 200
    # Until its renewal is due, the phone's token is checked by signature only.
    assert phone.get("/api/auth/session").get_json()["user"]["id"] == "u1"
    clock.advance(DAY)
    assert phone.get("/api/auth/session").get_json() == {}
    # A sign-in after the revocation is unaffected.
    clock.advance(60)
    fresh = signed_in_client(app)
    clock.advance(DAY)
    assert fresh.get("/api/auth/session").get_json()["user"]["id"] == "u1"


def test_jwt_renewal_asks_the_store_only_when_due(
    app_factory: AppFactory, adapter: Adapter, clock: FakeClock, monkeypatch: Any
) -> None:
    app = use_clock(app_factory(adapter=adapter), clock)
    client = signed_in_client(app)
    calls: list[str] = []
    real = adapter.sessions_revoked_at
    monkeypatch.setattr(adapter, "sessions_revoked_at", lambda uid: calls.append(uid) or real(uid))
    for _ in range(5):
        client.get("/api/auth/session")
    assert calls == []
    clock.advance(DAY)
    response = client.get("/api/auth/session")
    assert session_cookie(response)  # renewed
    assert calls == ["u1"]
    client.get("/api/auth/session")
    assert calls == ["u1"]


def test_sign_out_everywhere_needs_csrf_and_a_session(db_app: Flask) -> None:
    client = signed_in_client(db_app)
    response = client.post("/api/auth/signout-everywhere", data={"json": "true"})
    assert response.status_code == 403
    assert client.get("/api/auth/session").get_json()["user"]["id"] == "u1"
    anonymous = db_app.test_client()
    response = post_sign_out_everywhere(anonymous)
    assert response.status_code == 401
    assert response.get_json()["error"] == "SessionRequired"


def test_sign_out_everywhere_from_python(db_app: Flask) -> None:
    phone = signed_in_client(db_app)
    auth = AuthJS()  # the method acts on the current app, whichever AuthJS set it up
    with db_app.app_context():
        assert auth.sign_out_everywhere("u1") == 1
    assert phone.get("/api/auth/session").get_json() == {}


def test_raw_session_tokens_are_stored_as_the_cookie_value(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    """``AUTHJS_DATABASE_SESSION_TOKENS = "raw"``: Auth.js's way, for a shared database."""
    app = app_factory(adapter=adapter, SESSION_STRATEGY="database", DATABASE_SESSION_TOKENS="raw")
    client = app.test_client()
    token = session_cookie(sign_in(client))
    assert token is not None
    assert adapter.get_session(session_key(token)) is None
    stored = adapter.get_session(token)
    assert stored is not None and stored["user_id"] == "u1"
    client.post("/api/auth/signout", data={"csrfToken": csrf_token(client)})
    assert adapter.get_session(token) is None
