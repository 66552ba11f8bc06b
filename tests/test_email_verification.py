"""``AUTHJS_EMAIL_VERIFICATION``: sign-up proves the email before (or while) signing in."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider

from .conftest import FakeClock, MailCapture, csrf_token, sign_in, sign_up, use_clock

PASSWORD = "a long enough password"
CHECK_INBOX = "http://localhost/api/auth/verify-request?provider=credentials&type=verification"


def fields_of(link: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def confirm(client: FlaskClient, link: str) -> Any:
    data = {"csrfToken": csrf_token(client), **fields_of(link)}
    return client.post("/api/auth/verify-email", data=data)


def resend(client: FlaskClient, email: str, **fields: str) -> Any:
    data = {"csrfToken": csrf_token(client), "email": email, **fields}
    return client.post("/api/auth/resend-verification", data=data)


def test_required_verification_end_to_end(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="required")
    client = app.test_client()
    signed_up = sign_up(client, "ada@example.com", PASSWORD)
    assert signed_up.status_code == 200
    assert signed_up.get_json()["url"] == CHECK_INBOX
    assert "session" not in signed_up.get_json()
    assert client.get("/api/auth/session").get_json() == {}
    page = client.get(CHECK_INBOX).get_data(as_text=True)
    assert "Confirm your email address" in page

    refused = sign_in(client, "ada@example.com", PASSWORD)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "EmailNotVerified"
    signin_page = client.get(refused.get_json()["url"]).get_data(as_text=True)
    assert "Confirm your email address first" in signin_page
    assert 'action="http://localhost/api/auth/resend-verification"' in signin_page
    assert sign_in(client, "ada@example.com", "a wrong password").get_json()["error"] == (
        "CredentialsSignin"  # the state of the email is told only to who knows the password
    )

    link = smtp_server.link()
    assert link.startswith("http://localhost/api/auth/verify-email?")
    for method in ("HEAD", "GET"):
        assert client.open(link, method=method).status_code == 200  # spends nothing
    done = confirm(client, link)
    assert done.status_code == 302
    assert client.get("/api/auth/session").get_json()["user"]["email"] == "ada@example.com"
    assert sign_in(app.test_client(), "ada@example.com", PASSWORD).status_code == 200
    user = app.extensions["authjs"].adapter.get_user_by_email("ada@example.com")
    assert user["email_verified"] is not None
    assert confirm(app.test_client(), link).headers["Location"].endswith("error=Verification")


def test_optional_verification_signs_in_at_once_and_sends_the_link(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="optional")
    client = app.test_client()
    signed_up = sign_up(client, "ada@example.com", PASSWORD)
    assert signed_up.get_json()["session"]["user"]["email"] == "ada@example.com"
    assert "verify-email?" in smtp_server.link()
    assert sign_in(app.test_client(), "ada@example.com", PASSWORD).status_code == 200


def test_a_taken_email_gets_the_answer_of_a_new_one(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="required")
    sign_up(app.test_client(), "ada@example.com", PASSWORD)
    first = sign_up(app.test_client(), "bob@example.com", "another password")
    again = sign_up(app.test_client(), "ada@example.com", "an attacker's password")
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert [m["To"] for m in smtp_server.messages] == [
        "ada@example.com",
        "bob@example.com",
        "ada@example.com",
    ]
    assert "you have one already" in smtp_server.text(2)
    # The owner's password and account are unchanged.
    store = app.extensions["authjs"].adapter
    assert store.get_user_by_email("ada@example.com")["email_verified"] is None
    confirm(app.test_client(), smtp_server.link(0))
    assert sign_in(app.test_client(), "ada@example.com", PASSWORD).status_code == 200
    assert (
        sign_in(app.test_client(), "ada@example.com", "an attacker's password").status_code == 401
    )


def test_without_verification_a_taken_email_is_said_plainly(mail_app: Any) -> None:
    app = mail_app(providers=[CredentialsProvider()])
    sign_up(app.test_client(), "ada@example.com", PASSWORD)
    again = sign_up(app.test_client(), "ada@example.com", PASSWORD)
    assert (again.status_code, again.get_json()["error"]) == (409, "EmailTaken")


def test_resending_answers_the_same_for_every_state_and_sends_one_mail(
    mail_app: Any, smtp_server: MailCapture
) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="required")
    sign_up(app.test_client(), "unverified@example.com", PASSWORD)
    sign_up(app.test_client(), "verified@example.com", PASSWORD)
    confirm(app.test_client(), smtp_server.link())
    smtp_server.messages.clear()
    answers = {
        email: resend(app.test_client(), email)
        for email in ("unverified@example.com", "verified@example.com", "nobody@example.com")
    }
    assert {(a.status_code, a.headers["Location"]) for a in answers.values()} == {
        (302, CHECK_INBOX)
    }
    assert [m["To"] for m in smtp_server.messages] == list(answers)
    assert "verify-email?" in smtp_server.text(0)
    assert "confirmed already" in smtp_server.text(1)
    assert "no account uses this address" in smtp_server.text(2)


def test_a_resent_link_replaces_the_older_one(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="required")
    sign_up(app.test_client(), "ada@example.com", PASSWORD)
    resend(app.test_client(), "ada@example.com")
    older, newer = smtp_server.link(0), smtp_server.link(1)
    assert confirm(app.test_client(), older).headers["Location"].endswith("error=Verification")
    assert confirm(app.test_client(), newer).status_code == 302


def test_verification_links_live_a_day(
    mail_app: Any, smtp_server: MailCapture, clock: FakeClock
) -> None:
    app = use_clock(
        mail_app(providers=[CredentialsProvider()], EMAIL_VERIFICATION="required"), clock
    )
    sign_up(app.test_client(), "ada@example.com", PASSWORD)
    sign_up(app.test_client(), "bob@example.com", PASSWORD)
    clock.advance(23 * 3600)
    assert confirm(app.test_client(), smtp_server.link(0)).status_code == 302
    clock.advance(3601)
    assert (
        confirm(app.test_client(), smtp_server.link(1))
        .headers["Location"]
        .endswith("error=Verification")
    )


def test_off_by_default(mail_app: Any) -> None:
    client = mail_app(providers=[CredentialsProvider()]).test_client()
    assert client.get("/api/auth/verify-email?token=" + "0" * 64 + "&email=a@b.co").status_code == (
        404
    )
    assert resend(client, "ada@example.com").status_code == 404
