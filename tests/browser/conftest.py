"""Real headless Chromium (Debian's) driven by Playwright, against apps on 127.0.0.1.

Without ``/usr/bin/chromium`` these tests are skipped with the reason printed, except in
CI (``CI=true``), where a missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from demo.app import create_app

from ..conftest import require_npm_package

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
    """``live_server(make_app, host="127.0.0.1")`` serves ``make_app(base_url)`` on a free
    port of 127.0.0.1 and returns the URL, ``http://<host>:<port>`` (``host="localhost"``
    for apps that must share cookies with another server on the same machine)."""
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


NEXTAUTH_DIR = Path(__file__).resolve().parents[1] / "nextauth"
NEXT_BIN = NEXTAUTH_DIR / "node_modules" / "next" / "dist" / "bin" / "next"
NEXT_ENV = {"NEXT_TELEMETRY_DISABLED": "1", "NODE_ENV": "production"}


def nextjs_build(app: str) -> Path:
    """tests/nextauth/<app>, built with ``next build`` once and kept between runs.

    The app and tests/nextauth/shared are copied to tests/nextauth/.nextbuild/<app>-<hash>
    (git-ignored), named by a hash of their sources, the npm lockfile and the folder's
    path, and built there, so a build is redone only when one of them changes.
    """
    require_npm_package("next")
    # The build holds absolute paths: a copy of the tree elsewhere builds anew.
    digest = hashlib.sha256(str(NEXTAUTH_DIR).encode())
    digest.update((NEXTAUTH_DIR / "package-lock.json").read_bytes())
    for folder in (app, "shared"):
        for path in sorted(p for p in (NEXTAUTH_DIR / folder).rglob("*") if p.is_file()):
            name = str(path.relative_to(NEXTAUTH_DIR))
            digest.update(name.encode() + b"\0" + path.read_bytes())
    build = NEXTAUTH_DIR / ".nextbuild" / f"{app}-{digest.hexdigest()[:16]}"
    if not (build / app / ".next" / "BUILD_ID").exists():
        for stale in (NEXTAUTH_DIR / ".nextbuild").glob(f"{app}-*"):
            shutil.rmtree(stale)
        for folder in (app, "shared"):
            shutil.copytree(NEXTAUTH_DIR / folder, build / folder)
        subprocess.run(
            ["node", str(NEXT_BIN), "build"],
            cwd=build / app,
            env={**os.environ, **NEXT_ENV},
            check=True,
            capture_output=True,
            timeout=900,
        )
    return build / app


NextServer = Callable[[str, dict[str, str]], str]


@pytest.fixture
def nextjs_server(tmp_path: Path) -> Iterator[NextServer]:
    """``nextjs_server(app, env)`` builds tests/nextauth/<app> (once) and runs ``next start``
    on a free port with ``env`` added; returns its URL on ``localhost`` (``NEXTAUTH_URL``,
    ``AUTH_URL``), where it shares cookies with ``live_server(..., host="localhost")`` apps."""
    running: list[subprocess.Popen[bytes]] = []

    def start(app: str, env: dict[str, str]) -> str:
        build = nextjs_build(app)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base_url = f"http://localhost:{port}"
        log = tmp_path / f"next-{port}.log"
        with log.open("wb") as output:  # the child keeps its own descriptor
            process = subprocess.Popen(
                ["node", str(NEXT_BIN), "start", "-p", str(port), "-H", "127.0.0.1"],
                cwd=build,
                env={
                    **os.environ,
                    **NEXT_ENV,
                    "NEXTAUTH_URL": base_url,
                    "AUTH_URL": base_url,
                    **env,
                },
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as a whole
            )
        running.append(process)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/auth/providers", timeout=5)
                return base_url
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"next start failed: {log.read_text()}") from None
                time.sleep(0.1)

    yield start
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # still draining a kept-alive connection
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
