"""``{base}/client.js`` in Chromium: each outcome of signIn, signOut and the readers.

Runs against the demo (its "sign in with fetch" page loads the client) and, for the classic
loop, against a custom sign-in page whose script calls ``AuthJS.signIn()`` with no provider.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from playwright.sync_api import expect

from demo.app import DEMO_EMAIL, DEMO_PASSWORD
from flask_authjs import RedirectLoopWarning

from ..conftest import PASSWORD, USER, AppFactory
from .conftest import demo

CLIENT_JS = Path(__file__).resolve().parents[2] / "flask_authjs" / "static" / "client.js"
ESBUILD = Path(__file__).resolve().parents[1] / "nextauth" / "node_modules" / ".bin" / "esbuild"


def sign_in_call(password: str, **options: Any) -> str:
    """The JavaScript call ``AuthJS.signIn("credentials", {...})`` for the demo user."""
    extra = "".join(f", {key}: {value}" for key, value in options.items())
    return (
        f"AuthJS.signIn('credentials', {{email: '{DEMO_EMAIL}', "
        f"password: '{password}', callbackUrl: '/dashboard'{extra}}})"
    )


def awaited(call: str) -> str:
    return f"() => {call}"


def started(call: str) -> str:
    """Start ``call`` without waiting: it navigates, which ends the page's script context."""
    return f"() => {{ {call}; }}"


