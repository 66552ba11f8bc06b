"""Sign-out-everywhere and the absolute lifetime hold on every path that issues a session.

A stolen JWT must not outlive "sign out everywhere" by being updated (``POST
{base}/session``) or renewed, and no update or renewal moves the end of a session past
``auth_time + AUTHJS_SESSION_MAX_AGE``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs.adapters import Adapter
from flask_authjs.sessions import iso_time

from .conftest import DAY, AppFactory, FakeClock, csrf_token, sign_in, use_clock

MAX_AGE = 30 * DAY


@pytest.fixture
def clock(request: Any) -> FakeClock:
    """JWTs: forty days in the past, since PyJWT refuses an ``iat`` ahead of the real clock.
    Database sessions: now, since mongomock forgets sessions by the real clock (TTL)."""
    start = int(time.time())
    return FakeClock(float(start - 40 * DAY if "jwt" in request.node.name else start))


def rename(token: dict[str, Any], trigger: str | None = None, **kw: Any) -> dict[str, Any]:
    if trigger == "update":
        # A careless callback: a token of its own making, with a sign-in time in the future.
        return {"sub": token["sub"], "name": kw["session"]["name"], "auth_time": 2**40}
    return token


@pytest.fixture(params=["jwt", "database"])
def lifetime_app(
    request: Any, app_factory: AppFactory, adapter: Adapter, clock: FakeClock
) -> Flask:
    app = app_factory(adapter=adapter, SESSION_STRATEGY=request.param, callbacks={"jwt": rename})
    return use_clock(app, clock)


def update(client: FlaskClient, name: str = "Countess") -> Any:
    return client.post(
        "/api/auth/session",
        json={"data": {"name": name}},
        headers={"X-CSRFToken": csrf_token(client)},
    )


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client).status_code == 200
    return client


def test_an_update_after_sign_out_everywhere_is_no_session(
    lifetime_app: Flask, clock: FakeClock
) -> None:
    victim, thief = signed_in(lifetime_app), lifetime_app.test_client()
    for cookie in victim._cookies.values():  # the thief copies every cookie of the victim
        thief.set_cookie(cookie.key, cookie.value)
    clock.advance(60)
    signed_out = victim.post(
        "/api/auth/signout-everywhere", data={"csrfToken": csrf_token(victim), "json": "true"}
    )
    assert signed_out.status_code == 200
    for _ in range(6):  # an update twice per update age, for three days
        clock.advance(DAY / 2)
        assert update(thief).get_json() == {}
    assert thief.get("/api/auth/session").get_json() == {}


def test_updates_and_renewals_never_pass_the_absolute_lifetime(
    lifetime_app: Flask, clock: FakeClock
) -> None:
    client = signed_in(lifetime_app)
    for day in range(1, 30):
        clock.advance(DAY)
        session = update(client, f"day {day}") if day % 2 else client.get("/api/auth/session")
        assert session.get_json()["user"]["id"] == "u1", day
    clock.advance(DAY)
    assert client.get("/api/auth/session").get_json() == {}
    assert update(client).get_json() == {}


def test_an_update_keeps_the_sign_in_time(lifetime_app: Flask, clock: FakeClock) -> None:
    client = signed_in(lifetime_app)
    started = int(clock.now)
    clock.advance(DAY)
    session = update(client).get_json()
    assert session["user"]["name"] == "Countess"
    assert session["expires"] == client.get("/api/auth/session").get_json()["expires"]
    assert session["expires"] == iso_time(started + MAX_AGE)
