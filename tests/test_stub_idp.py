"""The stub identity provider: only when enabled, and a strict OAuth 2 server when it is."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import ConfigurationError, StubOAuthProvider
from flask_authjs.providers.checks import CHECK_MAX_AGE, PURPOSE

from .oauth_flow import authorize, query, start


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory(providers=[StubOAuthProvider()], STUB_OAUTH=True)


def test_the_stub_is_refused_outside_debug_and_testing(
    app_factory: Callable[..., Flask],
) -> None:
    with pytest.raises(ConfigurationError, match="AUTHJS_STUB_OAUTH"):
        app_factory(testing=False, STUB_OAUTH=True)


def test_a_stub_provider_without_the_stub_is_a_configuration_error(
    app_factory: Callable[..., Flask],
) -> None:
    with pytest.raises(ConfigurationError, match="AUTHJS_STUB_OAUTH = True"):
        app_factory(providers=[StubOAuthProvider()])


def test_the_stub_is_not_served_unless_enabled(app_factory: Callable[..., Flask]) -> None:
    client = app_factory().test_client()

    response = client.get("/api/auth/stub/authorize?client_id=stub-client")

    assert response.status_code == 400
    assert b"Stub identity provider" not in response.data


def authorize_url(client: FlaskClient) -> str:
    location: str = start(client).headers["Location"]
    return location


def code_and_verifier(client: FlaskClient) -> tuple[str, str]:
    """A fresh code from the authorize page, and the verifier the PKCE cookie holds."""
    back = authorize(client, authorize_url(client), email="ada@example.com")
    oauth_check = client.application.extensions["authjs"].codec(PURPOSE, max_lifetime=CHECK_MAX_AGE)
    pkce = client.get_cookie("authjs.pkce.code_verifier")
    assert pkce is not None
    verifier: str = oauth_check.decode(pkce.value, now=0)["value"]
    return query(back)["code"], verifier


def redeem(client: FlaskClient, the_code: str, verifier: str, **changes: str) -> Any:
    fields = {
        "grant_type": "authorization_code",
        "code": the_code,
        "code_verifier": verifier,
        "redirect_uri": "http://localhost/api/auth/callback/stub",
        "client_id": "stub-client",
        "client_secret": "stub-secret",
        **changes,
    }
    return client.post("/api/auth/stub/token", data=fields)


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("client_id", "someone-else"),
        ("redirect_uri", "https://evil.example/callback"),
        ("response_type", "token"),
        ("code_challenge_method", "plain"),
    ],
)
def test_the_authorize_page_refuses_a_foreign_request(
    client: FlaskClient, change: str, value: str
) -> None:
    url = authorize_url(client).replace(f"{change}=", f"{change}={value}&ignored=")

    response = client.get(url)

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_the_authorize_form_needs_the_csrf_token(client: FlaskClient) -> None:
    params = query(authorize_url(client))

    response = client.post("/api/auth/stub/authorize", data={**params, "email": "a@example.com"})

    assert response.status_code == 403
    assert "Location" not in response.headers


def test_a_code_is_redeemed_once_for_a_token_and_userinfo(client: FlaskClient) -> None:
    code, verifier = code_and_verifier(client)

    first = redeem(client, code, verifier)
    second = redeem(client, code, verifier)

    assert first.status_code == 200 and first.get_json()["token_type"] == "Bearer"
    assert second.get_json() == {"error": "invalid_grant"}
    token = first.get_json()["access_token"]
    me = client.get("/api/auth/stub/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == "ada@example.com"


def test_a_code_redeemed_by_one_app_server_is_spent_for_all(
    app: Flask, app_factory: Callable[..., Flask]
) -> None:
    """Two app instances on one store, as behind a load balancer: one use in all."""
    other = app_factory(providers=[StubOAuthProvider()], STUB_OAUTH=True)
    code, verifier = code_and_verifier(app.test_client())

    first = redeem(other.test_client(), code, verifier)
    again = redeem(app.test_client(), code, verifier)

    assert first.status_code == 200
    assert again.get_json() == {"error": "invalid_grant"}


def test_client_secret_basic_is_accepted(client: FlaskClient) -> None:
    code, verifier = code_and_verifier(client)
    basic = base64.b64encode(b"stub-client:stub-secret").decode()

    response = client.post(
        "/api/auth/stub/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": "http://localhost/api/auth/callback/stub",
        },
        headers={"Authorization": f"Basic {basic}"},
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"code_verifier": "x" * 43}, "invalid_grant"),
        ({"code_verifier": ""}, "invalid_grant"),
        ({"redirect_uri": "http://localhost/api/auth/callback/other"}, "invalid_grant"),
        ({"code": "not-a-code"}, "invalid_grant"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
def test_the_token_endpoint_refuses_bad_requests(
    client: FlaskClient, changes: dict[str, str], error: str
) -> None:
    code, verifier = code_and_verifier(client)

    response = redeem(client, code, verifier, **changes)

    assert response.status_code in (400, 401)
    assert response.get_json() == {"error": error}


@pytest.mark.parametrize("authorization", ["", "Bearer nope", "Basic abc"])
def test_userinfo_needs_a_valid_access_token(client: FlaskClient, authorization: str) -> None:
    response = client.get("/api/auth/stub/userinfo", headers={"Authorization": authorization})

    assert response.status_code == 401


def code_without_challenge(client: FlaskClient) -> str:
    """A code from an authorization request stripped of its PKCE challenge."""
    url = authorize_url(client)
    stripped = url.replace(f"code_challenge={query(url)['code_challenge']}", "code_challenge=")
    stripped = stripped.replace("code_challenge_method=S256", "code_challenge_method=")
    code: str = query(authorize(client, stripped, email="ada@example.com"))["code"]
    return code


def test_a_verifier_for_a_code_issued_without_a_challenge_is_refused(
    client: FlaskClient,
) -> None:
    """The PKCE downgrade of RFC 9700 section 4.8.2: no challenge, so no verifier either."""
    code = code_without_challenge(client)

    downgraded = redeem(client, code, "x" * 43)

    assert downgraded.get_json() == {"error": "invalid_grant"}


def test_a_code_issued_without_a_challenge_is_redeemed_without_a_verifier(
    client: FlaskClient,
) -> None:
    code = code_without_challenge(client)
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost/api/auth/callback/stub",
        "client_id": "stub-client",
        "client_secret": "stub-secret",
    }

    assert client.post("/api/auth/stub/token", data=fields).status_code == 200
