"""In Chromium: sign-up from the sign-in page, then the dashboard, signed in.

Its fixtures are local for now (the shared ``live_server`` lives in tests/browser/conftest.py
once merged); without ``/usr/bin/chromium`` the test is skipped, except in CI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from flask_authjs import CredentialsProvider

from ..conftest import AppFactory

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def signup_server(app_factory: AppFactory) -> Iterator[str]:
    """The app with sign-up on, served on 127.0.0.1 and a free port, in a thread."""
    server = make_server("127.0.0.1", 0, lambda environ, start_response: [])
    address = f"http://127.0.0.1:{server.server_port}"
    server.app = app_factory(providers=[CredentialsProvider()], URL=address, SIGNUP=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield address
    server.shutdown()
    thread.join()


@pytest.fixture
def chromium_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def test_sign_up_then_land_on_the_dashboard_signed_in(
    signup_server: str, chromium_page: Any
) -> None:
    page = chromium_page
    page.goto(f"{signup_server}/dashboard")
    assert "/api/auth/signin" in page.url
    page.click("#signup-link")
    assert "/api/auth/signup" in page.url
    page.fill("#signup-email", "Browser@Example.com")
    page.fill("#signup-name", "Browser User")
    page.fill("#signup-password", "short")
    page.click("#signup-submit")
    assert "at least 8" in page.inner_text("#signup-password-error")
    page.fill("#signup-password", "a long browser password")
    page.click("#signup-submit")
    page.wait_for_url(f"{signup_server}/dashboard")
    session = page.evaluate("fetch('/api/auth/session').then(r => r.json())")
    assert session["user"]["email"] == "browser@example.com"
    assert session["user"]["name"] == "Browser User"
    # The same email again is a clear error, in a fresh browser context.
    page.context.clear_cookies()
    page.goto(f"{signup_server}/api/auth/signup")
    page.fill("#signup-email", "browser@example.com")
    page.fill("#signup-password", "a long browser password")
    page.click("#signup-submit")
    assert "exists already" in page.inner_text("#signup-email-error")
