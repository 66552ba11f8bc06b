"""Passkeys and TOTP two-factor in the demo, in Chromium with a CDP virtual authenticator.

The authenticator is Chromium's own WebAuthn implementation behind the DevTools protocol
(``WebAuthn.addVirtualAuthenticator``): the page calls the real ``navigator.credentials``
API through ``client.js``, and the server verifies real attestations and assertions.
The app is reached as ``localhost``: an IP address cannot be a relying party ID.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.app import DEMO_EMAIL, DEMO_PASSWORD
from flask_authjs import totp
from flask_authjs.pipeline.second_factor import secret_sealer

from .conftest import demo
from .test_nextauth_react import inject, sign_in_call
from .test_nextauth_react import nextauth_bundle as nextauth_bundle  # a fixture, by name


class Authenticator:
    """One virtual platform authenticator (resident keys, user verification) on a page."""

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        self.id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        return list(
            self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]
        )

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified}
        )

    def replace(self, credential: dict[str, Any]) -> None:
        self.cdp.send(
            "WebAuthn.removeCredential",
            {"authenticatorId": self.id, "credentialId": credential["credentialId"]},
        )
        self.cdp.send(
            "WebAuthn.addCredential", {"authenticatorId": self.id, "credential": credential}
        )


def sign_in_with_password(
    page: Any, base: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD
) -> None:
    page.goto(f"{base}/dashboard")
    page.fill("#input-email-for-credentials-provider", email)
    page.fill("#input-password-for-credentials-provider", password)
    page.click("form.credentials button[type=submit]")


def sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.click("#sign-out")
    page.wait_for_url(f"{base}/")


def sign_in_with_passkey(page: Any, base: str) -> None:
    page.goto(f"{base}/dashboard")
    page.click("#authjs-passkey-signin")


def add_passkey(page: Any, base: str, name: str) -> None:
    sign_in_with_password(page, base)
    page.wait_for_url(f"{base}/dashboard")
    page.click("#account-link")
    page.wait_for_url(f"{base}/api/auth/account")
    page.fill("#authjs-passkey-name", name)
    page.click("#authjs-passkey-register")
    expect(page.locator("#passkey-list input[name=name]").first).to_have_value(name)


@pytest.fixture
def base(live_server: Any, tmp_path: Path) -> str:
    return str(live_server(demo(tmp_path), host="localhost"))


def test_add_a_passkey_sign_out_and_sign_in_with_it(page: Any, base: str) -> None:
    device = Authenticator(page)
    add_passkey(page, base, "Test laptop")
    [credential] = device.credentials()
    assert credential["isResidentCredential"] is True and credential["rpId"] == "localhost"
    sign_out(page, base)

    sign_in_with_passkey(page, base)
    page.wait_for_url(f"{base}/dashboard")
    assert DEMO_EMAIL in page.locator("#session").inner_text()
    [used] = device.credentials()
    assert used["signCount"] > credential["signCount"]

    # A clone taken at registration, used after the original moved on, has a lower counter.
    # (Chromium also counts the autofill request each sign-in page starts, so the
    # authenticator runs ahead of the server; a clone this old stays behind both.)
    clone = dict(credential)
    sign_out(page, base)
    sign_in_with_passkey(page, base)
    page.wait_for_url(f"{base}/dashboard")
    sign_out(page, base)
    device.replace(clone)
    sign_in_with_passkey(page, base)
    expect(page.locator("#authjs-passkey-error")).to_be_visible()
    assert "could not be verified" in page.locator("#authjs-passkey-error").inner_text()
    assert page.url.startswith(f"{base}/api/auth/signin")
    assert page.evaluate("AuthJS.getSession()") is None


def test_a_passkey_without_user_verification_is_refused(page: Any, base: str) -> None:
    device = Authenticator(page)
    add_passkey(page, base, "Key")
    sign_out(page, base)
    device.set_user_verified(False)
    sign_in_with_passkey(page, base)
    expect(page.locator("#authjs-passkey-error")).to_be_visible()
    assert page.evaluate("AuthJS.getSession()") is None


SESSION = "fetch('/api/auth/session').then(r => r.json())"


def sign_in_with_code(page: Any, base: str, code: str, *credentials: str) -> None:
    """The password, then the code page (no session until the code is in)."""
    sign_in_with_password(page, base, *credentials)
    page.wait_for_url(f"{base}/api/auth/two-factor?error=TwoFactorRequired")
    assert page.evaluate(SESSION) == {}
    page.fill("#two-factor-code", code)
    page.click("#two-factor-submit")


def current_code(secret: str, ahead: int = 0) -> str:
    return totp.code_at(secret, int(time.time()) // totp.PERIOD + ahead)


def turn_on_two_factor(page: Any) -> tuple[str, list[str]]:
    """From the account page: the secret the QR code holds, and the ten recovery codes."""
    page.click("#two-factor-enable")
    expect(page.locator("#two-factor-qr svg")).to_be_visible()
    secret = str(page.locator("#two-factor-secret").inner_text())
    page.fill("#two-factor-confirm-code", current_code(secret))
    page.click("#two-factor-confirm")
    codes = list(page.locator("#recovery-codes code").all_inner_texts())
    assert len(codes) == 10
    return secret, codes


def test_sign_up_add_a_passkey_turn_on_two_factor_and_survive_a_lost_phone(
    page: Any, base: str
) -> None:
    """The whole story in the demo: every way in works, and each asks for what it should."""
    device = Authenticator(page)
    email, password = "story@example.com", "a long story password"
    page.goto(f"{base}/dashboard")
    page.click("#signup-link")
    page.fill("#signup-email", email)
    page.fill("#signup-password", password)
    page.click("#signup-submit")
    # The demo asks for the address to be confirmed first: the link is in its outbox.
    page.wait_for_url(f"{base}/api/auth/verify-request**")
    page.goto(f"{base}/outbox")
    page.click(".mail-link >> nth=0")
    page.click("#submitButton")
    page.wait_for_url(f"{base}/dashboard")
    page.click("#account-link")
    page.fill("#authjs-passkey-name", "Phone")
    page.click("#authjs-passkey-register")
    expect(page.locator("#passkey-list input[name=name]").first).to_have_value("Phone")
    secret, codes = turn_on_two_factor(page)
    assert len(device.credentials()) == 1
    sign_out(page, base)

    # A passkey that verified the user is both factors: no code is asked for.
    sign_in_with_passkey(page, base)
    page.wait_for_url(f"{base}/dashboard")
    assert email in page.locator("#session").inner_text()
    sign_out(page, base)

    # The password needs the code.
    sign_in_with_code(page, base, current_code(secret, ahead=1), email, password)
    page.wait_for_url(f"{base}/dashboard")
    sign_out(page, base)

    # The phone is lost (and the passkey with it): a recovery code gets in.
    sign_in_with_code(page, base, codes[5], email, password)
    page.wait_for_url(f"{base}/dashboard")
    assert email in page.locator("#session").inner_text()


def test_turn_on_two_factor_sign_in_with_a_code_then_with_a_recovery_code(
    page: Any, base: str
) -> None:
    sign_in_with_password(page, base)
    page.wait_for_url(f"{base}/dashboard")
    page.click("#account-link")
    secret, codes = turn_on_two_factor(page)
    sign_out(page, base)

    # Password first, then the code page; the enrolment's time step is spent, so the next.
    sign_in_with_code(page, base, current_code(secret, ahead=1))
    page.wait_for_url(f"{base}/dashboard")
    sign_out(page, base)

    # The phone is lost: a recovery code gets in, once.
    sign_in_with_code(page, base, codes[0])
    page.wait_for_url(f"{base}/dashboard")
    sign_out(page, base)
    sign_in_with_code(page, base, codes[0])
    assert "not valid" in page.locator("[role=alert]").inner_text()
    assert page.evaluate(SESSION) == {}


def test_next_auth_react_reports_two_factor_required_and_the_code_finishes(
    page: Any, live_server: Any, tmp_path: Path, nextauth_bundle: Path
) -> None:
    """The real ``next-auth/react`` client: the first factor answers ``TwoFactorRequired``
    (no session); posting the code to ``{base}/two-factor`` then signs in."""
    apps: list[Any] = []

    def make(url: str) -> Any:
        apps.append(demo(tmp_path)(url))
        return apps[-1]

    base = live_server(make, host="localhost")
    context = apps[0].extensions["authjs"]
    user = context.adapter.get_user_by_email(DEMO_EMAIL)
    secret = totp.new_secret()
    sealed = secret_sealer(context).seal(secret, bound_to=user["id"])
    context.adapter.set_two_factor(user["id"], sealed, enabled=True)

    page.goto(f"{base}/")
    inject(page, base, nextauth_bundle)
    first = page.evaluate(sign_in_call(DEMO_PASSWORD))
    assert first == {"error": "TwoFactorRequired", "status": 401, "ok": False, "url": None}
    assert page.evaluate("() => NextAuth.getSession()") is None

    answer = page.evaluate(
        """async (code) => {
            const csrfToken = await NextAuth.getCsrfToken();
            const response = await fetch("/api/auth/two-factor", {
                method: "POST",
                headers: {"Content-Type": "application/x-www-form-urlencoded"},
                body: new URLSearchParams({code, csrfToken, json: "true"}),
            });
            return {status: response.status, body: await response.json()};
        }""",
        current_code(secret),
    )
    assert answer["status"] == 200 and answer["body"]["session"]["user"]["email"] == DEMO_EMAIL
    assert page.evaluate("() => NextAuth.getSession()")["user"]["email"] == DEMO_EMAIL
