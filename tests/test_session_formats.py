"""``AUTHJS_SESSION_FORMAT`` and ``AUTHJS_ROUTES`` in a Flask app: names, chunks, renewal,
revocation, read-only mode. (The formats against the real npm packages:
test_nextauth_codec.py; tampering: test_hostile_tokens.py.)"""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest
from flask import Flask, g, jsonify

from flask_authjs import login_required
from flask_authjs.exceptions import ConfigurationError
from flask_authjs.formats import AUTHJS_V5, FORMATS, NEXT_AUTH_V4, session_codecs
from flask_authjs.jwe import JWECodec

from .conftest import (
    DAY,
    SECRET,
    AppFactory,
    FakeClock,
    session_cookie,
    sign_in,
    use_clock,
)

JWE_FORMATS = [NEXT_AUTH_V4.id, AUTHJS_V5.id]
CLAIMS = {"sub": "u1", "name": "Ada", "email": "ada@example.com", "picture": None}


def now() -> int:
    return int(time.time())


def codec(fmt: str, secure: bool = False) -> Any:
    return session_codecs(FORMATS[fmt], [SECRET], algorithm="HS256", max_lifetime=30 * DAY)[secure]


@pytest.mark.parametrize(
    ("fmt", "url", "name"),
    [
        ("jws", "http://localhost", "authjs.session-token"),
        ("next-auth-v4", "http://localhost", "next-auth.session-token"),
        ("next-auth-v4", "https://localhost", "__Secure-next-auth.session-token"),
        ("authjs-v5", "http://localhost", "authjs.session-token"),
        ("authjs-v5", "https://localhost", "__Secure-authjs.session-token"),
    ],
)
def test_sign_in_writes_the_format_s_cookie_that_its_codec_reads(
    app_factory: AppFactory, fmt: str, url: str, name: str
) -> None:
    client = app_factory(SESSION_FORMAT=fmt, URL=url).test_client()
    response = sign_in(client)
    token = session_cookie(response, name)
    assert token
    written = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert [n for n in written if "session-token" in n] == [name]
    claims = codec(fmt, url.startswith("https")).decode(token, now=now())
    assert claims is not None and claims["sub"] == "u1" and isinstance(claims["auth_time"], int)
    session = client.get("/api/auth/session", base_url=url).get_json()
    assert session["user"]["email"] == "ada@example.com"


def test_a_v5_token_for_the_plain_name_is_no_session_under_the_secure_name(
    app_factory: AppFactory,
) -> None:
    client = app_factory(SESSION_FORMAT="authjs-v5", URL="https://localhost").test_client(
        use_cookies=False
    )
    plain = codec("authjs-v5", secure=False).encode(CLAIMS, now=now(), max_age=600)
    secure = codec("authjs-v5", secure=True).encode(CLAIMS, now=now(), max_age=600)
    for token, signed_in in ((plain, False), (secure, True)):
        response = client.get(
            "/api/auth/session",
            base_url="https://localhost",
            headers={"Cookie": f"__Secure-authjs.session-token={token}"},
        )
        assert bool(response.get_json()) is signed_in


@pytest.mark.parametrize(("fmt", "chunk"), [("next-auth-v4", 3933), ("authjs-v5", 3936)])
def test_large_sessions_are_chunked_at_the_library_s_size(
    app_factory: AppFactory, fmt: str, chunk: int
) -> None:
    def jwt(token: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**token, "blob": "x" * 5000}

    client = app_factory(SESSION_FORMAT=fmt, callbacks={"jwt": jwt}).test_client()
    response = sign_in(client)
    name = FORMATS[fmt].cookie_name(False)
    pieces = [
        h.split(";")[0].split("=", 1)
        for h in response.headers.getlist("Set-Cookie")
        if h.startswith(name + ".")
    ]
    assert [n for n, _ in pieces] == [f"{name}.0", f"{name}.1"]
    assert len(pieces[0][1]) == chunk
    assert client.get("/api/auth/session").get_json()["user"]["id"] == "u1"


@pytest.mark.parametrize("fmt", JWE_FORMATS)
def test_an_old_session_is_renewed_in_the_same_format(
    app_factory: AppFactory, clock: FakeClock, fmt: str
) -> None:
    app = use_clock(app_factory(SESSION_FORMAT=fmt), clock)
    client = app.test_client()
    first = session_cookie(sign_in(client), FORMATS[fmt].cookie_name(False))
    clock.advance(DAY + 1)
    response = client.get("/api/auth/session")
    renewed = session_cookie(response, FORMATS[fmt].cookie_name(False))
    assert renewed and renewed != first
    before = codec(fmt).decode(first, now=int(clock.now))
    after = codec(fmt).decode(renewed, now=int(clock.now))
    assert after["iat"] == int(clock.now) and after["auth_time"] == before["auth_time"]


