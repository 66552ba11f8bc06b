"""CSRF as Auth.js does it: a double-submit cookie ``token|sha256(token + secret)``.

One token serves every auth POST for the life of its cookie (no rotation at sign-in);
only the server can mint a cookie, and on https its ``__Host-`` name cannot be planted.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from flask_authjs import AuthJS, CredentialsProvider

from .conftest import PASSWORD, SECRET, USER, authorize, csrf_token, sign_in


def set_cookies(response: Any) -> dict[str, str]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest
    return cookies


def test_the_token_is_a_double_submit_cookie_hashed_with_the_secret(client: Any) -> None:
    response = client.get("/api/auth/csrf")
    token = response.get_json()["csrfToken"]
    cookie = set_cookies(response)["authjs.csrf-token"]
    value, attributes = cookie.split(";", 1)
    assert value == f"{token}|{hashlib.sha256((token + SECRET).encode()).hexdigest()}"
    assert len(token) == 64 and "HttpOnly" in attributes and "Path=/" in attributes
    assert "SameSite=Lax" in attributes and "Max-Age" not in attributes  # a browser session


def test_on_https_the_cookie_is_host_prefixed_and_secure(app_factory: Any) -> None:
    client = app_factory(URL="https://example.com").test_client()
    response = client.get("/api/auth/csrf", base_url="https://example.com")
    cookie = set_cookies(response)["__Host-authjs.csrf-token"]
    assert "Secure" in cookie and "Domain" not in cookie and "Path=/" in cookie


def test_the_token_is_reused_while_the_cookie_lives(client: Any) -> None:
    first = client.get("/api/auth/csrf")
    second = client.get("/api/auth/csrf")
    assert first.get_json() == second.get_json()
    assert "authjs.csrf-token" not in set_cookies(second)


def test_one_token_fetched_before_sign_in_works_for_update_sign_in_again_and_sign_out(
    client: Any,
) -> None:
    token = csrf_token(client)
    form = {"csrfToken": token, "json": "true", "email": USER["email"], "password": PASSWORD}
    assert client.post("/api/auth/callback/credentials", data=form).status_code == 200
    update = client.post("/api/auth/session", json={"csrfToken": token, "data": {}})
    assert update.status_code == 200 and update.get_json()["user"]["id"] == "u1"
    assert client.post("/api/auth/callback/credentials", data=form).status_code == 200
    out = client.post("/api/auth/signout", data={"csrfToken": token, "json": "true"})
    assert out.status_code == 200 and out.get_json()["ok"] is True


def test_a_token_without_its_cookie_is_refused(app: Any) -> None:
    token = csrf_token(app.test_client())
    other = app.test_client()
    response = other.post("/api/auth/signout", data={"csrfToken": token, "json": "true"})
    assert response.status_code == 403 and response.get_json()["error"] == "MissingCSRF"


def test_a_cookie_the_server_did_not_mint_is_replaced_and_refused(app: Any) -> None:
    client = app.test_client()
    client.set_cookie("authjs.csrf-token", "planted|" + "0" * 64)
    response = client.post("/api/auth/signout", data={"csrfToken": "planted", "json": "true"})
    assert response.status_code == 403
    fresh = client.get("/api/auth/csrf")
    assert fresh.get_json()["csrfToken"] != "planted"
    assert set_cookies(fresh)["authjs.csrf-token"].startswith(fresh.get_json()["csrfToken"])


def test_a_cookie_made_with_another_secret_is_refused(client: Any) -> None:
    token = "a" * 64
    digest = hashlib.sha256((token + "another-secret-of-enough-length-00000").encode()).hexdigest()
    client.set_cookie("authjs.csrf-token", f"{token}|{digest}")
    response = client.post("/api/auth/signout", data={"csrfToken": token, "json": "true"})
    assert response.status_code == 403


def test_a_percent_encoded_cookie_as_next_auth_writes_it_is_read(client: Any) -> None:
    token = "b" * 64
    digest = hashlib.sha256((token + SECRET).encode()).hexdigest()
    client.set_cookie("authjs.csrf-token", f"{token}%7C{digest}")
    assert client.get("/api/auth/csrf").get_json()["csrfToken"] == token


def test_the_origin_check_still_refuses_another_site(client: Any) -> None:
    token = csrf_token(client)
    response = client.post(
        "/api/auth/signout",
        data={"csrfToken": token, "json": "true"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_signing_in_and_out_never_writes_a_flask_session_cookie(client: Any) -> None:
    responses = [client.get("/api/auth/signin"), client.get("/api/auth/csrf"), sign_in(client)]
    responses.append(client.get("/dashboard"))
    responses.append(client.post("/api/auth/signout", data={"csrfToken": csrf_token(client)}))
    for response in responses:
        assert "session" not in set_cookies(response)
    assert client.get_cookie("session") is None


def test_the_sign_in_page_the_sign_up_page_and_the_route_share_one_token(
    app_factory: Any,
) -> None:
    client = app_factory(SIGNUP=True).test_client()
    token = csrf_token(client)
    for path in ("/api/auth/signin", "/api/auth/signup"):
        assert f'name="csrfToken" value="{token}"' in client.get(path).get_data(as_text=True)
    sign_in(client)
    page = client.get("/api/auth/signout").get_data(as_text=True)
    assert f'name="csrfToken" value="{token}"' in page


def make_app(tmp_path: Any, *, csrf_first: bool) -> Flask:
    app = Flask("ordered", instance_path=str(tmp_path / "instance"))
    app.config.update(
        SECRET_KEY="app-secret",
        AUTHJS_SECRET=SECRET,
        AUTHJS_URL="http://localhost",
        AUTHJS_DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}",
    )
    if csrf_first:
        CSRFProtect(app)
    AuthJS(app, providers=[CredentialsProvider(authorize)])
    if not csrf_first:
        CSRFProtect(app)

    @app.post("/app-form")
    def app_form() -> str:
        return "posted"

    return app


@pytest.mark.parametrize("csrf_first", [True, False], ids=["CSRFProtect first", "AuthJS first"])
def test_csrf_protect_works_in_either_order(tmp_path: Any, csrf_first: bool) -> None:
    client = make_app(tmp_path, csrf_first=csrf_first).test_client()
    form = {"csrfToken": csrf_token(client), "email": USER["email"], "password": PASSWORD}
    response = client.post("/api/auth/callback/credentials", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "http://localhost"
    assert client.post("/app-form").status_code == 400  # the app's own forms stay protected


def test_get_signin_with_a_provider_shows_the_sign_in_page(client: Any) -> None:
    response = client.get("/api/auth/signin/credentials?callbackUrl=/dashboard")
    assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)


def test_head_on_a_json_route_answers_as_get_without_a_body(client: Any) -> None:
    response = client.head("/api/auth/session")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data() == b""


@pytest.mark.parametrize("csrf_first", [True, False], ids=["CSRFProtect first", "AuthJS first"])
def test_after_the_first_request_no_hook_of_ours_runs_on_every_request(
    tmp_path: Any, csrf_first: bool
) -> None:
    """The CSRFProtect exemption is settled at the first request; only CSRFProtect's own
    hook stays, and a direct first POST is already exempt."""
    app = make_app(tmp_path, csrf_first=csrf_first)
    assert len(app.before_request_funcs[None]) == 2
    client = app.test_client()
    response = client.post("/api/auth/callback/credentials", data={"csrfToken": "x"})
    assert response.status_code == 302 and "csrf=true" in response.headers["Location"]
    hooks = app.before_request_funcs[None]
    assert [hook.__name__ for hook in hooks] == ["csrf_protect"]
    assert app.after_request_funcs.get(None, []) == []
    form = {"csrfToken": csrf_token(client), "email": USER["email"], "password": PASSWORD}
    assert client.post("/api/auth/callback/credentials", data=form).status_code == 302
    assert client.post("/app-form").status_code == 400
