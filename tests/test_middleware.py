"""SessionMiddleware: which cookies make a session, which are cleared, when it is re-issued."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from flask import Flask

from flask_authjs.cookies import CHUNK_SIZE
from flask_authjs.middleware import SESSION_KEY, SessionMiddleware
from flask_authjs.sessions import JWTSessionStrategy
from flask_authjs.tokens import TokenCodec, derive_key, key_id

from .conftest import SECRET, session_cookie, sign_in

NAME = "authjs.session-token"


def codec(secrets: tuple[str, ...] = (SECRET,)) -> TokenCodec:
    return TokenCodec(secrets, "session", max_lifetime=30 * 86400)


def mint(claims: dict[str, Any] | None = None, secrets: tuple[str, ...] = (SECRET,)) -> str:
    import time

    base = {"sub": "u1", "name": "Ada", "email": "ada@example.com", "picture": None}
    return codec(secrets).encode({**base, **(claims or {})}, now=int(time.time()), max_age=3600)


def who(client: Any, cookie: str | None = None) -> Any:
    if cookie is not None:
        client.set_cookie(NAME, cookie)
    return client.get("/api/auth/session")


def test_a_valid_token_is_a_session(client: Any) -> None:
    assert who(client, mint()).get_json()["user"]["id"] == "u1"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forge_alg_none() -> str:
    header = _b64({"alg": "none", "typ": "JWT", "kid": key_id(derive_key(SECRET, "session"))})
    payload = _b64({"sub": "u1", "iat": 1, "exp": 4102444800, "jti": "x"})
    return f"{header}.{payload}."


def _swap_payload(token: str) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{_b64({'sub': 'admin', 'iat': 1, 'exp': 4102444800, 'jti': 'x'})}.{signature}"


BAD_TOKENS = {
    "garbage": lambda: "not-a-token",
    "empty chunks": lambda: "..",
    "truncated": lambda: mint()[:-10],
    "payload swapped": lambda: _swap_payload(mint()),
    "alg none": _forge_alg_none,
    "other secret": lambda: mint(secrets=("another-secret-that-is-long-enough-0123",)),
    "expired": lambda: codec().encode({"sub": "u1"}, now=1_000_000, max_age=60),
    "not json": lambda: "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
    "huge": lambda: "a" * 20_000,
    "other purpose": lambda: TokenCodec((SECRET,), "oauth-check", max_lifetime=900).encode(
        {"sub": "u1"}, now=2_000_000_000, max_age=600
    ),
    "hs256 with raw secret": lambda: jwt.encode(
        {"sub": "u1", "iat": 1, "exp": 4102444800, "jti": "x"}, SECRET, algorithm="HS256"
    ),
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_no_session_and_is_cleared(client: Any, make: Any) -> None:
    response = who(client, make())
    assert response.status_code == 200
    assert response.get_json() == {}
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(NAME)]
    assert cleared and "Max-Age=0" in cleared[0]


def test_a_bad_token_does_not_stop_a_public_page(client: Any) -> None:
    client.set_cookie(NAME, "garbage")
    assert client.get("/").data == b"home"


def test_rotation_old_secret_verifies_while_listed_then_stops(app_factory: Any) -> None:
    old_token = mint(secrets=("old-secret-that-is-long-enough-0123456789",))
    rotated = app_factory(SECRET=[SECRET, "old-secret-that-is-long-enough-0123456789"])
    assert who(rotated.test_client(), old_token).get_json()["user"]["id"] == "u1"
    removed = app_factory(SECRET=[SECRET])
    assert who(removed.test_client(), old_token).get_json() == {}


def test_the_first_secret_signs(app_factory: Any) -> None:
    app = app_factory(SECRET=["new-secret-that-is-long-enough-0123456789", SECRET])
    token = session_cookie(sign_in(app.test_client()))
    assert token is not None
    assert (
        who(
            app_factory(SECRET="new-secret-that-is-long-enough-0123456789").test_client(), token
        ).get_json()
        != {}
    )


def test_a_token_older_than_the_update_age_is_reissued(app_factory: Any) -> None:
    client = app_factory(SESSION_UPDATE_AGE=60).test_client()
    import time

    old = codec().encode({"sub": "u1", "name": "Ada"}, now=int(time.time()) - 120, max_age=3600)
    response = who(client, old)
    assert response.get_json()["user"]["id"] == "u1"
    fresh = session_cookie(response)
    assert fresh and fresh != old
    # Renewed, but not past the absolute lifetime: max age from the sign-in, 120 s ago.
    assert "Max-Age=2591880" in next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(NAME)
    )


def test_a_young_token_is_not_reissued(client: Any) -> None:
    response = who(client, mint())
    assert session_cookie(response) is None


def test_large_sessions_are_chunked_and_read_back(app_factory: Any) -> None:
    def jwt_callback(token: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**token, "blob": "x" * 5000}

    client = app_factory(callbacks={"jwt": jwt_callback}).test_client()
    response = sign_in(client)
    names = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert f"{NAME}.0" in names and f"{NAME}.1" in names
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(NAME + "."):
            assert len(header.split(";")[0].split("=", 1)[1]) <= CHUNK_SIZE
    assert client.get("/api/auth/session").get_json()["user"]["id"] == "u1"


def test_chunk_mixups_are_no_session(client: Any) -> None:
    token = mint()
    client.set_cookie(f"{NAME}.0", token[:20])
    client.set_cookie(f"{NAME}.2", token[20:])
    response = client.get("/api/auth/session")
    assert response.get_json() == {}
    cleared = {h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")}
    assert {f"{NAME}.0", f"{NAME}.2"} <= cleared


def test_https_uses_the_host_prefix_and_ignores_other_names(app_factory: Any) -> None:
    client = app_factory(URL="https://localhost").test_client()
    response = sign_in(client)
    header = next(h for h in response.headers.getlist("Set-Cookie") if "session-token" in h)
    assert header.startswith("__Host-authjs.session-token=") and "Secure" in header
    assert "Path=/" in header and "Domain" not in header  # what the browser requires of __Host-
    token = session_cookie(response, "__Host-authjs.session-token")
    for other in (NAME, "__Secure-authjs.session-token"):  # what a subdomain could plant
        planted = app_factory(URL="https://localhost").test_client()
        planted.set_cookie(other, token or "")
        assert planted.get("/api/auth/session", base_url="https://localhost").get_json() == {}


def test_middleware_wraps_any_wsgi_app() -> None:
    seen: list[Any] = []

    def bare_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ[SESSION_KEY])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    strategy = JWTSessionStrategy(codec(), max_age=3600, update_age=600)
    wrapped = Flask("outer")
    wrapped.wsgi_app = SessionMiddleware(bare_app, strategy)  # type: ignore[method-assign]
    client = wrapped.test_client()
    client.set_cookie(NAME, mint())
    client.get("/")
    client.delete_cookie(NAME)
    client.get("/")
    assert seen[0]["sub"] == "u1" and seen[1] is None


def test_the_header_cache_answers_what_the_parser_answers_and_stays_bounded() -> None:
    from flask_authjs.cookies import read_chunked
    from flask_authjs.middleware import HeaderCache

    cache = HeaderCache(NAME, size=2, max_length=100)
    headers = [f"{NAME}=a", f"x=1; {NAME}=b", f"{NAME}.0=c; {NAME}.1=d", f"{NAME}=a"]
    for header in headers:
        assert cache.read(header)[:2] == tuple(read_chunked(header, NAME))
        assert len(cache) <= 2
    fresh = HeaderCache(NAME, size=2, max_length=100)
    long_header = f"{NAME}=" + "t" * 200
    assert fresh.read(long_header)[0] == "t" * 200
    assert len(fresh) == 0  # too long to keep


def test_a_kept_young_session_is_still_renewed_when_due_and_refused_when_expired(
    app_factory: Any,
) -> None:
    """The middleware keeps a young JWT's answer per header only until the token is due
    for renewal or expires: the same cookie, sent again at those moments, is renewed,
    then refused."""
    from .conftest import FakeClock, use_clock

    clock = FakeClock(float(int(__import__("time").time()) - 10 * 86400))
    app = use_clock(app_factory(SESSION_MAX_AGE=3 * 86400, SESSION_UPDATE_AGE=86400), clock)
    client = app.test_client()
    sign_in(client)
    token = client.get_cookie(NAME).value
    raw = app.test_client(use_cookies=False)
    headers = {"Cookie": f"{NAME}={token}"}
    for _ in range(2):  # the second answer comes from the kept one
        young = raw.get("/api/auth/session", headers=headers)
        assert young.get_json()["user"]["id"] == "u1" and session_cookie(young) is None
    clock.advance(86400)
    due = raw.get("/api/auth/session", headers=headers)
    assert due.get_json()["user"]["id"] == "u1" and session_cookie(due)  # renewed
    clock.advance(2 * 86400)
    expired = raw.get("/api/auth/session", headers=headers)
    assert expired.get_json() == {} and session_cookie(expired) == ""


def cacheable_app(app_factory: Any, **settings: Any) -> Any:
    app = app_factory(SESSION_UPDATE_AGE=60, **settings)

    @app.get("/public")
    def public() -> Any:
        return "same for everyone", 200, {"Cache-Control": "public, max-age=600, s-maxage=600"}

    return app


def assert_not_for_shared_caches(response: Any) -> None:
    assert response.headers.getlist("Set-Cookie")
    directives = [d.strip() for d in response.headers["Cache-Control"].split(",")]
    assert "private" in directives or "no-store" in directives
    assert "public" not in directives and not any(d.startswith("s-maxage") for d in directives)
    assert "cookie" in response.headers["Vary"].lower()
    assert len(response.headers.getlist("Cache-Control")) == 1


def test_a_renewed_cookie_is_never_cached_by_shared_caches(app_factory: Any) -> None:
    import time

    client = cacheable_app(app_factory).test_client()
    client.set_cookie(NAME, codec().encode({"sub": "u1"}, now=int(time.time()) - 120, max_age=3600))
    response = client.get("/public")
    assert session_cookie(response)  # renewed
    assert_not_for_shared_caches(response)
    assert "max-age=600" in response.headers["Cache-Control"]  # the browser may still cache


def test_a_cleared_cookie_is_never_cached_by_shared_caches(app_factory: Any) -> None:
    client = cacheable_app(app_factory).test_client()
    client.set_cookie(NAME, "garbage")
    response = client.get("/public")
    assert session_cookie(response) == ""
    assert_not_for_shared_caches(response)


def test_a_cookie_the_app_writes_is_never_cached_by_shared_caches(app_factory: Any) -> None:
    from flask_authjs.context import current_auth

    app = cacheable_app(app_factory)

    @app.get("/welcome")
    def welcome() -> Any:
        context = current_auth()
        response = app.make_response(("hi", 200, {"Cache-Control": "public, max-age=60"}))
        for header in context.session_cookies(context.issue_session({"sub": "u1"})):
            response.headers.add("Set-Cookie", header)
        return response

    response = app.test_client().get("/welcome")
    assert session_cookie(response)
    assert_not_for_shared_caches(response)


def test_responses_without_our_cookies_keep_their_cache_headers(app_factory: Any) -> None:
    client = cacheable_app(app_factory).test_client()
    client.set_cookie(NAME, mint())  # young: not renewed
    response = client.get("/public")
    assert response.headers["Cache-Control"] == "public, max-age=600, s-maxage=600"
    assert "Vary" not in response.headers
