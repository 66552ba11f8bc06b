"""The built-in account page and the sign-in page's passkey button, as browsers get them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider, PasskeyProvider, totp
from tests.conftest import AppFactory, FakeClock, csrf_token, sign_in, use_clock

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(app_factory: AppFactory, clock: FakeClock) -> Flask:
    made = app_factory(providers=[CredentialsProvider(), PasskeyProvider()], TWO_FACTOR=True)
    context = made.extensions["authjs"]
    context.adapter.create_user(EMAIL, password_hash=context.password_hasher.hash(PASSWORD))
    return use_clock(made, clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    signed_in = app.test_client()
    assert sign_in(signed_in, EMAIL, PASSWORD).status_code == 200
    return signed_in


def form_post(client: FlaskClient, path: str, **fields: str) -> str:
    answer = client.post(path, data={"csrfToken": csrf_token(client), **fields})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_the_page_lists_passkeys_and_offers_two_factor(client: FlaskClient) -> None:
    page = client.get("/api/auth/account")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert EMAIL in html and 'id="no-passkeys"' in html
    assert 'id="authjs-passkey-register" data-provider="passkey"' in html
    assert "/api/auth/client.js" in html and "passkeys.js" in html
    assert "Two-factor sign-in is off." in html and 'id="two-factor-enable"' in html


def test_turning_two_factor_on_and_off_with_plain_forms(
    client: FlaskClient, clock: FakeClock
) -> None:
    enrol = form_post(client, "/api/auth/two-factor/enable")
    assert "<svg" in enrol and 'id="two-factor-confirm-code"' in enrol
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', enrol)
    assert secret is not None
    step = int(clock()) // totp.PERIOD
    wrong = client.post(
        "/api/auth/two-factor/confirm", data={"csrfToken": csrf_token(client), "code": "000000"}
    )
    assert wrong.status_code == 400 and "not valid" in wrong.get_data(as_text=True)
    shown = form_post(client, "/api/auth/two-factor/confirm", code=totp.code_at(secret[1], step))
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", shown)
    assert len(codes) == 10
    page = client.get("/api/auth/account").get_data(as_text=True)
    assert "Two-factor sign-in is on (10 recovery codes left)" in page
    assert codes[0] not in page  # shown once
    off = form_post(client, "/api/auth/two-factor/disable", code=codes[0])
    assert "Two-factor sign-in is off." in off


def test_the_sign_in_page_offers_the_passkey_button(app: Flask) -> None:
    html = app.test_client().get("/api/auth/signin").get_data(as_text=True)
    assert 'id="authjs-passkey-signin" data-provider="passkey"' in html
    assert "passkeys.js" in html
    # Passkeys are not an OAuth form posting to signin/passkey.
    assert 'action="http://localhost/api/auth/signin/passkey"' not in html


def test_the_page_without_two_factor_or_passkeys_shows_neither(app_factory: AppFactory) -> None:
    app = app_factory(providers=[CredentialsProvider()])
    context = app.extensions["authjs"]
    context.adapter.create_user(EMAIL, password_hash=context.password_hasher.hash(PASSWORD))
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    html = client.get("/api/auth/account").get_data(as_text=True)
    assert "Passkeys" not in html and "Two-factor" not in html and "client.js" not in html
