"""In Chromium: the demo's "Sign in with Stub", the stub's authorize page, the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import demo


def test_sign_in_with_the_stub_from_the_demo(page: Any, live_server: Any, tmp_path: Path) -> None:
    origin = live_server(demo(tmp_path))
    page.goto(f"{origin}/dashboard")
    assert "/api/auth/signin" in page.url

    page.get_by_role("button", name="Sign in with Stub").click()
    page.wait_for_url("**/api/auth/stub/authorize?**")
    assert page.get_by_role("heading", name="Stub identity provider").is_visible()
    page.get_by_role("button", name="Continue as Alice Stub (alice@example.com)").click()

    page.wait_for_url(f"{origin}/dashboard")
    assert "Alice Stub" in page.locator("#greeting").inner_text()
    assert page.locator("#who").inner_text() == "alice@example.com"