def test_readers_return_next_auth_shapes(page: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    assert page.evaluate("() => AuthJS.basePath") == "/api/auth"
    providers = page.evaluate("() => AuthJS.getProviders()")
    assert providers["credentials"]["type"] == "credentials"
    assert providers["credentials"]["callbackUrl"] == f"{base}/api/auth/callback/credentials"
    token = page.evaluate("() => AuthJS.getCsrfToken()")
    assert isinstance(token, str) and len(token) > 20
    assert page.evaluate("() => AuthJS.getSession()") is None


def test_sign_in_without_redirect_reports_failure_then_success_with_the_session(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")

    wrong = page.evaluate(awaited(sign_in_call("wrong password", redirect="false")))
    assert wrong == {"error": "CredentialsSignin", "status": 401, "ok": False, "url": None}

    right = page.evaluate(awaited(sign_in_call(DEMO_PASSWORD, redirect="false")))
    session = right.pop("session")
    assert right == {"error": None, "status": 200, "ok": True, "url": f"{base}/dashboard"}
    assert session["user"]["email"] == DEMO_EMAIL and session["user"]["id"]
    assert page.evaluate("() => AuthJS.getSession()") == session
    assert page.url == f"{base}/fetch-sign-in"  # redirect:false never navigated


def test_sign_out_without_redirect_ends_the_session(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    page.evaluate(awaited(sign_in_call(DEMO_PASSWORD, redirect="false")))

    result = page.evaluate("() => AuthJS.signOut({redirect: false, callbackUrl: '/'})")
    assert result == {"url": f"{base}/", "ok": True, "status": 200, "error": None}
    assert page.evaluate("() => AuthJS.getSession()") is None
    assert page.url == f"{base}/fetch-sign-in"


@pytest.mark.parametrize("provider", ["undefined", "'github'"], ids=["none", "unknown"])
def test_sign_in_without_a_known_provider_and_redirect_false_does_not_navigate(
    page: Any, live_server: Any, tmp_path: Path, provider: str
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    result = page.evaluate(f"() => AuthJS.signIn({provider}, {{redirect: false}})")
    expected = "ProviderRequired" if provider == "undefined" else "UnknownProvider"
    assert result == {"error": expected, "status": 400, "ok": False, "url": None}
    assert page.url == f"{base}/fetch-sign-in"


def test_sign_in_and_out_with_redirect_navigate_like_next_auth(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    page.evaluate(started(sign_in_call("wrong password")))
    page.wait_for_url(f"{base}/api/auth/signin?**error=CredentialsSignin**")
    assert "Sign in failed" in page.locator("#signin-error").inner_text()

    page.goto(f"{base}/fetch-sign-in")
    page.evaluate(started(sign_in_call(DEMO_PASSWORD)))
    page.wait_for_url(f"{base}/dashboard")
    assert page.locator("#who").inner_text() == DEMO_EMAIL

    page.goto(f"{base}/fetch-sign-in")
    page.evaluate(started("AuthJS.signOut({callbackUrl: '/'})"))
    page.wait_for_url(f"{base}/")
    assert page.locator("#sign-in").is_visible()


def test_the_demo_fetch_page_signs_in_without_a_page_load(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    page.fill("#fetch-password", "wrong password")
    page.click("#fetch-form button")
    expect(page.locator("#fetch-result")).to_have_text(
        "Wrong email or password. Check them and try again."
    )

    page.fill("#fetch-password", DEMO_PASSWORD)
    page.click("#fetch-form button")
    expect(page.locator("#fetch-result")).to_have_text(re.compile("^Signed"))
    assert page.locator("#fetch-result").inner_text().startswith(f"Signed in as {DEMO_EMAIL} (id ")
    assert page.url == f"{base}/fetch-sign-in"


SEED_PAGE = """<!doctype html><title>Sign in</title><h1>Custom sign-in</h1>
<script src="/api/auth/client.js"></script>
<script>AuthJS.signIn();  /* the classic mistake: no provider */</script>"""


def test_the_classic_loop_in_a_browser_ends_on_a_sign_in_form(
    page: Any, live_server: Any, app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    visits: list[str] = []

    def make(base_url: str) -> Flask:
        app = app_factory(pages={"sign_in": "/sign-in"}, URL=base_url)

        @app.get("/sign-in")
        def custom_sign_in() -> str:
            visits.append("/sign-in")
            return render_template_string(SEED_PAGE)

        return app

    base = live_server(make)
    with pytest.warns(RedirectLoopWarning):
        page.goto(f"{base}/sign-in")
        page.wait_for_url(f"{base}/api/auth/signin?**")
        page.wait_for_load_state()
    assert visits == ["/sign-in"]  # one visit, no bounce
    assert page.locator("h1").inner_text() == "Sign in"
    loops = [r for r in caplog.records if r.levelno == logging.WARNING and "loop" in r.message]
    assert len(loops) == 1

    page.fill("#input-email-for-credentials-provider", USER["email"])
    page.fill("#input-password-for-credentials-provider", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert visits == ["/sign-in"]


def test_client_js_stays_small_when_minified(tmp_path: Path) -> None:
    """The aim: under 5 KB minified (measured with the esbuild of tests/nextauth)."""
    if not ESBUILD.exists() or shutil.which("node") is None:
        reason = "esbuild is not installed (cd tests/nextauth && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run this test", pytrace=False)
        pytest.skip(reason)
    minified = subprocess.run(
        [str(ESBUILD), "--minify", str(CLIENT_JS)], check=True, capture_output=True
    ).stdout
    assert len(minified) < 5 * 1024


LONG = "x" * 5000  # over the 4096-character field limit: the server answers 400 InvalidInput
HOSTILE = [f"https://evil.example/{LONG}", f"javascript:window.pwned=1//{LONG}"]


def watch_evil(page: Any) -> list[str]:
    """Requests that reached evil.example (answered locally: this machine has no internet)."""
    reached: list[str] = []

    def answer(route: Any) -> None:
        reached.append(route.request.url)
        route.fulfill(status=200, body="evil")

    page.route("https://evil.example/**", answer)
    return reached


@pytest.mark.parametrize("callback", HOSTILE, ids=["https", "javascript"])
@pytest.mark.parametrize("call", ["signIn", "signOut"])
def test_a_refused_request_never_navigates_to_the_callers_url(
    page: Any, live_server: Any, tmp_path: Path, callback: str, call: str
) -> None:
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    reached = watch_evil(page)
    arguments = (
        f"'credentials', {{email: '{DEMO_EMAIL}', password: '{DEMO_PASSWORD}', callbackUrl: url}}"
        if call == "signIn"
        else "{callbackUrl: url}"
    )
    result = page.evaluate(f"url => AuthJS.{call}({arguments})", callback)
    assert result == {"error": "InvalidInput", "status": 400, "ok": False, "url": None}
    page.wait_for_timeout(300)  # time for a navigation, had one started
    assert page.url == f"{base}/fetch-sign-in"
    assert reached == [] and page.evaluate("() => window.pwned") is None


@pytest.mark.parametrize("url", ["javascript:window.pwned=1", "data:text/html,evil"])
def test_only_http_urls_from_the_server_are_followed(
    page: Any, live_server: Any, tmp_path: Path, url: str
) -> None:
    """Even a server answer (here a tampered one) cannot make the client run a script URL."""
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/fetch-sign-in")
    page.route(
        f"{base}/api/auth/signout",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=f'{{"url": "{url}"}}'
        ),
    )
    result = page.evaluate("() => AuthJS.signOut({callbackUrl: '/'})")
    assert result == {"error": "RequestFailed", "status": 200, "ok": False, "url": None}
    page.wait_for_timeout(300)
    assert page.url == f"{base}/fetch-sign-in"
    assert page.evaluate("() => window.pwned") is None
