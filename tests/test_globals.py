"""The lazy ``g.session``: built only when read, once per request, and still a plain ``g``."""

from __future__ import annotations

from typing import Any

from flask import g

from flask_authjs.middleware import SESSION_KEY
from flask_authjs.sessions import claims_for_user

from .conftest import USER, AppFactory

CLAIMS = {**claims_for_user(USER), "iat": 1_700_000_000, "exp": 1_700_000_600}


def test_the_session_callback_runs_once_and_only_when_g_session_is_read(
    app_factory: AppFactory,
) -> None:
    calls: list[Any] = []

    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        calls.append(token["sub"])
        return session

    app = app_factory(callbacks={"session": session})
    with app.test_request_context(environ_base={SESSION_KEY: CLAIMS}):
        assert calls == []
        assert g.session["user"]["id"] == "u1"
        assert g.get("session") is g.session
        assert calls == ["u1"]


def test_g_session_can_be_assigned_and_is_always_in_g(app_factory: AppFactory) -> None:
    app = app_factory()
    with app.test_request_context():
        assert "session" in g and g.session is None
        g.session = {"user": {"id": "x"}}
        assert g.session == {"user": {"id": "x"}}
        g.other = 1
        assert g.get("other") == 1 and "other" in g and g.get("missing", 2) == 2


def test_outside_a_request_g_session_is_none(app_factory: AppFactory) -> None:
    app = app_factory()
    with app.app_context():
        assert g.session is None
