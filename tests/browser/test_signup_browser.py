"""In Chromium: sign-up from the sign-in page, a confirmation, then the dashboard, signed in."""

from __future__ import annotations

from typing import Any

from flask_authjs import CredentialsProvider

from ..conftest import AppFactory
from .conftest import LiveServer


def test_sign_up_then_land_on_the_dashboard_signed_in(
    app_factory: AppFactory, live_server: LiveServer, page: Any
) -> None:
    address = live_server(
        lambda url: app_factory(providers=[CredentialsProvider()], URL=url, SIGNUP=True)
    )
    page.goto(f"{address}/dashboard")
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
    page.wait_for_url(f"{address}/api/auth/signin?welcome=1**")
    assert "Your account is ready." in page.inner_text("#signed-in")
    assert "browser@example.com" in page.inner_text("#signed-in")
    page.click("#continue")
    page.wait_for_url(f"{address}/dashboard")
    session = page.evaluate("fetch('/api/auth/session').then(r => r.json())")
    assert session["user"]["email"] == "browser@example.com"
    assert session["user"]["name"] == "Browser User"
    # The same email again is a clear error, in a cleared browser context.
    page.context.clear_cookies()
    page.goto(f"{address}/api/auth/signup")
    page.fill("#signup-email", "browser@example.com")
    page.fill("#signup-password", "a long browser password")
    page.click("#signup-submit")
    assert "exists already" in page.inner_text("#signup-email-error")
    page.click("#signin-instead")
    assert "/api/auth/signin" in page.url
