"""axe-core (the npm package, injected by Playwright into Chromium) on every page people see.

Every built-in page and every demo page, signed out and signed in, at desktop size and at
390x844 (a phone), in the demo's theme and in the default one: zero WCAG 2.1 A/AA
violations, and nothing wider than the screen at phone size.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template

from demo.app import DEMO_EMAIL, DEMO_PASSWORD
from flask_authjs import CredentialsProvider, EmailProvider, StubOAuthProvider, sign_in, totp

from ..conftest import AppFactory
from .conftest import LiveServer, demo

AXE = (
    Path(__file__).resolve().parent.parent / "nextauth" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

SIGNED_OUT = [
    "/api/auth/signin",
    "/api/auth/signin?error=CredentialsSignin&email=someone%40example.com",
    "/api/auth/signin?error=OAuthAccountNotLinked",
    "/api/auth/signup",
    "/api/auth/signout",
    "/api/auth/error?error=Configuration",
    "/api/auth/error?error=AccessDenied",
    "/api/auth/error?error=Default",
    "/unavailable",
    # The mail flows: "check your email", the forms and the one-button pages links open.
    "/api/auth/verify-request?provider=email&type=email",
    "/api/auth/verify-request?provider=credentials&type=reset",
    "/api/auth/signin?error=EmailNotVerified",
    "/api/auth/forgot-password",
    f"/api/auth/reset-password?token={'0' * 64}&email=someone%40example.com",
    f"/api/auth/callback/email?token={'0' * 64}&email=someone%40example.com",
    f"/api/auth/verify-email?token={'0' * 64}&email=someone%40example.com",
]
SIGNED_IN = [
    "/api/auth/signin",
    "/api/auth/signin?welcome=1",
    "/api/auth/signout",
    "/api/auth/change-password",
]
DEMO_SIGNED_OUT = ["/", "/fetch-sign-in", "/outbox"]
DEMO_SIGNED_IN = ["/", "/dashboard", "/fetch-sign-in", "/api/auth/account"]


def axe_script() -> str:
    if not AXE.is_file():
        reason = "axe-core is not installed (cd tests/nextauth && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run this test", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text()


def with_test_pages(app: Flask) -> Flask:
    """The two built-in pages no plain GET reaches: the 503 page and the OAuth start page."""

    @app.get("/unavailable")
    def unavailable() -> tuple[str, int]:
        html = render_template(
            "authjs/unavailable.html", message="The store is down.", retry_url="/"
        )
        return html, 503

    @app.get("/start-stub")
    def start_stub() -> Any:
        return sign_in("stub", callback_url="/")

    return app


def demo_app(tmp_path: Path) -> Callable[[str], Flask]:
    make_demo = demo(tmp_path)
    return lambda url: with_test_pages(make_demo(url))


def plain_app(app_factory: AppFactory) -> Callable[[str], Flask]:
    def make(url: str) -> Flask:
        app = app_factory(
            providers=[CredentialsProvider(), StubOAuthProvider(), EmailProvider()],
            URL=url,
            SIGNUP=True,
            STUB_OAUTH=True,
            EMAIL_VERIFICATION="optional",
        )
        app.extensions["authjs"].adapter.create_user(
            DEMO_EMAIL,
            password_hash=app.extensions["authjs"].password_hasher.hash(DEMO_PASSWORD),
        )
        return with_test_pages(app)

    return make


BORDER_CONTRAST = """() => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const behind = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("input:not([type=hidden])")]
    .filter((input) => input.offsetParent !== null)
    .map((input) => {
      const a = luminance(rgb(getComputedStyle(input).borderTopColor));
      const b = luminance(behind(input));
      return [input.id || input.name, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
}"""


def problems_on(page: Any, script: str, url: str, phone: bool) -> list[str]:
    page.add_script_tag(content=script)
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
             .violations.map(v => `${v.id} (${v.impact}): ${v.help} -> ` +
               v.nodes.map(n => n.target.join(" ")).join(", "))""",
        WCAG_21_AA,
    )
    found = [f"{url}: {violation}" for violation in violations]
    # WCAG 1.4.11, which axe does not measure: an input's border against what is behind it.
    for field, ratio in page.evaluate(BORDER_CONTRAST):
        if ratio < 3:
            found.append(f"{url}: the border of {field} has contrast {ratio:.2f}:1 (needs 3:1)")
    if phone:
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            found.append(f"{url}: scrolls {overflow}px sideways at 390px")
    return found


def visit(page: Any, base: str, path: str, script: str, phone: bool) -> list[str]:
    response = page.goto(base + path)
    assert response is not None and "text/html" in response.headers["content-type"], path
    return problems_on(page, script, path, phone)


def two_factor_pages(page: Any, base: str, script: str, phone: bool) -> list[str]:
    """Signed in on the account page: enrolment (QR code), the recovery codes, and, signed
    in again, the code page."""
    page.goto(f"{base}/api/auth/account")
    page.click("#two-factor-enable")
    found = problems_on(page, script, "two-factor enrolment", phone)
    secret = page.locator("#two-factor-secret").inner_text()
    page.fill("#two-factor-confirm-code", totp.code_at(secret, int(time.time()) // totp.PERIOD))
    page.click("#two-factor-confirm")
    page.wait_for_selector("#recovery-codes")
    found += problems_on(page, script, "recovery codes", phone)
    page.context.clear_cookies()
    sign_in_through_the_form(page, base)
    page.wait_for_url("**/api/auth/two-factor**")
    found += problems_on(page, script, "two-factor code", phone)
    return found


def sign_in_through_the_form(page: Any, base: str) -> None:
    page.goto(f"{base}/api/auth/signin")
    page.fill("#input-email-for-credentials-provider", DEMO_EMAIL)
    page.fill("#input-password-for-credentials-provider", DEMO_PASSWORD)
    page.click("form.credentials button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("theme", ["demo", "default"])
def test_every_page_has_no_wcag_21_aa_violation_and_fits_a_phone(
    browser: Any,
    live_server: LiveServer,
    app_factory: AppFactory,
    tmp_path: Path,
    theme: str,
    viewport: str,
) -> None:
    script = axe_script()
    base = live_server(demo_app(tmp_path) if theme == "demo" else plain_app(app_factory))
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = viewport == "phone"
    problems: list[str] = []
    try:
        extra = DEMO_SIGNED_OUT if theme == "demo" else []
        for path in [*SIGNED_OUT, *extra]:
            problems += visit(page, base, path, script, phone)

        # Pages reached by doing something: a failed sign-up, the stub's page, the start page.
        page.goto(f"{base}/api/auth/signup")
        page.fill("#signup-email", "not an email")
        page.fill("#signup-password", "short")
        page.click("#signup-submit")
        problems += problems_on(page, script, "sign-up with errors", phone)
        page.goto(f"{base}/api/auth/forgot-password")
        page.fill("#forgot-email", "not an email")
        page.click("#forgot-submit")
        problems += problems_on(page, script, "forgot password with errors", phone)
        page.goto(f"{base}/api/auth/reset-password?token={'0' * 64}&email=someone%40example.com")
        page.fill("#reset-password", "short")
        page.click("#reset-submit")
        problems += problems_on(page, script, "reset password with errors", phone)
        page.goto(f"{base}/api/auth/signin")
        page.click("text=Sign in with Stub")
        page.wait_for_url("**/stub/authorize**")
        problems += problems_on(page, script, "stub authorize", phone)
        page.route("**/start.js", lambda route: route.abort())  # stay on the start page
        problems += visit(page, base, "/start-stub", script, phone)
        page.unroute("**/start.js")
        if theme == "demo":
            page.goto(f"{base}/fetch-sign-in")
            page.fill("#fetch-password", "wrong password")
            page.click("#fetch-form button")
            page.wait_for_selector("#fetch-result.error")
            problems += problems_on(page, script, "fetch sign-in failed", phone)

        sign_in_through_the_form(page, base)
        extra = DEMO_SIGNED_IN if theme == "demo" else []
        for path in [*SIGNED_IN, *extra]:
            problems += visit(page, base, path, script, phone)
        if theme == "demo":  # the demo has passkeys and two-factor on
            problems += two_factor_pages(page, base, script, phone)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
