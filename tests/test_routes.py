"""Every route of the blueprint: status, JSON shape and cookies, as Auth.js specifies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import g, request

from flask_authjs import signed_in, signed_out

from .conftest import USER, csrf_token, session_cookie, sign_in


def test_csrf_returns_a_token_that_is_not_cached(client: Any) -> None:
    response = client.get("/api/auth/csrf")
    assert response.status_code == 200
    assert set(response.get_json()) == {"csrfToken"}
    assert "no-store" in response.headers["Cache-Control"]


def test_providers_lists_each_provider_with_absolute_urls(client: Any) -> None:
    providers = client.get("/api/auth/providers").get_json()
    assert providers == {
        "credentials": {
            "id": "credentials",
            "name": "Credentials",
            "type": "credentials",
            "signinUrl": "http://localhost/api/auth/signin/credentials",
            "callbackUrl": "http://localhost/api/auth/callback/credentials",
        }
    }


def test_session_is_an_empty_object_when_signed_out(client: Any) -> None:
    response = client.get("/api/auth/session")
    assert response.status_code == 200
    assert response.get_json() == {}


def test_sign_in_returns_url_ok_status_and_session(client: Any) -> None:
    response = sign_in(client, callbackUrl="/dashboard")
    body = response.get_json()
    assert response.status_code == 200
    assert body["url"] == "http://localhost/dashboard"
    assert body["ok"] is True and body["status"] == 200 and body["error"] is None
    assert body["session"]["user"] == {
        "id": "u1",
        "name": "Ada",
        "email": "ada@example.com",
        "image": None,
    }
    cookie = response.headers.getlist("Set-Cookie")
    session_header = next(h for h in cookie if h.startswith("authjs.session-token="))
    assert "HttpOnly" in session_header and "SameSite=Lax" in session_header
    assert "Path=/" in session_header and "Secure" not in session_header


def test_session_after_sign_in_has_the_user_and_an_iso_expiry(client: Any) -> None:
    sign_in(client)
    session = client.get("/api/auth/session").get_json()
    assert session["user"]["email"] == USER["email"]
    assert session["expires"].endswith("Z") and "T" in session["expires"]


def test_wrong_password_answers_401_credentials_signin(client: Any) -> None:
    response = sign_in(client, password="wrong")
    body = response.get_json()
    assert response.status_code == 401
    assert body["error"] == "CredentialsSignin" and body["ok"] is False
    assert "error=CredentialsSignin" in body["url"]
    assert session_cookie(response) is None


def test_browser_sign_in_redirects_to_the_callback_url(client: Any) -> None:
    data = {
        "email": USER["email"],
        "password": "correct horse",
        "csrfToken": csrf_token(client),
        "callbackUrl": "/dashboard?tab=1",
    }
    response = client.post("/api/auth/callback/credentials", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "http://localhost/dashboard?tab=1"


def test_browser_wrong_password_goes_back_to_the_sign_in_page_with_the_error(client: Any) -> None:
    data = {"email": USER["email"], "password": "nope", "csrfToken": csrf_token(client)}
    response = client.post("/api/auth/callback/credentials", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://localhost/api/auth/signin?")
    page = client.get(response.headers["Location"])
    assert b"Sign in failed. Check the details you provided are correct." in page.data


def test_return_redirect_header_is_the_v5_way_to_ask_for_json(client: Any) -> None:
    data = {"email": USER["email"], "password": "nope", "csrfToken": csrf_token(client)}
    response = client.post(
        "/api/auth/callback/credentials", data=data, headers={"X-Auth-Return-Redirect": "1"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "CredentialsSignin"


def test_json_bodies_work_like_forms(client: Any) -> None:
    body = {"email": USER["email"], "password": "correct horse", "csrfToken": csrf_token(client)}
    response = client.post("/api/auth/callback/credentials", json={**body, "json": True})
    assert response.status_code == 200
    assert response.get_json()["session"]["user"]["id"] == "u1"


def test_sign_in_page_lists_the_credentials_form_with_a_csrf_token(client: Any) -> None:
    response = client.get("/api/auth/signin?callbackUrl=/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="http://localhost/api/auth/callback/credentials"' in html
    assert 'name="csrfToken"' in html and 'name="password"' in html
    assert 'value="http://localhost/dashboard"' in html


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("CredentialsSignin", "Sign in failed. Check the details you provided are correct."),
        ("SessionRequired", "Please sign in to access this page."),
        ("OAuthAccountNotLinked", "Sign in the way you did before"),
        ("SomethingElse", "Unable to sign in."),
    ],
)
def test_sign_in_page_explains_each_error(client: Any, error: str, message: str) -> None:
    page = client.get(f"/api/auth/signin?error={error}").get_data(as_text=True)
    assert message in page


def test_sign_in_page_redirects_to_a_custom_page_with_callback_and_error(app_factory: Any) -> None:
    client = app_factory(pages={"sign_in": "/sign-in"}).test_client()
    response = client.get("/api/auth/signin?callbackUrl=/dashboard&error=CredentialsSignin")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "http://localhost/sign-in?callbackUrl=http%3A%2F%2Flocalhost%2Fdashboard"
        "&error=CredentialsSignin"
    )


def test_sign_in_with_credentials_provider_sends_the_browser_to_the_form(client: Any) -> None:
    response = client.post("/api/auth/signin/credentials", data={"csrfToken": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://localhost/api/auth/signin")


def test_unknown_provider_is_a_clear_400_in_json_mode(client: Any) -> None:
    response = client.post(
        "/api/auth/signin/nope", data={"csrfToken": csrf_token(client), "json": "true"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "Signin"
    assert client.post("/api/auth/callback/nope").status_code == 400


def test_sign_out_page_has_a_csrf_protected_form_and_a_way_back(client: Any) -> None:
    sign_in(client)
    html = client.get("/api/auth/signout").get_data(as_text=True)
    assert 'action="http://localhost/api/auth/signout"' in html and 'name="csrfToken"' in html
    assert f"signed in as <strong>{USER['email']}</strong>" in html
    assert 'id="stay" href="http://localhost/"' in html


def test_sign_out_page_signed_out_offers_sign_in_and_no_sign_out_button(client: Any) -> None:
    html = client.get("/api/auth/signout").get_data(as_text=True)
    assert "You are not signed in." in html and 'href="http://localhost/api/auth/signin"' in html
    assert "<form" not in html and "Sign out</button>" not in html


def test_sign_in_page_signed_in_says_as_whom_with_the_ways_on(client: Any) -> None:
    sign_in(client)
    html = client.get("/api/auth/signin?callbackUrl=/dashboard").get_data(as_text=True)
    assert f"signed in as <strong>{USER['email']}</strong>" in html
    assert 'id="continue" href="http://localhost/dashboard"' in html
    assert 'href="http://localhost/api/auth/signout"' in html and "<form" not in html


def test_a_failed_browser_sign_in_keeps_the_email_in_the_form(client: Any) -> None:
    data = {"email": USER["email"], "password": "nope", "csrfToken": csrf_token(client)}
    response = client.post("/api/auth/callback/credentials", data=data)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{USER["email"]}"' in html and 'id="signin-error"' in html


def test_every_built_in_page_has_a_way_back_to_the_site(client: Any) -> None:
    for path in ("/api/auth/signin", "/api/auth/signout", "/api/auth/error?error=Configuration"):
        assert '<a class="back" href="http://localhost/">' in client.get(path).text


def test_sign_out_clears_the_session_and_redirects(client: Any) -> None:
    sign_in(client)
    data = {"csrfToken": csrf_token(client), "callbackUrl": "/bye"}
    response = client.post("/api/auth/signout", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "http://localhost/bye"
    cleared = [h for h in response.headers.getlist("Set-Cookie") if "session-token" in h]
    assert cleared and all("Max-Age=0" in h for h in cleared)
    assert client.get("/api/auth/session").get_json() == {}


def test_sign_out_in_json_mode_returns_the_url(client: Any) -> None:
    sign_in(client)
    response = client.post(
        "/api/auth/signout", data={"csrfToken": csrf_token(client), "json": "true"}
    )
    assert response.status_code == 200
    assert response.get_json()["url"] == "http://localhost"


def test_update_session_runs_the_jwt_callback_with_trigger_update(app_factory: Any) -> None:
    seen: list[dict[str, Any]] = []

    def jwt(token: dict[str, Any], trigger: str | None = None, **extra: Any) -> dict[str, Any]:
        seen.append({"trigger": trigger, **extra})
        if trigger == "update":
            token["name"] = extra["session"]["name"]
        return token

    client = app_factory(callbacks={"jwt": jwt}).test_client()
    sign_in(client)
    response = client.post(
        "/api/auth/session", json={"csrfToken": csrf_token(client), "data": {"name": "Bob"}}
    )
    assert response.status_code == 200
    assert response.get_json()["user"]["name"] == "Bob"
    assert client.get("/api/auth/session").get_json()["user"]["name"] == "Bob"
    assert [s["trigger"] for s in seen] == ["signIn", "update"]


def test_update_session_without_csrf_is_400_and_changes_nothing(client: Any) -> None:
    sign_in(client)
    response = client.post("/api/auth/session", json={"data": {"name": "Eve"}})
    assert response.status_code == 400
    assert response.get_json() == {}
    assert client.get("/api/auth/session").get_json()["user"]["name"] == "Ada"


@pytest.mark.parametrize(
    ("code", "status", "heading"),
    [
        ("Configuration", 500, "Server error"),
        ("AccessDenied", 403, "Access denied"),
        ("Verification", 403, "Unable to sign in"),
        ("Whatever", 200, "Something went wrong"),
        ("Default", 200, "Something went wrong"),
    ],
)
def test_error_page_status_follows_the_code(
    client: Any, code: str, status: int, heading: str
) -> None:
    response = client.get(f"/api/auth/error?error={code}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html and f"<title>{heading}</title>" in html
    assert re.search(r"</h1>\s*<div class=\"message\">\s*<p>\w", html)  # never a bare heading


def test_sign_in_errors_on_the_error_route_bounce_to_the_sign_in_page(client: Any) -> None:
    response = client.get("/api/auth/error?error=CredentialsSignin")
    assert response.status_code == 302
    assert (
        response.headers["Location"] == "http://localhost/api/auth/signin?error=CredentialsSignin"
    )


def test_custom_error_page_receives_the_code(app_factory: Any) -> None:
    client = app_factory(pages={"error": "/oops"}).test_client()
    response = client.get("/api/auth/error?error=AccessDenied")
    assert response.headers["Location"] == "http://localhost/oops?error=AccessDenied"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/auth/csrf"),
        ("POST", "/api/auth/providers"),
        ("DELETE", "/api/auth/session"),
        ("PUT", "/api/auth/signout"),
        ("POST", "/api/auth/error"),
        ("GET", "/api/auth/callback/credentials"),
        ("GET", "/api/auth/unknown"),
        ("PATCH", "/api/auth/signin"),
    ],
)
def test_unsupported_actions_are_plain_400(client: Any, method: str, path: str) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"


def test_signals_fire_on_sign_in_and_sign_out(app: Any) -> None:
    events: list[tuple[str, Any]] = []
    client = app.test_client()
    with (
        signed_in.connected_to(lambda _, **kw: events.append(("in", kw["user"]["id"])), app),
        signed_out.connected_to(lambda _, **kw: events.append(("out", kw["session"]["sub"])), app),
    ):
        sign_in(client)
        client.post("/api/auth/signout", data={"csrfToken": csrf_token(client)})
    assert events == [("in", "u1"), ("out", "u1")]


def test_sign_in_callback_can_refuse_with_access_denied(app_factory: Any) -> None:
    client = app_factory(callbacks={"sign_in": lambda **_: False}).test_client()
    response = sign_in(client)
    assert response.status_code == 403
    assert response.get_json()["error"] == "AccessDenied"
    assert session_cookie(response) is None


def test_session_callback_adds_fields_to_g_session_and_the_route(app_factory: Any) -> None:
    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        return {**session, "role": token.get("role")}

    def jwt(token: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**token, "role": "admin"}

    client = app_factory(callbacks={"session": session, "jwt": jwt}).test_client()
    assert sign_in(client).get_json()["session"]["role"] == "admin"
    assert client.get("/api/auth/session").get_json()["role"] == "admin"
    assert client.get("/dashboard").get_json()["role"] == "admin"


def test_authorize_raising_is_a_configuration_error_without_traceback(app_factory: Any) -> None:
    from flask_authjs import CredentialsProvider

    def broken(credentials: Any, request: Any) -> Any:
        raise RuntimeError("database password is hunter2")

    client = app_factory(providers=[CredentialsProvider(broken)]).test_client()
    response = sign_in(client)
    assert response.status_code == 500
    assert response.get_json()["error"] == "Configuration"
    assert b"hunter2" not in response.data and b"Traceback" not in response.data


@pytest.mark.parametrize("path", ["/api/auth/signin", "/api/auth/signout", "/api/auth/error"])
def test_auth_pages_cannot_be_framed_or_sniffed_and_run_no_inline_script(
    client: Any, path: str
) -> None:
    headers = client.get(path).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


def test_error_codes_from_the_query_are_never_reflected(client: Any) -> None:
    for path in ["/api/auth/signin?error=<script>x</script>", "/api/auth/error?error=<b>x</b>"]:
        body = client.get(path).get_data(as_text=True)
        assert "<script>x" not in body and "<b>x" not in body


@pytest.mark.parametrize("path", ["/api/auth/signin", "/api/auth/csrf", "/api/auth/session"])
def test_each_security_header_is_sent_exactly_once(client: Any, path: str) -> None:
    headers = client.get(path).headers
    for name in ["X-Content-Type-Options", "Cache-Control", "Vary"]:
        assert len(headers.getlist(name)) == 1, name


def _method_matrix() -> list[tuple[str, str]]:
    from flask_authjs.actions import ALL_METHODS, PROVIDER_ROUTES, ROUTES

    cases = []
    for table, suffix in ((ROUTES, ""), (PROVIDER_ROUTES, "/credentials")):
        for action in sorted({action for _, action in table}):
            allowed = {method for method, name in table if name == action}
            cases += [(m, f"/api/auth/{action}{suffix}") for m in ALL_METHODS if m not in allowed]
    return cases


@pytest.mark.parametrize(("method", "path"), _method_matrix())
def test_every_route_refuses_every_other_method_with_a_plain_400(
    client: Any, method: str, path: str
) -> None:
    response = client.open(path, method=method, data={"csrfToken": csrf_token(client)})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == f"This action with HTTP {method} is not supported."


def test_get_session_follows_a_session_callback_added_later_and_an_assigned_g_session(
    app_factory: Any,
) -> None:
    """The kept JSON body is only for sessions shaped by default, read from the cookie."""
    app = app_factory()

    @app.before_request
    def impersonate() -> None:
        if request.headers.get("X-Support") == "1":
            g.session = {"user": {"id": "support"}, "expires": "2030-01-01T00:00:00.000Z"}

    client = app.test_client()
    sign_in(client)
    plain = client.get("/api/auth/session").get_json()
    assert plain["user"]["email"] == "ada@example.com"
    assert client.get("/api/auth/session").get_json() == plain

    app.extensions["authjs"].callbacks.functions["session"] = lambda session, token: {
        **session,
        "role": "admin",
    }
    assert client.get("/api/auth/session").get_json() == {**plain, "role": "admin"}
    del app.extensions["authjs"].callbacks.functions["session"]
    support = client.get("/api/auth/session", headers={"X-Support": "1"}).get_json()
    assert support["user"] == {"id": "support"}
    assert client.get("/api/auth/session").get_json() == plain
