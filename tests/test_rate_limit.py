"""Brute-force protection: failed sign-ins per account and per address, in the store."""

from __future__ import annotations

import time
from typing import Any

import bcrypt
import pytest
from flask import Flask

from flask_authjs import CredentialsProvider
from flask_authjs.adapters import Adapter

from .conftest import PASSWORD, USER, AppFactory, FakeClock, csrf_token, sign_in, sign_up, use_clock

WINDOW = 900
CORRECT = {"email": USER["email"], "password": PASSWORD}


@pytest.fixture
def clock() -> FakeClock:
    """Real time to start with: the store forgets attempts by the real clock (Mongo TTL)."""
    return FakeClock(float(int(time.time())))


@pytest.fixture
def limited(app_factory: AppFactory, adapter: Adapter, clock: FakeClock) -> Flask:
    app = app_factory(adapter=adapter, RATE_LIMIT_PER_ACCOUNT=3, RATE_LIMIT_WINDOW=WINDOW)
    return use_clock(app, clock)


def fail(client: Any, email: str = USER["email"]) -> Any:
    return sign_in(client, email, "wrong password")


def test_failures_over_the_account_limit_answer_429(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(3):
        assert fail(client).status_code == 401
    response = sign_in(client)  # even the right password waits
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == WINDOW
    data = response.get_json()
    assert data["error"] == "TooManyAttempts" and data["ok"] is False
    assert "error=TooManyAttempts" in data["url"]
    assert "session" not in data


def test_the_limit_recovers_after_the_window(limited: Flask, clock: FakeClock) -> None:
    client = limited.test_client()
    for _ in range(3):
        fail(client)
        clock.advance(100)
    assert sign_in(client).status_code == 429
    clock.advance(WINDOW - 300)  # the first failure left the window
    response = sign_in(client, password="still wrong")
    assert response.status_code == 401
    assert sign_in(client).status_code == 429
    clock.advance(WINDOW)
    assert sign_in(client).status_code == 200


def test_retry_after_counts_down(limited: Flask, clock: FakeClock) -> None:
    client = limited.test_client()
    for _ in range(3):
        fail(client)
    clock.advance(600)
    assert sign_in(client).headers["Retry-After"] == str(WINDOW - 600)


def test_spellings_of_one_email_share_a_counter(limited: Flask) -> None:
    client = limited.test_client()
    for email in ["ada@example.com", "ADA@example.com", " Ada@Example.com "]:
        assert fail(client, email).status_code == 401
    assert sign_in(client).status_code == 429


def test_other_accounts_are_not_locked(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(3):
        fail(client, "victim@example.com")
    assert sign_in(client).status_code == 200


def test_successful_sign_ins_are_not_counted(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(6):
        assert sign_in(client).status_code == 200


def test_failures_per_address_are_limited_across_accounts(
    app_factory: AppFactory, adapter: Adapter, clock: FakeClock
) -> None:
    app = use_clock(
        app_factory(adapter=adapter, RATE_LIMIT_PER_ACCOUNT=0, RATE_LIMIT_PER_ADDRESS=4), clock
    )
    client = app.test_client()
    for index in range(4):
        assert fail(client, f"user{index}@example.com").status_code == 401
    assert fail(client, "user9@example.com").status_code == 429
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/api/auth/callback/credentials",
        data={**CORRECT, "csrfToken": csrf_token(elsewhere), "json": "true"},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert response.status_code == 200  # another address


def test_over_the_limit_no_password_is_checked(
    app_factory: AppFactory, adapter: Adapter, monkeypatch: Any
) -> None:
    app = app_factory(providers=[CredentialsProvider()], adapter=adapter, RATE_LIMIT_PER_ACCOUNT=2)
    with app.app_context():
        context = app.extensions["authjs"]
        adapter.create_user("ada@example.com", password_hash=context.password_hasher.hash(PASSWORD))
    client = app.test_client()
    fail(client)
    fail(client)
    checks: list[bytes] = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: checks.append(pw) or real(pw, h))
    assert sign_in(client).status_code == 429
    assert fail(client, "nobody@example.com").status_code == 401  # others still cost bcrypt
    assert len(checks) == 1


def test_the_limit_is_shared_by_app_servers_over_one_store(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    first = app_factory(adapter=adapter, RATE_LIMIT_PER_ACCOUNT=3)
    second = app_factory(adapter=adapter, RATE_LIMIT_PER_ACCOUNT=3)
    fail(first.test_client())
    fail(second.test_client())
    fail(first.test_client())
    assert sign_in(second.test_client()).status_code == 429
    assert sign_in(first.test_client()).status_code == 429


def test_a_browser_is_sent_back_to_the_page_with_a_message(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(3):
        fail(client)
    response = client.post(
        "/api/auth/callback/credentials", data={**CORRECT, "csrfToken": csrf_token(client)}
    )
    assert response.status_code == 302
    assert "error=TooManyAttempts" in response.headers["Location"]
    assert response.headers["Retry-After"] == str(WINDOW)
    page = client.get("/api/auth/signin?error=TooManyAttempts").get_data(as_text=True)
    assert "Too many attempts" in page


def test_sign_ups_are_limited_per_address(
    app_factory: AppFactory, adapter: Adapter, clock: FakeClock
) -> None:
    app = use_clock(
        app_factory(
            providers=[CredentialsProvider()],
            adapter=adapter,
            SIGNUP=True,
            SIGNUP_LIMIT_PER_ADDRESS=2,
        ),
        clock,
    )
    assert sign_up(app.test_client(), "one@example.com").status_code == 200
    assert sign_up(app.test_client(), "two@example.com").status_code == 200
    response = sign_up(app.test_client(), "three@example.com")
    assert response.status_code == 429
    assert response.get_json()["error"] == "TooManyAttempts"
    assert int(response.headers["Retry-After"]) > 0
    assert adapter.get_user_by_email("three@example.com") is None
    clock.advance(15 * 60)
    assert sign_up(app.test_client(), "three@example.com").status_code == 200
