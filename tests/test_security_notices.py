"""The owner hears by mail, over real SMTP, when a passkey is added or two-factor sign-in
is turned off; the mail carries no token, code or secret, and its failure undoes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider, PasskeyProvider, totp
from tests.conftest import (
    AppFactory,
    FakeClock,
    MailCapture,
    free_port,
    post_json_true,
    sign_in,
    use_clock,
)
from tests.soft_authenticator import SoftAuthenticator, register

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"
ACCOUNT_URL = "http://localhost/api/auth/account"


def with_user(app: Flask, clock: FakeClock) -> Flask:
    context = app.extensions["authjs"]
    context.adapter.create_user(EMAIL, password_hash=context.password_hasher.hash(PASSWORD))
    return use_clock(app, clock)


@pytest.fixture
def app(mail_app: Any, clock: FakeClock) -> Flask:
    made = mail_app(providers=[CredentialsProvider(), PasskeyProvider()], TWO_FACTOR=True)
    return with_user(made, clock)


def whole(message: Any) -> str:
    """Every part of a message, headers included, as one string to search for leaks."""
    return str(message.as_string())


def html_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("html",)).get_content())


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, EMAIL, PASSWORD).status_code == 200
    return client


def turn_two_factor_on(client: FlaskClient, clock: FakeClock) -> tuple[str, list[str]]:
    secret = post_json_true(client, "/api/auth/two-factor/enable").get_json()["secret"]
    step = int(clock()) // totp.PERIOD
    on = post_json_true(client, "/api/auth/two-factor/confirm", code=totp.code_at(secret, step))
    assert on.status_code == 200, on.get_json()
    clock.advance(totp.PERIOD)  # the enrolment code's step is spent
    return secret, on.get_json()["recoveryCodes"]


def test_adding_a_passkey_mails_the_owner_once(app: Flask, smtp_server: MailCapture) -> None:
    client = signed_in(app)
    before = len(smtp_server.messages)
    added = register(client, SoftAuthenticator(), name="Work laptop")
    assert added.status_code == 200, added.get_json()
    [mail] = smtp_server.messages[before:]
    assert mail["To"] == EMAIL
    assert mail["Subject"] == "A passkey was added to your account on localhost"
    assert '"Work laptop"' in smtp_server.text()
    assert smtp_server.link() == ACCOUNT_URL
    assert f'href="{ACCOUNT_URL}"' in html_of(mail)
    credential_id = added.get_json()["passkey"]["id"]
    [stored] = app.extensions["authjs"].adapter.list_authenticators(
        app.extensions["authjs"].adapter.get_user_by_email(EMAIL)["id"]
    )
    for secret in (credential_id, stored["public_key"], "token=", "code="):
        assert str(secret) not in whole(mail)


def test_a_passkey_name_is_escaped_in_the_html(app: Flask, smtp_server: MailCapture) -> None:
    client = signed_in(app)
    assert register(client, SoftAuthenticator(), name="<b>x</b>").status_code == 200
    html = html_of(smtp_server.messages[-1])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_turning_two_factor_off_mails_the_owner_once(
    app: Flask, clock: FakeClock, smtp_server: MailCapture
) -> None:
    client = signed_in(app)
    secret, recovery_codes = turn_two_factor_on(client, clock)
    assert smtp_server.messages == []  # turning it on is not what the notice is for
    code = totp.code_at(secret, int(clock()) // totp.PERIOD)
    off = post_json_true(client, "/api/auth/two-factor/disable", code=code)
    assert off.status_code == 200 and off.get_json() == {"ok": True, "enabled": False}
    [mail] = smtp_server.messages
    assert mail["To"] == EMAIL
    assert mail["Subject"] == "Two-factor sign-in was turned off on localhost"
    assert smtp_server.link() == ACCOUNT_URL
    for leaked in (secret, code, *recovery_codes, "token="):
        assert leaked not in whole(mail)


def test_a_wrong_code_turns_nothing_off_and_sends_nothing(
    app: Flask, clock: FakeClock, smtp_server: MailCapture
) -> None:
    client = signed_in(app)
    turn_two_factor_on(client, clock)
    refused = post_json_true(client, "/api/auth/two-factor/disable", code="000000")
    assert refused.status_code == 400
    assert smtp_server.messages == []


def test_links_come_from_authjs_url_not_the_host_header(
    app: Flask, smtp_server: MailCapture
) -> None:
    client = signed_in(app)
    client.environ_base["HTTP_HOST"] = "evil.example"
    assert register(client, SoftAuthenticator()).status_code == 200
    assert smtp_server.link() == ACCOUNT_URL
    assert "evil.example" not in whole(smtp_server.messages[-1])


def test_a_failed_send_undoes_nothing(
    app_factory: AppFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    closed = f"smtp://127.0.0.1:{free_port()}?tls=off"  # nothing listens there
    app = with_user(
        app_factory(
            providers=[CredentialsProvider(), PasskeyProvider()],
            TWO_FACTOR=True,
            SMTP_URL=closed,
            EMAIL_FROM="no-reply@example.com",
        ),
        clock,
    )
    client = signed_in(app)
    assert register(client, SoftAuthenticator()).status_code == 200
    secret, _ = turn_two_factor_on(client, clock)
    code = totp.code_at(secret, int(clock()) // totp.PERIOD)
    assert post_json_true(client, "/api/auth/two-factor/disable", code=code).status_code == 200
    store = app.extensions["authjs"].adapter
    user = store.get_user_by_email(EMAIL)
    assert len(store.list_authenticators(user["id"])) == 1
    assert store.get_two_factor(user["id"]) is None
    failures = [r.getMessage() for r in caplog.records if "was not sent" in r.getMessage()]
    assert [m.split(":")[1] for m in failures] == [
        " the passkey_added mail was not sent",
        " the two_factor_disabled mail was not sent",
    ]
    assert not any(secret in m or code in m for m in failures)


def test_no_mail_without_mail_configured(
    app_factory: AppFactory, clock: FakeClock, smtp_server: MailCapture
) -> None:
    # Neither AUTHJS_SMTP_URL, an app's send(), nor debug/testing's development outbox.
    app = with_user(
        app_factory(
            providers=[CredentialsProvider(), PasskeyProvider()], TWO_FACTOR=True, testing=False
        ),
        clock,
    )
    assert app.extensions["authjs"].mailer is None
    client = signed_in(app)
    assert register(client, SoftAuthenticator()).status_code == 200
    secret, _ = turn_two_factor_on(client, clock)
    code = totp.code_at(secret, int(clock()) // totp.PERIOD)
    assert post_json_true(client, "/api/auth/two-factor/disable", code=code).status_code == 200
    assert smtp_server.messages == []
