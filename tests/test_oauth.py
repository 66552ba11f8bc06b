"""OAuth sign-in against the stub identity provider, over a real socket, end to end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import (
    CredentialsProvider,
    StubOAuthProvider,
    account_linked,
    signed_in,
    user_created,
)

from .conftest import csrf_token, session_cookie
from .oauth_flow import authorize, cookie_value, local, query, serving, start, stub_sign_in

STATE = "authjs.state"
PKCE = "authjs.pkce.code_verifier"


@pytest.fixture
def serve(app_factory: Callable[..., Flask]) -> Iterator[Callable[..., Flask]]:
    """``serve(**app_factory_options)``: an app with the stub on, listening on 127.0.0.1."""
    with ExitStack() as stack:

        def make(**options: Any) -> Flask:
            options.setdefault("providers", [CredentialsProvider(), StubOAuthProvider()])
            options.setdefault("STUB_OAUTH", True)
            return stack.enter_context(serving(lambda origin: app_factory(URL=origin, **options)))

        yield make


@pytest.fixture
def app(serve: Callable[..., Flask]) -> Flask:
    return serve()


def store(app: Flask) -> Any:
    return app.extensions["authjs"].adapter


def signed_in_user_id(client: FlaskClient) -> str | None:
    session = client.get("/api/auth/session").get_json()
    return session["user"]["id"] if session else None


def error_of(response: Any) -> str | None:
    assert response.status_code == 302
    return query(response.headers["Location"]).get("error")


# The way there.


def test_sign_in_redirects_to_the_provider_with_state_and_pkce(client: FlaskClient) -> None:
    response = start(client)

    assert response.status_code == 302
    params = query(response.headers["Location"])
    assert response.headers["Location"].startswith(f"{client.application.config['AUTHJS_URL']}/")
    assert params["response_type"] == "code"
    assert params["client_id"] == "stub-client"
    assert params["redirect_uri"].endswith("/api/auth/callback/stub")
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 43 and len(params["code_challenge"]) == 43


def test_the_clients_authorization_params_reach_the_provider_but_not_over_ours(
    client: FlaskClient,
) -> None:
    data = {"csrfToken": csrf_token(client), "callbackUrl": "/dashboard"}
    response = client.post(
        "/api/auth/signin/stub?prompt=login&login_hint=a%40example.com&state=evil&client_id=x",
        data=data,
    )
    params = query(response.headers["Location"])
    assert params["prompt"] == "login" and params["login_hint"] == "a@example.com"
    assert params["state"] != "evil" and params["client_id"] == "stub-client"


def test_check_cookies_are_short_lived_http_only_and_signed(client: FlaskClient) -> None:
    response = start(client)

    headers = {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}
    for name in (STATE, PKCE):
        assert "HttpOnly" in headers[name] and "SameSite=Lax" in headers[name]
        assert "Max-Age=900" in headers[name]
    state_cookie = cookie_value(client, STATE)
    assert state_cookie is not None
    claims = jwt.decode(state_cookie, options={"verify_signature": False})
    assert (claims["sub"], claims["check"]) == ("stub", "state")
    assert claims["callbackUrl"].endswith("/dashboard")


def test_sign_in_to_oauth_needs_the_csrf_token(client: FlaskClient) -> None:
    response = client.post("/api/auth/signin/stub", data={"callbackUrl": "/dashboard"})

    assert "csrf=true" in response.headers["Location"]
    assert cookie_value(client, STATE) is None


# Who comes back.


def test_a_new_user_is_created_linked_and_signed_in(app: Flask, client: FlaskClient) -> None:
    created: list[Any] = []
    linked: list[Any] = []
    with (
        user_created.connected_to(lambda _, **kw: created.append(kw), app),
        account_linked.connected_to(lambda _, **kw: linked.append(kw), app),
    ):
        response = stub_sign_in(client, "New.Person@Example.com", name="New Person")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    user = store(app).get_user_by_email("new.person@example.com")
    assert user is not None and user["name"] == "New Person"
    assert signed_in_user_id(client) == user["id"]
    assert [c["user"]["id"] for c in created] == [user["id"]]
    assert linked[0]["account"]["provider"] == "stub"
    assert store(app).get_user_by_account("stub", linked[0]["account"]["providerAccountId"])


def test_the_check_cookies_are_deleted_after_the_callback(client: FlaskClient) -> None:
    response = stub_sign_in(client, "ada@example.com")

    deleted = [h for h in response.headers.getlist("Set-Cookie") if "Max-Age=0" in h]
    assert any(h.startswith(f"{STATE}=") for h in deleted)
    assert any(h.startswith(f"{PKCE}=") for h in deleted)
    assert cookie_value(client, STATE) is None and cookie_value(client, PKCE) is None


def test_provider_tokens_stay_out_of_the_session_token(app: Flask, client: FlaskClient) -> None:
    accounts: list[Any] = []
    with signed_in.connected_to(lambda _, **kw: accounts.append(kw["account"]), app):
        response = stub_sign_in(client, "ada@example.com")

    access_token = accounts[0]["access_token"]
    token = session_cookie(response)
    assert token is not None and access_token not in token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"sub", "name", "email", "picture", "iat", "exp", "jti", "auth_time"}


def test_a_returning_user_signs_in_to_the_same_user(app: Flask, client: FlaskClient) -> None:
    stub_sign_in(client, "ada@example.com")
    first = signed_in_user_id(client)
    client.delete_cookie("authjs.session-token")
    created: list[Any] = []

    with user_created.connected_to(lambda _, **kw: created.append(kw), app):
        stub_sign_in(client, "ada@example.com")

    assert signed_in_user_id(client) == first
    assert created == []


def test_the_first_sign_in_goes_to_the_new_user_page(serve: Callable[..., Flask]) -> None:
    client = serve(pages={"new_user": "/welcome"}).test_client()

    first = stub_sign_in(client, "ada@example.com")
    client.delete_cookie("authjs.session-token")
    second = stub_sign_in(client, "ada@example.com")

    assert local(first.headers["Location"]).startswith("/welcome?callbackUrl=")
    assert second.headers["Location"].endswith("/dashboard")


def test_a_signed_in_user_links_another_account(app: Flask, client: FlaskClient) -> None:
    stub_sign_in(client, "ada@example.com")
    ada = signed_in_user_id(client)

    stub_sign_in(client, "ada.work@example.com", link=True)

    assert signed_in_user_id(client) == ada
    assert store(app).get_user_by_email("ada.work@example.com") is None
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "ada.work@example.com")
    assert signed_in_user_id(client) == ada


def test_a_sign_in_while_signed_in_replaces_the_session_and_links_nothing(
    app: Flask, client: FlaskClient
) -> None:
    """A browser carrying someone else's session (planted from a sibling subdomain, or
    by XSS elsewhere) that signs in with OAuth does not link the account to that someone."""
    stub_sign_in(client, "victim@example.com")
    victim = signed_in_user_id(client)

    stub_sign_in(client, "attacker@example.com")

    attacker = signed_in_user_id(client)
    assert attacker is not None and attacker != victim
    assert store(app).get_user_by_email("attacker@example.com")["id"] == attacker
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "victim@example.com")
    assert signed_in_user_id(client) == victim
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "attacker@example.com")
    assert signed_in_user_id(client) == attacker


def test_a_link_started_by_one_session_does_not_link_to_another(
    app: Flask, client: FlaskClient
) -> None:
    stub_sign_in(client, "ada@example.com")
    ada = signed_in_user_id(client)
    started = start(client, link=True)
    back = authorize(client, started.headers["Location"], email="ada.work@example.com")
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "bob@example.com")  # another session in the same browser
    bob = signed_in_user_id(client)
    # The check cookies of the link start were replaced by bob's start; put them back.
    for name, value in started.headers.items():
        if name == "Set-Cookie":
            cookie_name, _, rest = value.partition("=")
            client.set_cookie(cookie_name, rest.split(";", 1)[0])

    response = client.get(local(back))

    assert error_of(response) == "OAuthAccountNotLinked"
    assert signed_in_user_id(client) == bob
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "ada.work@example.com")
    assert signed_in_user_id(client) not in (ada, bob)


def test_linking_needs_a_session(client: FlaskClient) -> None:
    response = start(client, link=True)

    assert error_of(response) == "SessionRequired"


def test_an_account_of_another_user_is_refused_for_linking(client: FlaskClient) -> None:
    stub_sign_in(client, "bob@example.com")
    client.delete_cookie("authjs.session-token")
    stub_sign_in(client, "ada@example.com")
    ada = signed_in_user_id(client)

    response = stub_sign_in(client, "bob@example.com", link=True)

    assert error_of(response) == "OAuthAccountNotLinked"
    assert signed_in_user_id(client) == ada


def test_an_unlinked_account_with_a_known_email_is_refused(app: Flask, client: FlaskClient) -> None:
    store(app).create_user("carol@example.com", name="Carol")

    response = stub_sign_in(client, "carol@example.com")

    assert error_of(response) == "OAuthAccountNotLinked"
    assert session_cookie(response) is None
    page = client.get(local(response.headers["Location"])).get_data(as_text=True)
    assert "Sign in the way you did before" in page


def test_email_linking_when_the_provider_opts_in(serve: Callable[..., Flask]) -> None:
    app = serve(providers=[StubOAuthProvider(allow_dangerous_email_account_linking=True)])
    carol = store(app).create_user("carol@example.com", name="Carol")
    client = app.test_client()

    response = stub_sign_in(client, "carol@example.com")

    assert response.headers["Location"].endswith("/dashboard")
    assert signed_in_user_id(client) == carol["id"]


# What must fail, and how.


def test_a_state_that_does_not_match_the_cookie_is_refused(client: FlaskClient) -> None:
    started = start(client)
    back = authorize(client, started.headers["Location"], email="ada@example.com")

    response = client.get(local(back).replace("state=", "state=x"))

    assert error_of(response) == "OAuthCallback"
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("missing", [STATE, PKCE])
def test_a_missing_check_cookie_fails_the_callback(
    app: Flask, client: FlaskClient, missing: str
) -> None:
    started = start(client)
    back = authorize(client, started.headers["Location"], email="ada@example.com")
    client.delete_cookie(missing)

    response = client.get(local(back))

    assert error_of(response) == "OAuthCallback"
    assert store(app).get_user_by_email("ada@example.com") is None


def test_a_check_cookie_signed_as_a_session_is_refused(client: FlaskClient) -> None:
    codec = client.application.extensions["authjs"].session_codec
    forged = codec.encode({"sub": "stub", "check": "state", "value": "x"}, now=0, max_age=900)
    started = start(client)
    back = authorize(client, started.headers["Location"], email="ada@example.com")
    client.set_cookie(STATE, forged)

    assert error_of(client.get(local(back))) == "OAuthCallback"


def test_a_check_cookie_never_passes_as_a_session(client: FlaskClient) -> None:
    start(client)
    state_cookie = cookie_value(client, STATE)
    assert state_cookie is not None

    client.set_cookie("authjs.session-token", state_cookie)

    assert client.get("/api/auth/session").get_json() == {}


def test_a_replayed_code_is_refused(client: FlaskClient) -> None:
    started = start(client)
    back = authorize(client, started.headers["Location"], email="ada@example.com")
    checks = {name: cookie_value(client, name) for name in (STATE, PKCE)}
    assert client.get(local(back)).headers["Location"].endswith("/dashboard")
    client.delete_cookie("authjs.session-token")
    for name, value in checks.items():
        assert value is not None
        client.set_cookie(name, value)

    response = client.get(local(back))

    assert error_of(response) == "OAuthCallback"
    assert signed_in_user_id(client) is None


def test_cookies_from_another_provider_are_refused(serve: Callable[..., Flask]) -> None:
    other = StubOAuthProvider(id="other", name="Other", client_id="other-client")
    client = serve(providers=[StubOAuthProvider(), other]).test_client()
    started = start(client, "other")
    back = authorize(client, started.headers["Location"], email="ada@example.com")

    response = client.get(local(back).replace("/callback/other", "/callback/stub"))

    assert error_of(response) == "OAuthCallback"
    assert signed_in_user_id(client) is None


def test_denying_at_the_provider_is_access_denied(client: FlaskClient) -> None:
    started = start(client)
    back = authorize(client, started.headers["Location"], email="", deny=True)
    assert query(back)["error"] == "access_denied"

    response = client.get(local(back))

    assert error_of(response) == "AccessDenied"
    page = client.get(local(response.headers["Location"]))
    assert page.status_code == 403 and "access was denied" in page.get_data(as_text=True)
    assert cookie_value(client, STATE) is None


def test_another_provider_error_lands_on_the_sign_in_page(client: FlaskClient) -> None:
    started = start(client)
    back = authorize(client, started.headers["Location"], email="", deny=True)
    response = client.get(local(back).replace("access_denied", "server_error"))

    assert error_of(response) == "Callback"
    assert query(response.headers["Location"])["callbackUrl"].endswith("/dashboard")
    page = client.get(local(response.headers["Location"])).get_data(as_text=True)
    assert "Try signing in with a different account." in page
    assert cookie_value(client, STATE) is None
