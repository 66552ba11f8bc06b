"""The ``html`` snippets of README.md and docs/*.md, run in Chromium as a page of an app.

Each block (unless marked ``fragment`` or ``file``, see tests/doc_snippets.py) is served as
the body of a page next to the auth routes. Its script must run without an error; a form
with ``email`` and ``password`` fields is filled with the test user's and submitted, and the
snippet's console output must then show the signed-in user's id.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response

from ..conftest import PASSWORD, USER, AppFactory
from ..doc_snippets import Snippet, all_snippets

PLAIN_PAGE = '<!doctype html><html lang=en><title>p</title><script src="/next-auth.js"></script>'
NODE_MODULES = Path(__file__).resolve().parent.parent / "nextauth" / "node_modules"
BROWSER_SNIPPETS = [s for s in all_snippets("html") if not (s.has("fragment") or s.file)]


@pytest.mark.parametrize("snippet", BROWSER_SNIPPETS, ids=lambda s: s.name)
def test_the_html_snippet_runs_in_chromium(
    snippet: Snippet, page: Any, live_server: Any, app_factory: AppFactory
) -> None:
    def make(base_url: str) -> Flask:
        app = app_factory(URL=base_url)

        @app.get("/snippet")
        def serve() -> str:
            return f"<!doctype html><html lang=en><title>snippet</title>{snippet.code}</html>"

        return app

    base = live_server(make)
    errors: list[str] = []
    logs: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: Any) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the browser's own request; this test app has no icon
        (errors if message.type == "error" else logs).append(message.text)

    page.on("console", console)
    page.goto(f"{base}/snippet")
    page.wait_for_load_state("networkidle")
    if page.locator("input[name=email]").count() and page.locator("input[name=password]").count():
        page.fill("input[name=email]", USER["email"])
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button").first.click()
        for _ in range(100):
            if any(USER["id"] in line or "failed" in line for line in logs):
                break
            page.wait_for_timeout(50)
        assert any(USER["id"] in line for line in logs), (snippet.name, logs, errors)
    assert errors == [], f"{snippet.name}: {errors}"


def test_the_docs_have_browser_snippets() -> None:
    assert BROWSER_SNIPPETS, "no html snippet found: the parser or the docs changed"


def test_the_readme_recipe_bundles_next_auth_react_for_a_plain_page(
    page: Any, live_server: Any, app_factory: AppFactory, tmp_path: Path
) -> None:
    """The README's esbuild recipe, run as written, except that ``npm install`` is replaced
    by the packages ``npm ci`` put in tests/nextauth (same pinned versions, no network)."""
    recipe = next(s for s in all_snippets("sh") if s.file == "build-next-auth.sh")
    install, build = recipe.code.split("\n", 1)
    assert install.startswith("npm install")
    if not (NODE_MODULES / "next-auth").is_dir() or not shutil.which("npx"):
        reason = "tests/nextauth has no node_modules (cd tests/nextauth && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run this test", pytrace=False)
        pytest.skip(reason)
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    (tmp_path / "static").mkdir()
    subprocess.run(["bash", "-euo", "pipefail", "-c", build], cwd=tmp_path, check=True)
    bundle = (tmp_path / "static" / "next-auth.js").read_text()

    def make(base_url: str) -> Flask:
        app = app_factory(URL=base_url)

        @app.get("/next-auth.js")
        def script() -> Response:
            return Response(bundle, mimetype="text/javascript")

        @app.get("/plain")
        def plain() -> str:
            return PLAIN_PAGE

        return app

    base = live_server(make)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/plain")
    result = page.evaluate(
        """async ([email, password]) => {
          const providers = await NextAuth.getProviders();
          const signIn = await NextAuth.signIn("credentials", {email, password, redirect: false});
          const session = await NextAuth.getSession();
          return [Object.keys(providers), signIn.ok, session.user.email];
        }""",
        [USER["email"], PASSWORD],
    )
    assert result == [["credentials"], True, USER["email"]] and errors == []