@pytest.mark.parametrize("fmt", JWE_FORMATS)
def test_sign_out_everywhere_ends_a_token_without_auth_time_by_its_iat(
    app_factory: AppFactory, clock: FakeClock, fmt: str
) -> None:
    """A Next.js token whose jwt callback does not copy ``auth_time``: ``iat`` stands in."""
    app = use_clock(app_factory(SESSION_FORMAT=fmt), clock)
    name = FORMATS[fmt].cookie_name(False)
    token = codec(fmt).encode(CLAIMS, now=int(clock.now), max_age=30 * DAY)
    client = app.test_client(use_cookies=False)
    headers = {"Cookie": f"{name}={token}"}
    assert client.get("/api/auth/session", headers=headers).get_json()["user"]["id"] == "u1"
    clock.advance(60)
    with app.app_context():
        app.extensions["authjs"].sign_out_everywhere("u1")
    clock.advance(DAY)
    assert client.get("/api/auth/session", headers=headers).get_json() == {}


def test_the_database_strategy_uses_the_format_s_cookie_name(app_factory: AppFactory) -> None:
    client = app_factory(SESSION_STRATEGY="database", SESSION_FORMAT="next-auth-v4").test_client()
    token = session_cookie(sign_in(client), "next-auth.session-token")
    assert token and token.count(".") == 0  # the opaque database token, not a JWE
    assert client.get("/api/auth/session").get_json()["user"]["id"] == "u1"


def test_an_unknown_format_is_a_configuration_error(app_factory: AppFactory) -> None:
    with pytest.raises(ConfigurationError, match="AUTHJS_SESSION_FORMAT"):
        app_factory(SESSION_FORMAT="authjs-v6")


def test_a_jwe_format_without_joserfc_says_which_extra_to_install(
    app_factory: AppFactory, monkeypatch: Any
) -> None:
    monkeypatch.setitem(sys.modules, "flask_authjs.jwe", None)
    with pytest.raises(ConfigurationError, match=r"flask-authjs\[nextjs\]"):
        app_factory(SESSION_FORMAT="authjs-v5")


def test_joserfc_is_used_only_for_jwe_formats(app_factory: AppFactory) -> None:
    assert not isinstance(app_factory().extensions["authjs"].session_codec, JWECodec)
    assert isinstance(
        app_factory(SESSION_FORMAT="authjs-v5").extensions["authjs"].session_codec, JWECodec
    )


@pytest.fixture
def api(app_factory: AppFactory) -> Flask:
    """A Flask API behind a Next.js site: no routes, the site's v5 sessions."""
    app = app_factory(SESSION_FORMAT="authjs-v5", ROUTES=False, URL="http://localhost")

    @app.get("/api/me")
    @login_required
    def me() -> Any:
        return jsonify(g.session)

    return app


def test_without_routes_no_auth_route_is_served(api: Flask) -> None:
    client = api.test_client()
    for path in ("/api/auth/session", "/api/auth/csrf", "/api/auth/signin", "/api/auth/providers"):
        assert client.get(path).status_code == 404
    assert client.post("/api/auth/callback/credentials", data={"csrfToken": "x"}).status_code in (
        404,
        405,
    )


def test_without_routes_sessions_are_read_and_login_required_works(api: Flask) -> None:
    client = api.test_client(use_cookies=False)
    token = codec("authjs-v5").encode({**CLAIMS, "role": "admin"}, now=now(), max_age=600)
    response = client.get("/api/me", headers={"Cookie": f"authjs.session-token={token}"})
    assert response.status_code == 200
    assert response.get_json()["user"] == {
        "id": "u1",
        "name": "Ada",
        "email": "ada@example.com",
        "image": None,
    }
    assert not response.headers.getlist("Set-Cookie")
    anonymous = client.get("/api/me")
    assert anonymous.status_code == 302
    # The sign-in page is the site's: same origin, Auth.js's path.
    assert anonymous.headers["Location"].startswith("http://localhost/api/auth/signin?")
    scripted = client.get("/api/me", headers={"Accept": "application/json"})
    assert scripted.status_code == 401


def test_without_routes_the_cookie_is_never_written(api: Flask, clock: FakeClock) -> None:
    """Neither cleared when bad nor renewed when old: the Next.js site owns it."""
    use_clock(api, clock)
    client = api.test_client(use_cookies=False)
    old = codec("authjs-v5").encode(CLAIMS, now=int(clock.now) - 2 * DAY, max_age=30 * DAY)
    for token in ("garbage", old):
        response = client.get("/api/me", headers={"Cookie": f"authjs.session-token={token}"})
        assert not response.headers.getlist("Set-Cookie")
    ok = client.get("/api/me", headers={"Cookie": f"authjs.session-token={old}"})
    assert ok.status_code == 200
