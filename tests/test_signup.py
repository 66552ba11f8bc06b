"""``{base}/signup``: accounts created with a normalised email, signed in at once."""

from __future__ import annotations

import re
import threading
from typing import Any

import bcrypt
import pytest
from flask import Flask

from flask_authjs import CredentialsProvider, user_created
from flask_authjs.adapters import Adapter

from .conftest import AppFactory, csrf_token, session_cookie, sign_in, sign_up


@pytest.fixture
def signup_app(app_factory: AppFactory, adapter: Adapter) -> Flask:
    return app_factory(providers=[CredentialsProvider()], adapter=adapter, SIGNUP=True)


def store_of(app: Flask) -> Adapter:
    store: Adapter = app.extensions["authjs"].adapter
    return store


def test_signup_is_off_unless_turned_on(app_factory: AppFactory) -> None:
    client = app_factory(providers=[CredentialsProvider()]).test_client()
    assert client.get("/api/auth/signup").status_code == 404
    response = sign_up(client, "new@example.com")
    assert response.status_code == 404
    assert "Sign up" not in client.get("/api/auth/signin").get_data(as_text=True)


def test_the_signup_page_has_a_form_and_the_signin_page_links_to_it(signup_app: Flask) -> None:
    client = signup_app.test_client()
    page = client.get("/api/auth/signup?callbackUrl=/dashboard").get_data(as_text=True)
    assert 'action="http://localhost/api/auth/signup"' in page
    assert 'name="csrfToken"' in page
    assert 'value="http://localhost/dashboard"' in page
    signin = client.get("/api/auth/signin").get_data(as_text=True)
    assert 'href="http://localhost/api/auth/signup' in signin


def test_signup_creates_the_user_and_signs_in_at_once(signup_app: Flask) -> None:
    client = signup_app.test_client()
    response = sign_up(client, "  New@Example.com ", name="Newt", callbackUrl="/dashboard")
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True
    assert data["url"] == "http://localhost/dashboard"
    assert data["session"]["user"]["email"] == "new@example.com"
    assert data["session"]["user"]["name"] == "Newt"
    user = store_of(signup_app).get_user_by_email("new@example.com")
    assert user is not None and data["session"]["user"]["id"] == user["id"]
    assert user["password_hash"] is not None
    assert bcrypt.checkpw(b"new password 1", user["password_hash"].encode())
    assert "new password 1" not in response.get_data(as_text=True)
    assert session_cookie(response)
    assert client.get("/dashboard").status_code == 200
    # ...and the password works for a later sign-in.
    other = signup_app.test_client()
    assert sign_in(other, "new@example.com", "new password 1").status_code == 200


