"""Magic links end to end, through a real SMTP server: send, open, confirm, signed in."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider, EmailProvider

from .conftest import FakeClock, MailCapture, csrf_token, free_port, use_clock


def request_link(client: FlaskClient, email: str, **fields: str) -> Any:
    data = {"csrfToken": csrf_token(client), "email": email, **fields}
    return client.post("/api/auth/signin/email", data=data)


def link_fields(link: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def confirm(client: FlaskClient, link: str, **extra: str) -> Any:
    """What the button of the page behind ``link`` posts."""
    data = {"csrfToken": csrf_token(client), **link_fields(link), **extra}
    return client.post(urlsplit(link).path, data=data)


def session_of(client: FlaskClient) -> Any:
    return client.get("/api/auth/session").get_json()


def test_a_link_signs_a_new_email_in_and_creates_its_user(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app()
    client = app.test_client()
    sent = request_link(client, "Ada@Example.com", callbackUrl="/dashboard")
    assert sent.status_code == 302
    assert sent.headers["Location"] == (
        "http://localhost/api/auth/verify-request?provider=email&type=email"
    )
    assert "Check your email" in client.get(sent.headers["Location"]).get_data(as_text=True)
    [message] = smtp_server.messages
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Test Site <no-reply@example.com>"
    assert message.get_body(preferencelist=("html",)) is not None
    link = smtp_server.link()
    assert link.startswith("http://localhost/api/auth/callback/email?callbackUrl=")
    fields = link_fields(link)
    assert fields["email"] == "ada@example.com" and len(fields["token"]) == 64

    signed_in = confirm(client, link)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "http://localhost/dashboard"
    assert session_of(client)["user"]["email"] == "ada@example.com"
    user = app.extensions["authjs"].adapter.get_user_by_email("ada@example.com")
    assert user is not None and user["email_verified"] is not None
    assert user["password_hash"] is None


def test_json_mode_answers_with_the_verify_request_url(mail_app: Any) -> None:
    client = mail_app().test_client()
    answer = request_link(client, "ada@example.com", json="true")
    assert answer.status_code == 200
    assert answer.get_json()["url"] == (
        "http://localhost/api/auth/verify-request?provider=email&type=email"
    )
    assert answer.get_json()["ok"] is True


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_opening_the_link_never_spends_it(
    mail_app: Any, smtp_server: MailCapture, method: str
) -> None:
    """Mail scanners fetch links with HEAD and GET, follow redirects: nothing is spent."""
    client = mail_app().test_client()
    request_link(client, "ada@example.com")
    link = smtp_server.link()
    for _ in range(3):
        opened = client.open(link, method=method)
        assert opened.status_code == 200
        assert "Location" not in opened.headers
    page = client.get(link).get_data(as_text=True)
    assert 'method="POST"' in page and 'name="csrfToken"' in page
    assert page.count("<button") == 1
    assert confirm(client, link).status_code == 302
    assert session_of(client)["user"]["email"] == "ada@example.com"


def test_a_link_works_once(mail_app: Any, smtp_server: MailCapture) -> None:
    client = mail_app().test_client()
    request_link(client, "ada@example.com")
    link = smtp_server.link()
    assert confirm(client, link).status_code == 302
    again = confirm(mail_app().test_client(), link)
    assert again.headers["Location"] == "http://localhost/api/auth/error?error=Verification"


def test_two_simultaneous_confirmations_sign_in_exactly_once(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app()
    request_link(app.test_client(), "ada@example.com")
    link = smtp_server.link()
    clients = [app.test_client() for _ in range(6)]
    prepared = [(c, {"csrfToken": csrf_token(c), **link_fields(link)}) for c in clients]
    start = threading.Barrier(len(prepared))
    results: list[str] = []

    def click(client: FlaskClient, data: dict[str, str]) -> None:
        start.wait()
        results.append(client.post("/api/auth/callback/email", data=data).headers["Location"])

    threads = [threading.Thread(target=click, args=pair) for pair in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("http://localhost/") == 1
    assert results.count("http://localhost/api/auth/error?error=Verification") == 5


def test_a_link_expires_after_ten_minutes_by_default(
    mail_app: Any, smtp_server: MailCapture, clock: FakeClock
) -> None:
    app = use_clock(mail_app(), clock)
    client = app.test_client()
    request_link(client, "ada@example.com")
    request_link(client, "bob@example.com")
    clock.advance(9 * 60)
    assert confirm(client, smtp_server.link(0)).headers["Location"] == "http://localhost/"
    clock.advance(61 + 60)
    expired = confirm(client, smtp_server.link(1))
    assert expired.headers["Location"].endswith("error=Verification")


def test_max_age_sets_the_lifetime(
    app_factory: Any, smtp_server: MailCapture, clock: FakeClock
) -> None:
    app = app_factory(
        providers=[EmailProvider(max_age=60)],
        SMTP_URL=smtp_server.url,
        EMAIL_FROM="no-reply@example.com",
    )
    client = use_clock(app, clock).test_client()
    request_link(client, "ada@example.com")
    assert "1 minutes" in smtp_server.text()
    clock.advance(61)
    assert confirm(client, smtp_server.link()).headers["Location"].endswith("=Verification")


def test_an_existing_user_is_signed_in_as_themself(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app()
    store = app.extensions["authjs"].adapter
    existing = store.create_user("ada@example.com", name="Ada", email_verified=1)
    client = app.test_client()
    request_link(client, "ada@example.com")
    confirm(client, smtp_server.link())
    session = session_of(client)
    assert session["user"]["name"] == "Ada"
    assert client.get("/dashboard").get_json()["user"]["id"] == existing["id"]


def test_the_sign_in_callback_can_refuse_before_any_mail(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    seen: list[dict[str, Any]] = []

    def only_example_org(user: Any, account: Any, email: Any = None, **_: Any) -> bool:
        seen.append({"user": user, "account": account, "email": email})
        return str(user["email"]).endswith("@example.org")

    app = mail_app(callbacks={"sign_in": only_example_org})
    client = app.test_client()
    refused = request_link(client, "ada@example.com")
    assert refused.headers["Location"] == "http://localhost/api/auth/error?error=AccessDenied"
    assert smtp_server.messages == []
    assert seen[0]["email"] == {"verificationRequest": True}
    assert seen[0]["account"]["type"] == "email"
    assert request_link(client, "ada@example.org").status_code == 302
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    "email",
    [
        "ada@example.com\r\nBcc: victim@example.org",
        "ada@example.com\nSubject: hi",
        "ada@example.com, eve@example.org",
        '"ada"@example.com',
        "not-an-email",
        "",
    ],
)
def test_odd_addresses_are_refused_and_nothing_is_sent(
    mail_app: Any, smtp_server: MailCapture, email: str
) -> None:
    client = mail_app().test_client()
    refused = request_link(client, email)
    assert refused.status_code == 302
    assert refused.headers["Location"] == "http://localhost/api/auth/error?error=EmailSignin"
    assert smtp_server.messages == []


def test_links_come_from_authjs_url_never_from_the_host_header(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(URL="https://site.example")
    client = app.test_client()
    forged = "https://evil.example"  # the Host of every request below
    token = client.get("/api/auth/csrf", base_url=forged).get_json()["csrfToken"]
    sent = client.post(
        "/api/auth/signin/email",
        base_url=forged,
        data={"csrfToken": token, "email": "ada@example.com"},
        headers={"X-Forwarded-Host": "evil.example"},
    )
    assert sent.status_code == 302
    assert smtp_server.link().startswith("https://site.example/api/auth/callback/email?")
    assert "evil" not in smtp_server.text()


def test_a_slow_smtp_server_answers_within_the_timeout_and_leaves_no_token(
    mail_app: Any,
) -> None:
    listener = socket_that_never_answers()
    app = mail_app(
        SMTP_URL=f"smtp://127.0.0.1:{listener.getsockname()[1]}?tls=off", SMTP_TIMEOUT=0.5
    )
    try:
        client = app.test_client()
        started = time.monotonic()
        answer = request_link(client, "ada@example.com", json="true")
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert elapsed < 2.0
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "EmailSignin"
    assert not rows(app, "verification_tokens")


def test_a_server_that_is_down_is_a_clear_error_page(mail_app: Any) -> None:
    app = mail_app(SMTP_URL=f"smtp://127.0.0.1:{free_port()}?tls=off")
    client = app.test_client()
    answer = request_link(client, "ada@example.com")
    assert answer.headers["Location"] == "http://localhost/api/auth/error?error=EmailSignin"
    page = client.get(answer.headers["Location"], follow_redirects=True)
    assert "The e-mail could not be sent." in page.get_data(as_text=True)


def test_a_failed_send_leaves_the_link_useless(app_factory: Any) -> None:
    """Even if the mail went out after all (the send raised late), its link does not work."""
    captured: list[Any] = []

    def send_then_fail(message: Any) -> None:
        captured.append(message)
        raise ConnectionError("the mail service hung up")

    app = app_factory(providers=[EmailProvider(send=send_then_fail)])
    client = app.test_client()
    assert request_link(client, "ada@example.com").headers["Location"].endswith("=EmailSignin")
    body = captured[0].get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in body.split() if word.startswith("http://"))
    assert confirm(client, link).headers["Location"].endswith("error=Verification")


def test_an_app_send_function_replaces_smtp(app_factory: Any) -> None:
    outbox: list[Any] = []
    app = app_factory(
        providers=[EmailProvider(send=outbox.append)], TESTING=False, testing=False, SECRET="x" * 40
    )
    client = app.test_client()
    assert request_link(client, "ada@example.com").status_code == 302
    assert outbox[0]["To"] == "ada@example.com"


def test_no_token_or_link_reaches_the_logs(
    mail_app: Any, smtp_server: MailCapture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = mail_app()
    client = app.test_client()
    request_link(client, "ada@example.com")
    link = smtp_server.link()
    confirm(client, link)
    confirm(client, link)  # the failure is logged nowhere with the token either
    down = mail_app(SMTP_URL=f"smtp://127.0.0.1:{free_port()}?tls=off").test_client()
    request_link(down, "bob@example.com")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "not sent" in ours  # the failure itself is logged (mail.log is the test server's)
    token = link_fields(link)["token"]
    assert token not in ours and "token=" not in ours


def socket_that_never_answers() -> Any:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepted by the kernel, never read: no greeting ever comes
    return listener


def rows(app: Flask, table: str) -> list[Any]:
    import sqlite3

    path = app.extensions["authjs"].settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


def test_the_credentials_provider_and_the_email_provider_share_one_account(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider(), EmailProvider()])
    client = app.test_client()
    request_link(client, "ada@example.com")
    confirm(client, smtp_server.link())
    first = client.get("/dashboard").get_json()["user"]["id"]
    other = app.test_client()
    request_link(other, "ADA@example.com")
    confirm(other, smtp_server.link())
    assert other.get("/dashboard").get_json()["user"]["id"] == first


def test_the_sign_in_callback_is_asked_again_when_the_link_is_used(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    """The confirmation goes through the one sign-in pipeline: the callback sees the
    known user, and may still refuse (no session, no user created)."""
    calls: list[dict[str, Any]] = []

    def refuse_at_confirmation(user: Any, account: Any, **details: Any) -> bool:
        calls.append({"user": user, **details})
        return "email" in details  # yes to the send, no to the sign-in

    app = mail_app(callbacks={"sign_in": refuse_at_confirmation})
    client = app.test_client()
    request_link(client, "ada@example.com")
    refused = confirm(client, smtp_server.link())
    assert refused.headers["Location"] == "http://localhost/api/auth/error?error=AccessDenied"
    assert session_of(client) == {}
    assert calls[1]["user"]["email"] == "ada@example.com" and "email" not in calls[1]
    assert app.extensions["authjs"].adapter.get_user_by_email("ada@example.com") is None


def test_verify_request_can_be_a_page_of_the_app(mail_app: Any) -> None:
    app = mail_app(pages={"verify_request": "/check-inbox"})
    client = app.test_client()
    sent = request_link(client, "ada@example.com")
    assert sent.headers["Location"] == "http://localhost/check-inbox?provider=email&type=email"
    bounced = client.get("/api/auth/verify-request?provider=email&type=email")
    assert bounced.headers["Location"] == "http://localhost/check-inbox?provider=email&type=email"


def test_the_verify_request_page_shows_no_address(mail_app: Any) -> None:
    client = mail_app().test_client()
    page = client.get("/api/auth/verify-request?type=<script>&email=ada@example.com")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "A sign in link has been sent" in html
    assert "ada@example.com" not in html and "<script>" not in html


def test_an_app_overrides_a_mail_with_its_own_templates(
    mail_app: Any, smtp_server: MailCapture, tmp_path: Any
) -> None:
    folder = tmp_path / "app-templates" / "authjs" / "email"
    folder.mkdir(parents=True)
    (folder / "magic_link.txt").write_text("Subject: Your key to {{ site }}\n\nOpen {{ url }}\n")
    (folder / "magic_link.html").write_text("<p>Open <a href='{{ url }}'>this</a></p>")
    app = mail_app()
    app.template_folder = str(tmp_path / "app-templates")
    request_link(app.test_client(), "ada@example.com")
    [message] = smtp_server.messages
    assert message["Subject"] == "Your key to localhost"
    assert smtp_server.text().startswith("Open http://localhost/api/auth/callback/email?")
    assert "this</a>" in message.get_body(preferencelist=("html",)).get_content()
