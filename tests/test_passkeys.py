"""Passkeys end to end through the routes, with a software authenticator, and the attacks."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import CredentialsProvider, PasskeyProvider
from tests.conftest import AppFactory, csrf_token, post_json_true, session_cookie, sign_in
from tests.soft_authenticator import (
    SoftAuthenticator,
    authenticate,
    options,
    post_credential,
    register,
)

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    made = app_factory(providers=[CredentialsProvider(), PasskeyProvider()], TWO_FACTOR=True)
    context = made.extensions["authjs"]
    context.adapter.create_user(
        EMAIL, name="Ada", password_hash=context.password_hasher.hash(PASSWORD)
    )
    return made


@pytest.fixture
def device() -> SoftAuthenticator:
    return SoftAuthenticator()


@pytest.fixture
def registered(app: Flask, device: SoftAuthenticator) -> SoftAuthenticator:
    """Ada, signed in with her password, added one passkey (in another browser)."""
    client = app.test_client()
    assert sign_in(client, EMAIL, PASSWORD).status_code == 200
    answer = register(client, device, name="Laptop")
    assert answer.status_code == 200, answer.get_json()
    return device


def test_a_signed_in_user_adds_a_passkey(app: Flask, device: SoftAuthenticator) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    opts = options(client, "register")
    assert opts["rp"]["id"] == "localhost"
    assert opts["authenticatorSelection"]["residentKey"] == "required"
    assert opts["authenticatorSelection"]["userVerification"] == "required"
    answer = post_credential(client, "register", device.create(opts), name="Laptop")
    assert answer.status_code == 200
    passkey = answer.get_json()["passkey"]
    assert passkey["name"] == "Laptop" and passkey["backedUp"] is True
    user = app.extensions["authjs"].adapter.get_user_by_email(EMAIL)
    [stored] = app.extensions["authjs"].adapter.list_authenticators(user["id"])
    assert stored["credential_id"] == passkey["id"]
    assert stored["transports"] == ["internal", "hybrid"]
    # The next registration excludes the passkey already there.
    assert [c["id"] for c in options(client, "register")["excludeCredentials"]] == [passkey["id"]]


def test_a_signed_out_visitor_signs_in_with_a_passkey(
    app: Flask, registered: SoftAuthenticator
) -> None:
    client = app.test_client()
    opts = options(client, "authenticate")
    assert "allowCredentials" not in opts or opts["allowCredentials"] == []
    answer = post_credential(client, "authenticate", registered.get(opts))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["session"]["user"]["email"] == EMAIL
    assert client.get("/api/auth/session").get_json()["user"]["email"] == EMAIL


def test_without_an_action_the_session_decides(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/auth/webauthn-options/passkey").get_json()["action"] == "authenticate"
    sign_in(client, EMAIL, PASSWORD)
    assert client.get("/api/auth/webauthn-options/passkey").get_json()["action"] == "register"


def test_registering_needs_a_session(app: Flask) -> None:
    response = app.test_client().get("/api/auth/webauthn-options/passkey?action=register")
    assert response.status_code == 401
    assert response.get_json()["error"] == "SessionRequired"


@pytest.mark.parametrize("query", ["?action=delete", ""])
def test_bad_options_requests_are_clear_errors(app: Flask, query: str) -> None:
    client = app.test_client()
    if query:
        assert client.get(f"/api/auth/webauthn-options/passkey{query}").status_code == 400
    assert client.get("/api/auth/webauthn-options/credentials").status_code == 400
    assert client.get("/api/auth/webauthn-options/nope").status_code == 400


def refused(answer: Any) -> None:
    assert answer.status_code == 401, answer.get_json()
    assert answer.get_json()["error"] == "WebAuthnVerificationError"
    assert "session" not in answer.get_json()


# Hostile: each answer is refused, and no session is issued.


def test_a_replayed_assertion_is_refused(app: Flask, registered: SoftAuthenticator) -> None:
    client = app.test_client(use_cookies=False)
    listing = client.get("/api/auth/webauthn-options/passkey?action=authenticate")
    cookie = listing.headers["Set-Cookie"].split(";", 1)[0]
    assertion = registered.get(listing.get_json()["options"])
    jar = app.test_client()
    jar.set_cookie("authjs.challenge", cookie.split("=", 1)[1], domain="localhost")
    first = post_credential(jar, "authenticate", assertion)
    assert first.status_code == 200
    # The same assertion with the same challenge cookie, sent again.
    again = app.test_client()
    again.set_cookie("authjs.challenge", cookie.split("=", 1)[1], domain="localhost")
    refused(post_credential(again, "authenticate", assertion))
    # And with a fresh challenge, the old signature does not match it.
    fresh = app.test_client()
    options(fresh, "authenticate")
    refused(post_credential(fresh, "authenticate", assertion))


def test_a_challenge_from_another_session_is_refused(
    app: Flask, registered: SoftAuthenticator
) -> None:
    victim, attacker = app.test_client(), app.test_client()
    victims_options = options(victim, "authenticate")
    options(attacker, "authenticate")
    refused(post_credential(attacker, "authenticate", registered.get(victims_options)))


def test_no_challenge_cookie_is_refused(app: Flask, registered: SoftAuthenticator) -> None:
    opts = options(app.test_client(), "authenticate")
    refused(post_credential(app.test_client(), "authenticate", registered.get(opts)))


@pytest.mark.parametrize(
    "bend",
    [
        {"origin": "http://evil.example"},
        {"origin": "http://localhost:8080"},
        {"rp_id": "evil.example"},
        {"tamper": True},
        {"user_handle": b"someone-else"},
    ],
    ids=["wrong-origin", "wrong-port", "wrong-rp-id", "tampered-client-data", "other-user"],
)
def test_bent_assertions_are_refused(
    app: Flask, registered: SoftAuthenticator, bend: dict[str, Any]
) -> None:
    refused(authenticate(app, registered, **bend))


def test_user_verification_off_is_refused(app: Flask, registered: SoftAuthenticator) -> None:
    registered.user_verified = False
    refused(authenticate(app, registered))


def test_a_counter_going_backwards_is_refused_and_logged(
    app: Flask, registered: SoftAuthenticator, caplog: pytest.LogCaptureFixture
) -> None:
    assert authenticate(app, registered).status_code == 200
    registered.credentials[-1].counter = 5
    assert authenticate(app, registered).status_code == 200
    # A clone made before those uses still counts from 1.
    with caplog.at_level(logging.WARNING, logger="flask_authjs.passkey"):
        refused(authenticate(app, registered, counter=2))
    assert "cloned" in caplog.text


def test_an_unknown_credential_is_refused(app: Flask) -> None:
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "eA"}, "challenge": "AA"})
    client = app.test_client()
    refused(post_credential(client, "authenticate", stranger.get(options(client, "authenticate"))))


def test_garbage_data_is_refused_without_a_500(app: Flask) -> None:
    client = app.test_client()
    options(client, "authenticate")
    for data in ["", "null", "[1]", '{"id": 1}', "{" * 100]:
        answer = post_json_true(
            client, "/api/auth/callback/passkey", action="authenticate", data=data
        )
        assert answer.status_code in (400, 401), data


def test_a_registration_challenge_is_bound_to_its_user(
    app: Flask, device: SoftAuthenticator
) -> None:
    context = app.extensions["authjs"]
    context.adapter.create_user(
        "bob@example.com", password_hash=context.password_hasher.hash(PASSWORD)
    )
    ada, bob = app.test_client(), app.test_client()
    sign_in(ada, EMAIL, PASSWORD)
    sign_in(bob, "bob@example.com", PASSWORD)
    adas_options = options(ada, "register")
    options(bob, "register")
    # Bob's browser posts a credential made for Ada's challenge (and Ada's user handle).
    answer = post_credential(bob, "register", device.create(adas_options))
    assert answer.status_code == 400
    bob_id = context.adapter.get_user_by_email("bob@example.com")["id"]
    assert context.adapter.list_authenticators(bob_id) == []


@pytest.mark.parametrize("bend", [{"origin": "http://evil.example"}, {"rp_id": "evil.example"}])
def test_a_bent_registration_is_refused(
    app: Flask, device: SoftAuthenticator, bend: dict[str, Any]
) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    answer = post_credential(client, "register", device.create(options(client, "register"), **bend))
    assert answer.status_code == 400


def test_the_callback_needs_csrf(app: Flask, registered: SoftAuthenticator) -> None:
    client = app.test_client()
    assertion = registered.get(options(client, "authenticate"))
    answer = client.post(
        "/api/auth/callback/passkey",
        data={"action": "authenticate", "data": json.dumps(assertion), "json": "true"},
    )
    assert answer.status_code == 403
    assert csrf_token(client)


# Managing passkeys.


def manage(client: FlaskClient, op: str, **fields: str) -> Any:
    return post_json_true(client, f"/api/auth/passkey/{op}", **fields)


def test_a_user_renames_and_deletes_a_passkey(app: Flask, registered: SoftAuthenticator) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    adapter = app.extensions["authjs"].adapter
    user = adapter.get_user_by_email(EMAIL)
    [passkey] = adapter.list_authenticators(user["id"])
    assert (
        manage(client, "rename", credentialId=passkey["credential_id"], name="Work").status_code
        == 200
    )
    assert adapter.get_authenticator(passkey["credential_id"])["name"] == "Work"
    page = client.get("/api/auth/account")
    assert page.status_code == 200 and b"Work" in page.data
    assert manage(client, "delete", credentialId=passkey["credential_id"]).status_code == 200
    assert adapter.list_authenticators(user["id"]) == []
    assert manage(client, "delete", credentialId=passkey["credential_id"]).status_code == 404


def test_deleting_the_last_way_to_sign_in_is_refused(app: Flask, device: SoftAuthenticator) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    register(client, device)
    adapter = app.extensions["authjs"].adapter
    user = adapter.get_user_by_email(EMAIL)
    # Ada drops her password (as a passkey-only account would have none).
    adapter.set_password_hash(user["id"], "")
    [passkey] = adapter.list_authenticators(user["id"])
    answer = manage(client, "delete", credentialId=passkey["credential_id"])
    assert answer.status_code == 409 and answer.get_json()["error"] == "LastSignInMethod"
    register(client, device)
    assert manage(client, "delete", credentialId=passkey["credential_id"]).status_code == 200


def test_another_users_passkey_cannot_be_touched(app: Flask, registered: SoftAuthenticator) -> None:
    context = app.extensions["authjs"]
    context.adapter.create_user(
        "eve@example.com", password_hash=context.password_hasher.hash(PASSWORD)
    )
    eve = app.test_client()
    sign_in(eve, "eve@example.com", PASSWORD)
    credential_id = registered.credentials[-1].id
    from tests.soft_authenticator import b64url

    assert manage(eve, "delete", credentialId=b64url(credential_id)).status_code == 404
    assert manage(eve, "rename", credentialId=b64url(credential_id), name="x").status_code == 404
    assert context.adapter.get_authenticator(b64url(credential_id)) is not None


def test_managing_needs_a_session(app: Flask) -> None:
    assert manage(app.test_client(), "delete", credentialId="x").status_code == 401
    page = app.test_client().get("/api/auth/account")
    assert page.status_code == 302 and "/api/auth/signin" in page.headers["Location"]


def test_challenges_per_address_are_limited(app_factory: AppFactory) -> None:
    app = app_factory(providers=[PasskeyProvider()], RATE_LIMIT_PER_ADDRESS=3)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/auth/webauthn-options/passkey").status_code == 200
    limited = client.get("/api/auth/webauthn-options/passkey")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "authjs.challenge" not in limited.headers.get("Set-Cookie", "")


def test_a_registration_challenge_does_not_sign_in(
    app: Flask, registered: SoftAuthenticator
) -> None:
    client = app.test_client()
    sign_in(client, EMAIL, PASSWORD)
    register_options = options(client, "register")
    # The assertion answers the registration challenge: the ceremony named in the cookie
    # is "register", so the sign-in refuses it (and spends nothing of the other kind).
    refused(post_credential(client, "authenticate", registered.get(register_options)))


def test_a_cookie_of_another_purpose_is_no_challenge(
    app: Flask, registered: SoftAuthenticator
) -> None:
    client = app.test_client()
    signed_in = sign_in(client, EMAIL, PASSWORD)
    session_token = session_cookie(signed_in)
    assert session_token
    opts = options(app.test_client(), "authenticate")
    forger = app.test_client()
    forger.set_cookie("authjs.challenge", session_token, domain="localhost")
    refused(post_credential(forger, "authenticate", registered.get(opts)))


def test_on_https_the_challenge_cookie_is_host_only(app_factory: AppFactory) -> None:
    app = app_factory(providers=[PasskeyProvider()], URL="https://example.com")
    response = app.test_client().get(
        "/api/auth/webauthn-options/passkey", base_url="https://example.com"
    )
    assert response.get_json()["options"]["rpId"] == "example.com"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "authjs.challenge" in c)
    assert cookie.startswith("__Host-authjs.challenge=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