def test_a_browser_signup_redirects_to_the_callback_url(signup_app: Flask) -> None:
    client = signup_app.test_client()
    response = client.post(
        "/api/auth/signup",
        data={
            "email": "new@example.com",
            "password": "new password 1",
            "csrfToken": csrf_token(client),
            "callbackUrl": "/dashboard",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "http://localhost/api/auth/signin?welcome=1&callbackUrl=http%3A%2F%2Flocalhost%2Fdashboard"
    )
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your account is ready." in confirmation and "new@example.com" in confirmation
    assert 'id="continue" href="http://localhost/dashboard"' in confirmation


def test_signup_goes_to_the_new_user_page_when_there_is_one(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    app = app_factory(
        providers=[CredentialsProvider()],
        adapter=adapter,
        pages={"new_user": "/welcome"},
        SIGNUP=True,
    )
    response = sign_up(app.test_client(), "new@example.com", callbackUrl="/dashboard")
    assert response.get_json()["url"].startswith("http://localhost/welcome?callbackUrl=")


def test_signup_sends_user_created_and_the_jwt_callback_sees_a_new_user(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    seen: list[Any] = []

    def jwt(token: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        seen.append((kwargs["trigger"], kwargs["is_new_user"]))
        return token

    app = app_factory(
        providers=[CredentialsProvider()], adapter=adapter, callbacks={"jwt": jwt}, SIGNUP=True
    )
    created: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        created.append(kwargs["user"])

    with user_created.connected_to(receiver, app):
        sign_up(app.test_client(), "new@example.com")
    assert [user["email"] for user in created] == ["new@example.com"]
    assert "password_hash" not in created[0]
    assert seen == [("signUp", True)]


@pytest.mark.parametrize(
    "spelling", ["taken@example.com", "TAKEN@example.com", " Taken@Example.Com"]
)
def test_a_taken_email_is_a_clear_form_error(signup_app: Flask, spelling: str) -> None:
    assert sign_up(signup_app.test_client(), "taken@example.com").status_code == 200
    client = signup_app.test_client()
    response = sign_up(client, spelling)
    assert response.status_code == 409
    data = response.get_json()
    assert data["ok"] is False and data["error"] == "EmailTaken"
    assert "exists already" in data["errors"]["email"][0]
    assert session_cookie(response) is None
    page = client.post(
        "/api/auth/signup",
        data={"email": spelling, "password": "new password 1", "csrfToken": csrf_token(client)},
    )
    assert page.status_code == 409
    assert "exists already" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "single valid email"),
        ({"email": '"a@evil.com"@example.com'}, "email", "single valid email"),
        ({"email": "a@example.com,b@example.com"}, "email", "single valid email"),
        ({"email": ""}, "email", "Enter your email"),
        ({"password": "short"}, "password", "at least 8"),
        ({"password": "x" * 73}, "password", "at most 72 bytes"),
        ({"password": "nul\x00inside password"}, "password", "NUL"),
        ({"name": "n" * 101}, "name", "100"),
    ],
)
def test_invalid_signups_are_refused_with_field_errors(
    signup_app: Flask, fields: dict[str, str], field: str, message: str
) -> None:
    client = signup_app.test_client()
    data = {
        "email": "new@example.com",
        "password": "new password 1",
        "csrfToken": csrf_token(client),
        "json": "true",
        **fields,
    }
    response = client.post("/api/auth/signup", data=data)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "SignupInvalid"
    assert message in " ".join(body["errors"][field])
    assert store_of(signup_app).get_user_by_email("new@example.com") is None


def test_signup_needs_a_csrf_token(signup_app: Flask) -> None:
    client = signup_app.test_client()
    response = client.post(
        "/api/auth/signup",
        data={"email": "new@example.com", "password": "new password 1", "json": "true"},
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "MissingCSRF"
    assert store_of(signup_app).get_user_by_email("new@example.com") is None


def test_signup_accepts_a_json_body(signup_app: Flask) -> None:
    client = signup_app.test_client()
    response = client.post(
        "/api/auth/signup",
        json={"email": "new@example.com", "password": "new password 1", "json": True},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 200
    assert response.get_json()["session"]["user"]["email"] == "new@example.com"


def test_twenty_simultaneous_signups_of_one_email_leave_one_user(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    app = app_factory(
        providers=[CredentialsProvider()], adapter=adapter, SIGNUP=True, SIGNUP_LIMIT_PER_ADDRESS=0
    )
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(20)
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        start.wait()
        response = clients[index].post(
            "/api/auth/signup",
            data={
                "email": "race@example.com" if index % 2 else "RACE@example.com",
                "password": "new password 1",
                "csrfToken": tokens[index],
                "json": "true",
            },
        )
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * 19
    assert all(body["error"] == "EmailTaken" for status, body in results if status == 409)
    winner = next(body for status, body in results if status == 200)
    user = store_of(app).get_user_by_email("race@example.com")
    assert user is not None and user["id"] == winner["session"]["user"]["id"]


def test_the_password_rules_are_shown_before_any_failure(signup_app: Flask) -> None:
    html = signup_app.test_client().get("/api/auth/signup").get_data(as_text=True)
    assert "At least 8 characters" in html
    assert 'aria-describedby="signup-password-hint"' in html


def test_a_taken_email_offers_a_sign_in_link(signup_app: Flask, adapter: Adapter) -> None:
    adapter.create_user("taken@example.com")
    client = signup_app.test_client()
    data = {
        "email": "taken@example.com",
        "password": "long password",
        "csrfToken": csrf_token(client),
    }
    html = client.post("/api/auth/signup", data=data).get_data(as_text=True)
    assert re.search(
        r'<a href="[^"]*/api/auth/signin[^"]*" id="signin-instead">Sign in instead</a>', html
    )
