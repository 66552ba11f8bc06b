"""AuthContext: the per-request answers that need both the settings and the request."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs.context import AuthContext
from flask_authjs.middleware import TOKEN_KEY
from flask_authjs.sessions import claims_for_user, session_key

from .conftest import USER, AppFactory


def context_of(app: Any) -> AuthContext:
    context: AuthContext = app.extensions["authjs"]
    return context


def test_urls_come_from_authjs_url_whatever_host_the_request_names(
    app_factory: AppFactory,
) -> None:
    app = app_factory(URL="https://app.example", BASE_PATH="/auth")
    context = context_of(app)
    with app.test_request_context(base_url="http://evil.example"):
        assert context.origin() == "https://app.example"
        assert context.action_url("signin") == "https://app.example/auth/signin"
        assert context.secure() is True
        assert context.cookie_names().session_token == "__Host-authjs.session-token"


def test_pages_replace_the_built_in_actions(app_factory: AppFactory) -> None:
    app = app_factory(pages={"sign_in": "/login", "error": "/oops"})
    context = context_of(app)
    with app.test_request_context():
        assert context.page_url("sign_in", "signin") == "http://localhost/login"
        assert context.page_url("sign_out", "signout") == "http://localhost/api/auth/signout"
        assert context.sign_in_page_url(callback_url="/a?b=1", error="Oops") == (
            "http://localhost/login?callbackUrl=%2Fa%3Fb%3D1&error=Oops"
        )


@pytest.mark.parametrize(
    ("target", "resolved"),
    [
        ("/dashboard", "http://localhost/dashboard"),
        ("http://localhost/x?y=1", "http://localhost/x?y=1"),
        ("https://evil.example/", "http://localhost"),
        ("//evil.example", "http://localhost"),
        (None, "http://localhost"),
    ],
)
def test_callback_urls_stay_on_our_origin(
    app_factory: AppFactory, target: Any, resolved: str
) -> None:
    app = app_factory()
    with app.test_request_context():
        assert context_of(app).resolve_callback_url(target).rstrip("/") == resolved


def test_the_redirect_callback_may_widen_but_never_to_an_unsafe_url(
    app_factory: AppFactory,
) -> None:
    def redirect(url: str, base_url: str) -> str:
        return {"/partner": "https://partner.example/ok", "/bad": "https://x\r\nSet-Cookie: a"}.get(
            url, url
        )

    app = app_factory(callbacks={"redirect": redirect})
    context = context_of(app)
    with app.test_request_context():
        assert context.resolve_callback_url("/partner") == "https://partner.example/ok"
        assert context.resolve_callback_url("/bad") == "http://localhost/bad"


def test_now_reads_the_replaceable_clock(app_factory: AppFactory) -> None:
    context = context_of(app_factory())
    context.clock = lambda: 1234.9
    assert context.now() == 1234


def test_a_codec_is_made_once_per_purpose(app_factory: AppFactory) -> None:
    context = context_of(app_factory())
    first = context.codec("oauth-check", max_lifetime=600)
    assert context.codec("oauth-check", max_lifetime=600) is first
    assert context.codec("email", max_lifetime=600) is not first


def test_issuing_a_session_ends_the_one_the_request_carried(app_factory: AppFactory) -> None:
    app = app_factory(SESSION_STRATEGY="database")
    context = context_of(app)
    with app.test_request_context():
        old = context.issue_session(claims_for_user(USER))
    assert context.adapter.get_session(session_key(old.token)) is not None
    with app.test_request_context(environ_base={TOKEN_KEY: old.token}):
        new = context.issue_session(claims_for_user(USER))
    assert context.adapter.get_session(session_key(old.token)) is None
    assert context.adapter.get_session(session_key(new.token)) is not None
    assert new.claims["sub"] == "u1" and new.claims["exp"] - new.claims["iat"] == new.max_age


def test_session_cookies_clear_the_stale_chunks_the_request_sent(app_factory: AppFactory) -> None:
    app = app_factory()
    context = context_of(app)
    cookie = "authjs.session-token.0=a; authjs.session-token.1=b"
    with app.test_request_context(headers={"Cookie": cookie}):
        issued = context.issue_session(claims_for_user(USER))
        written = context.session_cookies(issued)
        cleared = context.session_cookies(None)
    names = [header.split("=", 1)[0] for header in written]
    assert names == ["authjs.session-token.0", "authjs.session-token.1", "authjs.session-token"]
    assert all("Max-Age=0" in header for header in cleared)
    assert {header.split("=", 1)[0] for header in cleared} == {
        "authjs.session-token",
        "authjs.session-token.0",
        "authjs.session-token.1",
    }


def test_session_bodies_are_the_json_of_the_default_shape_per_token_and_expiry(
    app_factory: AppFactory,
) -> None:
    import json

    from flask_authjs.context import SessionBodies
    from flask_authjs.sessions import session_from_claims

    app = app_factory()
    bodies = SessionBodies(size=2)
    claims = {**claims_for_user(USER), "iat": 1_700_000_000, "exp": 1_700_000_600}
    with app.app_context():
        first = bodies.body("token-1", claims)
        assert json.loads(first) == session_from_claims(claims)
        slid = bodies.body("token-1", {**claims, "exp": 1_700_000_900})
        assert json.loads(slid)["expires"] == "2023-11-14T22:28:20.000Z"
        bodies.body("token-2", claims)
    assert len(bodies) == 2
