"""The real ``next-auth/react`` 4 client (tests/nextauth, pinned) against the running demo.

The client is bundled by esbuild from the npm package into one script that sets
``window.NextAuth``, injected into a demo page, and driven in Chromium: the same calls a
Next.js app makes, against flask-authjs's routes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from demo.app import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import demo

NEXTAUTH_DIR = Path(__file__).resolve().parents[1] / "nextauth"


@pytest.fixture(scope="module")
def nextauth_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (NEXTAUTH_DIR / "node_modules" / "next-auth").is_dir() or not shutil.which("node"):
        reason = "next-auth is not installed (cd tests/nextauth && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run this test", pytrace=False)
        pytest.skip(reason)
    bundle = tmp_path_factory.mktemp("nextauth") / "next-auth-react.js"
    subprocess.run(["node", str(NEXTAUTH_DIR / "build.mjs"), str(bundle)], check=True)
    return bundle


def sign_in_call(password: str) -> str:
    return (
        f"() => NextAuth.signIn('credentials', {{email: '{DEMO_EMAIL}', "
        f"password: '{password}', callbackUrl: '/dashboard', redirect: false}})"
    )


def test_next_auth_react_signs_in_and_out_against_flask_authjs(
    page: Any, live_server: Any, tmp_path: Path, nextauth_bundle: Path
) -> None:
    base = live_server(demo(tmp_path))
    logged: list[str] = []
    page.on("request", lambda r: logged.append(r.url) if r.url.endswith("/_log") else None)
    page.goto(f"{base}/")
    inject(page, base, nextauth_bundle)

    providers = page.evaluate("() => NextAuth.getProviders()")
    assert providers["credentials"] == {
        "id": "credentials",
        "name": "Credentials",
        "type": "credentials",
        "signinUrl": f"{base}/api/auth/signin/credentials",
        "callbackUrl": f"{base}/api/auth/callback/credentials",
    }
    token = page.evaluate("() => NextAuth.getCsrfToken()")
    assert isinstance(token, str) and token
    assert page.evaluate("() => NextAuth.getSession()") is None

    wrong = page.evaluate(sign_in_call("wrong password"))
    assert wrong == {"error": "CredentialsSignin", "status": 401, "ok": False, "url": None}

    right = page.evaluate(sign_in_call(DEMO_PASSWORD))
    assert right == {"error": None, "status": 200, "ok": True, "url": f"{base}/dashboard"}

    session = page.evaluate("() => NextAuth.getSession()")
    assert set(session) == {"user", "expires"}
    assert set(session["user"]) == {"id", "name", "email", "image"}
    assert session["user"]["email"] == DEMO_EMAIL
    assert session["expires"].endswith("Z")

    signed_out = page.evaluate("() => NextAuth.signOut({redirect: false, callbackUrl: '/'})")
    assert signed_out["url"] == f"{base}/"
    assert page.evaluate("() => NextAuth.getSession()") is None
    assert page.url == f"{base}/"  # redirect:false never navigated
    assert logged == []  # the client had no error to report


def test_next_auth_react_error_reports_reach_the_log_route(
    page: Any, live_server: Any, tmp_path: Path, nextauth_bundle: Path
) -> None:
    """A failed fetch makes the client post {base}/_log (sendBeacon): it gets an empty 204."""
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/")
    inject(page, base, nextauth_bundle)
    page.route("**/api/auth/session", lambda route: route.fulfill(status=500, body="{}"))
    with page.expect_response("**/api/auth/_log") as reported:
        assert page.evaluate("() => NextAuth.getSession()") is None
    assert reported.value.status == 204


def test_next_auth_react_email_sign_in_lands_on_verify_request(
    page: Any, live_server: Any, tmp_path: Path, nextauth_bundle: Path
) -> None:
    """``signIn("email")`` as a Next.js page calls it: the client takes our answer as the
    verify-request URL, and that page is served."""
    base = live_server(demo(tmp_path))
    page.goto(f"{base}/")
    inject(page, base, nextauth_bundle)
    providers = page.evaluate("() => NextAuth.getProviders()")
    assert providers["email"]["type"] == "email"
    assert providers["email"]["signinUrl"] == f"{base}/api/auth/signin/email"
    sent = page.evaluate(
        "() => NextAuth.signIn('email', {email: 'reader@example.com', redirect: false, "
        "callbackUrl: '/dashboard'})"
    )
    verify_request = f"{base}/api/auth/verify-request?provider=email&type=email"
    assert sent == {"error": None, "status": 200, "ok": True, "url": verify_request}
    page.goto(verify_request)
    assert page.inner_text("h1") == "Check your email"
    assert "A sign in link has been sent to your email address." in page.inner_text("body")


def inject(page: Any, base: str, bundle: Path) -> None:
    """Load the bundle from our own origin, so the demo's CSP (``script-src 'self'``) allows it."""
    url = f"{base}/__test__/next-auth-react.js"
    page.route(url, lambda route: route.fulfill(path=str(bundle), content_type="text/javascript"))
    page.add_script_tag(url=url)
