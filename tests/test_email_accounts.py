"""A used magic link proves the mailbox: pre-account takeover is undone."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import DAY, FakeClock, MailCapture, sign_in, sign_up, use_clock
from .test_email_signin import confirm, request_link, session_of

ATTACKER_PASSWORD = "the attacker's password"


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_a_password_set_by_someone_else_is_removed_and_their_sessions_end(
    mail_app: Any, smtp_server: MailCapture, strategy: str, adapter: Any
) -> None:
    """On every store: SQLite, MongoDB, SQL (SQLite and PostgreSQL). The clock starts at
    the real time: MongoDB's TTL index would forget a token that expired in real time."""
    clock = FakeClock(time.time())
    app = use_clock(mail_app(SESSION_STRATEGY=strategy, adapter=adapter), clock)
    attacker = app.test_client()
    sign_up(attacker, "victim@example.com", ATTACKER_PASSWORD)  # first, with the victim's email
    assert session_of(attacker)["user"]["email"] == "victim@example.com"

    victim = app.test_client()
    request_link(victim, "victim@example.com")
    assert confirm(victim, smtp_server.link()).status_code == 302

    user = adapter.get_user_by_email("victim@example.com")
    assert user["password_hash"] is None and user["email_verified"] is not None
    assert sign_in(app.test_client(), "victim@example.com", ATTACKER_PASSWORD).status_code == 401
    clock.advance(DAY + 1)  # JWTs are checked against revocations when they renew
    assert session_of(attacker) == {}
    assert session_of(victim)["user"]["email"] == "victim@example.com"


def test_a_verified_account_keeps_its_password(mail_app: Any, smtp_server: MailCapture) -> None:
    app = mail_app(EMAIL_VERIFICATION="required")
    sign_up(app.test_client(), "ada@example.com", "ada's own password")
    verify = app.test_client()
    from .test_email_verification import confirm as confirm_verification

    confirm_verification(verify, smtp_server.link())
    client = app.test_client()
    request_link(client, "ada@example.com")
    confirm(client, smtp_server.link())
    assert sign_in(app.test_client(), "ada@example.com", "ada's own password").status_code == 200
