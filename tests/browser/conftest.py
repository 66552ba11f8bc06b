"""Real headless Chromium (Debian's) driven by Playwright, against apps on 127.0.0.1.

Without ``/usr/bin/chromium`` these tests are skipped with the reason printed, except in
CI (``CI=true``), where a missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from demo.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


LiveServer = Callable[..., str]


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """``live_server(make_app)`` serves ``make_app(base_url)`` on a free port; returns the URL.

    ``host="localhost"`` names the server by that name (it still listens on 127.0.0.1):
    WebAuthn needs a domain name as relying party ID, never an IP address.
    """
    servers: list[Any] = []

    def serve(make_app: Callable[[str], Flask], host: str = "127.0.0.1") -> str:
        server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
        base_url = f"http://{host}:{server.server_port}"
        server.app = make_app(base_url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return base_url

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def demo(tmp_path: Path) -> Callable[[str], Flask]:
    """A ``live_server`` factory for the demo app on a fresh store in ``tmp_path``."""

    def make(base_url: str) -> Flask:
        return create_app(
            {
                "AUTHJS_URL": base_url,
                "AUTHJS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                "AUTHJS_BCRYPT_ROUNDS": 4,
            }
        )

    return make
