"""In Chromium: the demo's "Sign in with Stub", the stub's authorize page, the dashboard."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from demo.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not (os.path.exists(CHROMIUM) or shutil.which("chromium")) and os.environ.get("CI") != "true":
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def demo_origin(tmp_path: Path) -> Iterator[str]:
    """The demo app on a free port of 127.0.0.1, on a fresh store; threaded, because the
    callback request waits for the stub's token endpoint on the same server."""
    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app(
        {
            "AUTHJS_URL": origin,
            "AUTHJS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "AUTHJS_BCRYPT_ROUNDS": 4,
        }
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_sign_in_with_the_stub_from_the_demo(demo_origin: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{demo_origin}/dashboard")
            assert "/api/auth/signin" in page.url

            page.get_by_role("button", name="Sign in with Stub").click()
            page.wait_for_url("**/api/auth/stub/authorize?**")
            assert page.get_by_role("heading", name="Stub identity provider").is_visible()
            page.get_by_role("button", name="Continue as Alice Stub (alice@example.com)").click()

            page.wait_for_url(f"{demo_origin}/dashboard")
            assert "Alice Stub" in page.locator("#greeting").inner_text()
            assert page.locator("#who").inner_text() == "alice@example.com"
        finally:
            browser.close()
