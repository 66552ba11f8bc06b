"""The demo in Chromium: the themed built-in sign-in page, the dashboard, sign-out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import demo

EMAIL = "#input-email-for-credentials-provider"
PASSWORD = "#input-password-for-credentials-provider"
SUBMIT = "form.credentials button[type=submit]"


def test_sign_in_through_the_custom_page_reach_the_dashboard_and_sign_out(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/dashboard")
    assert page.url.startswith(f"{base}/api/auth/signin?callbackUrl=")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("header .brand").inner_text() == "flask-authjs demo"  # the demo's header

    page.fill(EMAIL, DEMO_EMAIL)
    page.fill(PASSWORD, "wrong password")
    page.click(SUBMIT)
    assert "Sign in failed" in page.locator("#signin-error").inner_text()
    assert page.input_value(EMAIL) == DEMO_EMAIL  # kept for the second try

    page.fill(PASSWORD, DEMO_PASSWORD)
    page.click(SUBMIT)
    page.wait_for_url(f"{base}/dashboard")
    assert "Demo User" in page.locator("#greeting").inner_text()
    assert DEMO_EMAIL in page.locator("#session").inner_text()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["authjs.session-token"]["httpOnly"] is True
    assert cookies["authjs.session-token"]["sameSite"] == "Lax"

    page.click("#sign-out")
    page.wait_for_url(f"{base}/")
    assert page.locator("#sign-in").is_visible()
    page.goto(f"{base}/dashboard")
    assert page.url.startswith(f"{base}/api/auth/signin")


def test_fetch_sign_in_gets_the_session_without_a_redirect(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    page.fill("#fetch-password", DEMO_PASSWORD)
    page.click("#fetch-form button")
    expect(page.locator("#fetch-result")).to_have_text(re.compile("^Signed in as "))
    assert page.locator("#fetch-result").inner_text().startswith(f"Signed in as {DEMO_EMAIL} (id ")
    assert page.url == f"{base}/fetch-sign-in"


def test_the_demo_serves_an_icon_and_the_fetch_page_announces_its_result(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    icons: list[int] = []
    page.on("response", lambda r: icons.append(r.status) if "favicon" in r.url else None)
    page.goto(f"{base}/fetch-sign-in")
    assert page.request.get(f"{base}/favicon.ico").status == 200
    result = page.locator("#fetch-result")
    assert result.get_attribute("role") == "status" and not result.is_visible()  # empty: hidden
    page.fill("#fetch-password", "wrong password")
    page.click("#fetch-form button")
    expect(result).to_have_text("Wrong email or password. Check them and try again.")
    assert "CredentialsSignin" not in result.inner_text()
    assert 404 not in icons
