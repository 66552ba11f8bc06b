"""Hostile and malformed input: a clear answer, no open redirect, nothing lost, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs import CredentialsProvider
from flask_authjs.redirects import same_origin_url

from .conftest import PASSWORD, USER, csrf_token, session_cookie, sign_in

ORIGIN = "http://localhost"

HOSTILE_CALLBACKS = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://localhost.evil.example/",
    "http://localhost@evil.example/",
    "http://evil.example\\@localhost/",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\r\nSet-Cookie: x=1",
    "http://localhost\r\nLocation: https://evil.example",
    "%2F%2Fevil.example",
    "http://localhost:81/",
    "ftp://localhost/",
    "http://[::1]/",
    "https://localhost/",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_CALLBACKS)
def test_hostile_callback_urls_fall_back_to_our_origin(client: Any, target: str) -> None:
    response = sign_in(client, callbackUrl=target)
    url = response.get_json()["url"]
    assert url == ORIGIN or url.startswith(ORIGIN + "/"), url


@pytest.mark.parametrize("target", HOSTILE_CALLBACKS)
def test_hostile_callback_urls_never_leave_the_site_on_sign_out(client: Any, target: str) -> None:
    response = client.post(
        "/api/auth/signout", data={"csrfToken": csrf_token(client), "callbackUrl": target}
    )
    location = response.headers["Location"]
    assert location == ORIGIN or location.startswith(ORIGIN + "/")
    assert "\r" not in location and "\n" not in location


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/dashboard", "http://localhost/dashboard"),
        ("/a?b=c#d", "http://localhost/a?b=c#d"),
        ("http://localhost/x", "http://localhost/x"),
        ("HTTP://LOCALHOST:80/x", "http://localhost/x"),
        ("http://localhost", "http://localhost/"),
        ("/%2F%2Fevil.example", "http://localhost/%2F%2Fevil.example"),
        ("/caf\u00e9", "http://localhost/caf%C3%A9"),
    ],
)
def test_same_origin_targets_are_kept(target: str, expected: str) -> None:
    assert same_origin_url(target, ORIGIN) == expected


def test_hostile_callback_in_the_sign_in_page_query_is_not_reflected(client: Any) -> None:
    page = client.get("/api/auth/signin?callbackUrl=https://evil.example").get_data(as_text=True)
    assert "evil.example" not in page


def test_hostile_callback_cookie_is_revalidated(client: Any) -> None:
    client.set_cookie("authjs.callback-url", "https://evil.example/")
    data = {"email": USER["email"], "password": PASSWORD, "csrfToken": csrf_token(client)}
    response = client.post("/api/auth/callback/credentials", data=data)
    assert response.headers["Location"] == ORIGIN


def test_the_callback_url_cookie_from_the_sign_in_page_is_used(client: Any) -> None:
    client.get("/api/auth/signin?callbackUrl=/dashboard")
    data = {"email": USER["email"], "password": PASSWORD, "csrfToken": csrf_token(client)}
    response = client.post("/api/auth/callback/credentials", data=data)
    assert response.headers["Location"] == ORIGIN + "/dashboard"


def test_the_redirect_callback_may_widen_the_rule(app_factory: Any) -> None:
    def redirect(url: str, base_url: str) -> str:
        return url if url.startswith("https://partner.example/") else base_url

    client = app_factory(callbacks={"redirect": redirect}).test_client()
    response = sign_in(client, callbackUrl="https://partner.example/welcome")
    assert response.get_json()["url"] == "https://partner.example/welcome"


def test_a_redirect_callback_returning_a_header_injection_is_ignored(app_factory: Any) -> None:
    client = app_factory(callbacks={"redirect": lambda **_: "/x\r\nSet-Cookie: a=b"}).test_client()
    assert sign_in(client, callbackUrl="/dashboard").get_json()["url"] == ORIGIN + "/dashboard"


# CSRF


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "IjAwMDAi.aaaa.bbbb", None],
    ids=["empty", "garbage", "forged", "missing"],
)
def test_wrong_csrf_is_refused_with_missing_csrf(client: Any, token: str | None) -> None:
    data = {"email": USER["email"], "password": PASSWORD, "json": "true"}
    if token is not None:
        data["csrfToken"] = token
    response = client.post("/api/auth/callback/credentials", data=data)
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "MissingCSRF"
    assert body["url"] == ORIGIN + "/api/auth/signin?csrf=true&error=MissingCSRF"
    assert session_cookie(response) is None


def test_wrong_csrf_in_a_browser_redirects_to_the_page_with_csrf_true(client: Any) -> None:
    response = client.post("/api/auth/signout", data={"csrfToken": "x"})
    assert response.status_code == 302
    assert response.headers["Location"] == ORIGIN + "/api/auth/signout?csrf=true&error=MissingCSRF"


def test_a_token_from_another_browser_session_is_refused(app: Any) -> None:
    other = app.test_client()
    token = csrf_token(other)
    response = sign_in(app.test_client(), csrfToken=token)
    assert response.status_code == 403


def test_csrf_token_in_the_query_string_does_not_count(client: Any) -> None:
    token = csrf_token(client)
    data = {"email": USER["email"], "password": PASSWORD, "json": "true"}
    response = client.post(f"/api/auth/callback/credentials?csrfToken={token}", data=data)
    assert response.status_code == 403


def test_csrf_header_is_accepted(client: Any) -> None:
    data = {"email": USER["email"], "password": PASSWORD, "json": "true"}
    response = client.post(
        "/api/auth/callback/credentials", data=data, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert response.status_code == 200


def test_a_cross_origin_post_fails_even_with_a_valid_token(client: Any) -> None:
    data = {
        "email": USER["email"],
        "password": PASSWORD,
        "json": "true",
        "csrfToken": csrf_token(client),
    }
    response = client.post(
        "/api/auth/callback/credentials", data=data, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_method_override_headers_do_not_turn_get_into_post(client: Any) -> None:
    response = client.get("/api/auth/signout", headers={"X-HTTP-Method-Override": "POST"})
    assert response.status_code == 200 and b"Are you sure" not in response.data


# Field types reach authorize as strings, or are refused.


def recording_provider(seen: list[dict[str, Any]]) -> CredentialsProvider:
    def authorize(credentials: dict[str, Any], request: Any) -> None:
        seen.append(credentials)

    return CredentialsProvider(authorize)


@pytest.mark.parametrize(
    "payload",
    [
        {"email": {"$ne": None}, "password": "x"},
        {"email": ["a@example.com"], "password": "x"},
        {"email": "a@example.com", "password": 12345},
        {"email": "a@example.com", "password": {"$gt": ""}},
        {"email": "a" * 5000, "password": "x"},
    ],
)
def test_json_values_that_are_not_strings_are_refused_before_authorize(
    app_factory: Any, payload: dict[str, Any]
) -> None:
    seen: list[dict[str, Any]] = []
    client = app_factory(providers=[recording_provider(seen)]).test_client()
    response = client.post(
        "/api/auth/callback/credentials",
        json={**payload, "csrfToken": csrf_token(client), "json": "true"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "InvalidInput"
    assert seen == []


def test_repeated_form_keys_are_refused(app_factory: Any) -> None:
    seen: list[dict[str, Any]] = []
    client = app_factory(providers=[recording_provider(seen)]).test_client()
    body = f"email=a%40example.com&email=b%40example.com&password=x&csrfToken={csrf_token(client)}"
    response = client.post(
        "/api/auth/callback/credentials",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and seen == []


def test_bracket_keys_stay_literal_strings(app_factory: Any) -> None:
    seen: list[dict[str, Any]] = []
    client = app_factory(providers=[recording_provider(seen)]).test_client()
    client.post(
        "/api/auth/callback/credentials",
        data={"email[$ne]": "1", "password": "x", "csrfToken": csrf_token(client)},
    )
    assert seen == [{"email[$ne]": "1", "password": "x"}]


def test_bodies_over_the_limit_get_413(app_factory: Any) -> None:
    client = app_factory(MAX_BODY_SIZE=1024).test_client()
    token = csrf_token(client)
    response = client.post(
        "/api/auth/callback/credentials",
        data={"email": "a@example.com", "password": "x" * 2000, "csrfToken": token},
    )
    assert response.status_code == 413
    assert b"larger than 1024 bytes" in response.data


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b"[" * 5000 + b"]" * 5000, b'"just a string"', b"\xff\xfe"],
    ids=["malformed", "list", "deep", "string", "binary"],
)
def test_malformed_json_bodies_are_400(client: Any, body: bytes) -> None:
    response = client.post(
        "/api/auth/callback/credentials", data=body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "cookie",
    [
        "authjs.session-token=",
        "authjs.session-token",
        "authjs.session-token===; a=b",
        "authjs.session-token.x=1",
        "authjs.session-token.00=1",
        "authjs.session-token=\x00",
    ],
)
def test_malformed_cookie_headers_are_no_session(raw_client: Any, cookie: str) -> None:
    response = raw_client.get("/api/auth/session", headers={"Cookie": cookie})
    assert response.status_code == 200 and response.get_json() == {}


def test_duplicate_session_cookies_are_no_session(app: Any) -> None:
    token = session_cookie(sign_in(app.test_client()))
    response = app.test_client(use_cookies=False).get(
        "/api/auth/session",
        headers={"Cookie": f"authjs.session-token={token}; authjs.session-token={token}"},
    )
    assert response.get_json() == {}


def test_untrusted_host_header_does_not_change_urls(client: Any) -> None:
    response = client.get(
        "/api/auth/providers", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    )
    assert "evil.example" not in response.get_data(as_text=True)
