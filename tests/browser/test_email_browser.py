"""In Chromium, on the demo (mail to its development outbox): the three mail flows, from
the request to landing signed in, reading each link from the demo's /outbox page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import LiveServer, demo

EMAIL = "#input-email-for-credentials-provider"
PASSWORD = "#input-password-for-credentials-provider"
SUBMIT = "form.credentials button[type=submit]"
MAGIC_EMAIL = "#input-email-for-email-provider"
MAGIC_SUBMIT = "form[action$='/signin/email'] button[type=submit]"


def open_newest_link(page: Any, base: str, subject: str) -> None:
    page.goto(f"{base}/outbox")
    assert subject in page.inner_text(".mail-subject >> nth=0")
    page.click(".mail-link >> nth=0")


def session_email(page: Any) -> str:
    session = page.evaluate("fetch('/api/auth/session').then(r => r.json())")
    return str(session["user"]["email"])


def test_magic_link(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/dashboard")
    page.fill(MAGIC_EMAIL, "Newcomer@Example.com")
    page.click(MAGIC_SUBMIT)
    assert "/api/auth/verify-request" in page.url
    assert "Check your email" in page.inner_text("h1")
    open_newest_link(page, base, "Sign in to 127.0.0.1")
    assert "/api/auth/callback/email" in page.url
    assert "Sign in as newcomer@example.com?" in page.inner_text("body")
    page.click("#submitButton")
    page.wait_for_url(f"{base}/dashboard")
    assert session_email(page) == "newcomer@example.com"


def test_password_reset(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/api/auth/signin")
    page.click("#forgot-password-link")
    page.fill("#forgot-email", DEMO_EMAIL)
    page.click("#forgot-submit")
    assert "/api/auth/verify-request" in page.url
    open_newest_link(page, base, "Choose a new password")
    page.fill("#reset-password", "short")
    page.click("#reset-submit")
    assert "at least 8" in page.inner_text("#reset-password-error")
    page.fill("#reset-password", "a new demo password")
    page.click("#reset-submit")
    page.wait_for_url(f"{base}/")
    assert session_email(page) == DEMO_EMAIL
    # The old password no longer works; the new one does.
    page.context.clear_cookies()
    page.goto(f"{base}/dashboard")
    page.fill(EMAIL, DEMO_EMAIL)
    page.fill(PASSWORD, DEMO_PASSWORD)
    page.click(SUBMIT)
    assert "Sign in failed" in page.inner_text("#signin-error")
    page.fill(EMAIL, DEMO_EMAIL)
    page.fill(PASSWORD, "a new demo password")
    page.click(SUBMIT)
    page.wait_for_url(f"{base}/dashboard")


def test_sign_up_with_email_verification(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/api/auth/signup?callbackUrl=/dashboard")
    page.fill("#signup-email", "fresh@example.com")
    page.fill("#signup-password", "a fresh password")
    page.click("#signup-submit")
    assert "/api/auth/verify-request" in page.url
    assert "Confirm your email address" in page.inner_text("body")
    # Until the address is confirmed, the password alone does not sign in.
    page.goto(f"{base}/dashboard")
    page.fill(EMAIL, "fresh@example.com")
    page.fill(PASSWORD, "a fresh password")
    page.click(SUBMIT)
    assert "Confirm your email address first" in page.inner_text("#signin-error")
    open_newest_link(page, base, "Confirm your email address")
    page.click("#submitButton")
    page.wait_for_url(f"{base}/dashboard")
    assert session_email(page) == "fresh@example.com"
