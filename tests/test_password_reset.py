"""Forgotten passwords: ask for a link, set a new password, every other session ends."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider

from .conftest import DAY, FakeClock, MailCapture, csrf_token, sign_in, sign_up, use_clock

OLD = "the old password"
NEW = "a brand new password"


def ask(client: FlaskClient, email: str, **fields: str) -> Any:
    data = {"csrfToken": csrf_token(client), "email": email, **fields}
    return client.post("/api/auth/forgot-password", data=data)


def fields_of(link: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def reset(client: FlaskClient, link: str, password: str = NEW, **extra: str) -> Any:
    data = {"csrfToken": csrf_token(client), **fields_of(link), "password": password, **extra}
    return client.post("/api/auth/reset-password", data=data)


@pytest.fixture
def app(mail_app: Any) -> Flask:
    app: Flask = mail_app(providers=[CredentialsProvider()])
    sign_up(app.test_client(), "ada@example.com", OLD)
    return app


def test_the_whole_reset(app: Flask, smtp_server: MailCapture) -> None:
    client = app.test_client()
    page = client.get("/api/auth/signin").get_data(as_text=True)
    assert 'href="http://localhost/api/auth/forgot-password"' in page
    assert "Send me a link" in client.get("/api/auth/forgot-password").get_data(as_text=True)
    asked = ask(client, "Ada@Example.com")
    assert asked.status_code == 302
    assert asked.headers["Location"] == (
        "http://localhost/api/auth/verify-request?provider=credentials&type=reset"
    )
    link = smtp_server.link()
    assert link.startswith("http://localhost/api/auth/reset-password?")
    form = client.get(link)
    assert form.status_code == 200 and 'name="password"' in form.get_data(as_text=True)
    done = reset(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "http://localhost/"
    assert client.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"
    assert sign_in(app.test_client(), "ada@example.com", OLD).status_code == 401
    assert sign_in(app.test_client(), "ada@example.com", NEW).status_code == 200
    told = smtp_server.messages[-1]
    assert told["Subject"] == "Your password on localhost was changed"
    assert "forgot-password" in smtp_server.text()  # the way back, if it was not the owner


def test_known_and_unknown_addresses_get_the_same_answer(
    app: Flask, smtp_server: MailCapture
) -> None:
    answers = []
    for email in ("ada@example.com", "nobody@example.com"):
        for as_json in ({}, {"json": "true"}):
            response = ask(app.test_client(), email, **as_json)
            answers.append(
                (response.status_code, response.headers.get("Location"), response.get_data())
            )
    assert answers[0] == answers[2] and answers[1] == answers[3]
    # Exactly one mail each (the costly part of the request is the same), but not one text.
    assert [m["To"] for m in smtp_server.messages] == [
        "ada@example.com",
        "ada@example.com",
        "nobody@example.com",
        "nobody@example.com",
    ]
    assert "reset-password?" in smtp_server.text(0)
    assert "no account uses this address" in smtp_server.text(2)
    assert "http" not in smtp_server.text(2).split("create one here")[0]


def test_opening_the_link_spends_nothing(app: Flask, smtp_server: MailCapture) -> None:
    client = app.test_client()
    ask(client, "ada@example.com")
    link = smtp_server.link()
    for method in ("HEAD", "GET", "GET"):
        assert client.open(link, method=method).status_code == 200
    assert reset(client, link).status_code == 302


def test_a_refused_password_does_not_burn_the_link(app: Flask, smtp_server: MailCapture) -> None:
    client = app.test_client()
    ask(client, "ada@example.com")
    link = smtp_server.link()
    short = reset(client, link, "short")
    assert short.status_code == 400
    assert "at least 8" in short.get_data(as_text=True)
    as_json = reset(client, link, "x" * 80, json="true")
    assert as_json.status_code == 400 and "72 bytes" in str(as_json.get_json()["errors"])
    assert reset(client, link).status_code == 302


def test_a_link_works_once(app: Flask, smtp_server: MailCapture) -> None:
    ask(app.test_client(), "ada@example.com")
    link = smtp_server.link()
    assert reset(app.test_client(), link).status_code == 302
    again = reset(app.test_client(), link, "yet another password")
    assert again.headers["Location"] == "http://localhost/api/auth/error?error=Verification"
    assert sign_in(app.test_client(), "ada@example.com", NEW).status_code == 200


def test_a_new_request_makes_older_links_useless(app: Flask, smtp_server: MailCapture) -> None:
    client = app.test_client()
    ask(client, "ada@example.com")
    ask(client, "ada@example.com")
    older, newer = smtp_server.link(0), smtp_server.link(1)
    assert reset(client, older).headers["Location"].endswith("error=Verification")
    assert reset(client, newer).status_code == 302


def test_links_expire_after_thirty_minutes(
    app: Flask, smtp_server: MailCapture, clock: FakeClock
) -> None:
    use_clock(app, clock)
    client = app.test_client()
    ask(client, "ada@example.com")
    clock.advance(30 * 60 + 1)
    assert reset(client, smtp_server.link()).headers["Location"].endswith("error=Verification")


def test_a_reset_link_is_refused_by_the_magic_link_route_and_back(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app()
    sign_up(app.test_client(), "ada@example.com", OLD)
    client = app.test_client()
    ask(client, "ada@example.com")
    reset_link = smtp_server.link()
    as_magic = {"csrfToken": csrf_token(client), **fields_of(reset_link)}
    refused = client.post("/api/auth/callback/email", data=as_magic)
    assert refused.headers["Location"].endswith("error=Verification")
    client.post(
        "/api/auth/signin/email", data={"csrfToken": csrf_token(client), "email": "ada@example.com"}
    )
    magic_link = smtp_server.link()
    assert reset(client, magic_link).headers["Location"].endswith("error=Verification")


def test_every_other_jwt_session_ends_and_the_new_one_lives_on(
    app: Flask, smtp_server: MailCapture, clock: FakeClock
) -> None:
    use_clock(app, clock)
    thief = app.test_client()
    assert sign_in(thief, "ada@example.com", OLD).status_code == 200
    owner = app.test_client()
    ask(owner, "ada@example.com")
    reset(owner, smtp_server.link())
    clock.advance(DAY + 1)  # the JWTs come up for renewal, when revocation is checked
    assert thief.get("/api/auth/session").get_json() == {}
    assert owner.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"
    clock.advance(DAY + 1)
    assert owner.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"


def test_database_sessions_end_at_once(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app(providers=[CredentialsProvider()], SESSION_STRATEGY="database")
    sign_up(app.test_client(), "ada@example.com", OLD)
    thief = app.test_client()
    sign_in(thief, "ada@example.com", OLD)
    assert thief.get("/api/auth/session").get_json()["user"]
    owner = app.test_client()
    ask(owner, "ada@example.com")
    reset(owner, smtp_server.link())
    assert thief.get("/api/auth/session").get_json() == {}
    assert owner.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"


def test_two_simultaneous_resets_with_one_link_set_one_password(
    app: Flask, smtp_server: MailCapture
) -> None:
    ask(app.test_client(), "ada@example.com")
    link = smtp_server.link()
    clients = [app.test_client() for _ in range(4)]
    prepared = [
        (c, {"csrfToken": csrf_token(c), **fields_of(link), "password": f"password number {i}"})
        for i, c in enumerate(clients)
    ]
    start = threading.Barrier(len(prepared))
    outcomes: list[int] = []

    def post(client: FlaskClient, data: dict[str, str]) -> None:
        start.wait()
        answer = client.post("/api/auth/reset-password", data=data)
        outcomes.append(0 if "Verification" in answer.headers["Location"] else 1)

    threads = [threading.Thread(target=post, args=pair) for pair in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [0, 0, 0, 1]
    works = [
        i
        for i in range(4)
        if sign_in(app.test_client(), "ada@example.com", f"password number {i}").status_code == 200
    ]
    assert len(works) == 1


def test_a_post_without_csrf_spends_nothing(app: Flask, smtp_server: MailCapture) -> None:
    client = app.test_client()
    ask(client, "ada@example.com")
    link = smtp_server.link()
    forged = client.post("/api/auth/reset-password", data={**fields_of(link), "password": NEW})
    assert forged.status_code == 302 and "csrf=true" in forged.headers["Location"]
    assert (
        ask(client, "ada@example.com", csrfToken="forged")
        .headers["Location"]
        .endswith("error=MissingCSRF")
    )
    assert reset(client, link).status_code == 302


def test_requests_for_links_are_rate_limited(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_LIMIT_PER_EMAIL=2)
    client = app.test_client()
    assert ask(client, "ada@example.com").status_code == 302
    assert ask(client, "ADA@example.com").status_code == 302
    limited = ask(client, "ada@example.com", json="true")
    assert limited.status_code == 429
    assert limited.get_json()["error"] == "TooManyAttempts"
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    assert len(smtp_server.messages) == 2
    assert ask(client, "bob@example.com").status_code == 302  # another recipient


def test_the_address_limit_bounds_mail_to_many_recipients(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_LIMIT_PER_ADDRESS=3)
    client = app.test_client()
    statuses = [ask(client, f"user{i}@example.com").status_code for i in range(6)]
    assert statuses == [302, 302, 302, 302, 302, 302]  # browsers are sent back to the form...
    assert len(smtp_server.messages) == 3  # ...but nothing more is sent
    limited = ask(client, "someone@example.com", json="true")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_off_without_a_store_backed_credentials_provider(mail_app: Any) -> None:
    app = mail_app(providers=[CredentialsProvider(lambda c, r: None)])
    client = app.test_client()
    assert client.get("/api/auth/forgot-password").status_code == 404
    assert "forgot-password" not in client.get("/api/auth/signin").get_data(as_text=True)


class CountingStore:
    """Wraps a store and counts its calls: the work a request costs, without a stopwatch."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


