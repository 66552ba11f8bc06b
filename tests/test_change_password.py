"""A signed-in user changes their password; the current one is required."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider

from .conftest import DAY, FakeClock, MailCapture, csrf_token, sign_in, sign_up, use_clock

OLD = "the old password"
NEW = "the new password"


def change(client: FlaskClient, current: str, new: str, **fields: str) -> Any:
    data = {"csrfToken": csrf_token(client), "currentPassword": current, "password": new}
    return client.post("/api/auth/change-password", data={**data, **fields})


def app_with_user(mail_app: Any, **settings: Any) -> Flask:
    app: Flask = mail_app(providers=[CredentialsProvider()], **settings)
    sign_up(app.test_client(), "ada@example.com", OLD)
    return app


def test_change_with_the_current_password(
    mail_app: Any, clock: FakeClock, smtp_server: MailCapture
) -> None:
    app = use_clock(app_with_user(mail_app), clock)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "ada@example.com", OLD)
    sign_in(elsewhere, "ada@example.com", OLD)
    page = here.get("/api/auth/change-password")
    assert page.status_code == 200 and 'name="currentPassword"' in page.get_data(as_text=True)
    changed = change(here, OLD, NEW, callbackUrl="/dashboard")
    assert (
        changed.status_code == 302 and changed.headers["Location"] == "http://localhost/dashboard"
    )
    assert sign_in(app.test_client(), "ada@example.com", NEW).status_code == 200
    assert sign_in(app.test_client(), "ada@example.com", OLD).status_code == 401
    clock.advance(DAY + 1)
    assert elsewhere.get("/api/auth/session").get_json() == {}
    assert here.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"
    assert smtp_server.messages[-1]["Subject"] == "Your password on localhost was changed"


def test_a_wrong_current_password_changes_nothing(mail_app: Any) -> None:
    app = app_with_user(mail_app)
    client = app.test_client()
    sign_in(client, "ada@example.com", OLD)
    wrong = change(client, "not the password", NEW, json="true")
    assert wrong.status_code == 400
    assert "currentPassword" in wrong.get_json()["errors"]
    weak = change(client, OLD, "short")
    assert weak.status_code == 400 and "at least 8" in weak.get_data(as_text=True)
    assert sign_in(app.test_client(), "ada@example.com", OLD).status_code == 200


def test_guessing_the_current_password_is_rate_limited(mail_app: Any) -> None:
    app = app_with_user(mail_app, RATE_LIMIT_PER_ACCOUNT=3)
    client = app.test_client()
    sign_in(client, "ada@example.com", OLD)
    for attempt in range(3):
        assert change(client, f"guess {attempt}", NEW).status_code == 400
    limited = change(client, OLD, NEW, json="true")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_signed_out_visitors_are_sent_to_sign_in(mail_app: Any) -> None:
    client = app_with_user(mail_app).test_client()
    assert change(client, OLD, NEW, json="true").status_code == 401
    page = client.get("/api/auth/change-password")
    assert page.status_code == 302 and "error=SessionRequired" in page.headers["Location"]


def test_an_account_without_a_password_is_pointed_to_the_reset(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    from .test_email_signin import confirm, request_link

    app = mail_app()
    client = app.test_client()
    request_link(client, "ada@example.com")
    confirm(client, smtp_server.link())
    refused = change(client, "", NEW)
    assert refused.status_code == 400
    assert "Forgot your password" in refused.get_data(as_text=True)