def test_known_and_unknown_addresses_cost_the_same_store_work(
    app_factory: Any, smtp_server: MailCapture, tmp_path: Any
) -> None:
    """With one mail each, the store round trips are what could still tell the two
    apart by time; an unknown address pays for a token too (issued, then voided)."""
    from flask_authjs.adapters import SQLiteAdapter

    store = CountingStore(SQLiteAdapter(str(tmp_path / "counted.sqlite3")))
    app = app_factory(
        providers=[CredentialsProvider()],
        adapter=store,
        SMTP_URL=smtp_server.url,
        EMAIL_FROM="no-reply@example.com",
    )
    store.inner.create_user("ada@example.com", password_hash="x")
    work = {}
    for email in ("ada@example.com", "nobody@example.com"):
        client = app.test_client()
        token = csrf_token(client)
        store.calls.clear()
        client.post("/api/auth/forgot-password", data={"csrfToken": token, "email": email})
        work[email] = len(store.calls)
    assert work["ada@example.com"] == work["nobody@example.com"]


def test_a_racing_flood_sends_no_more_than_the_limit(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_LIMIT_PER_EMAIL=3)
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_token(c) for c in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def flood(client: FlaskClient, token: str) -> None:
        start.wait()
        data = {"csrfToken": token, "email": "victim@example.com", "json": "true"}
        statuses.append(client.post("/api/auth/forgot-password", data=data).status_code)

    threads = [
        threading.Thread(target=flood, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 3 + [429] * 9
    assert len(smtp_server.messages) == 3
