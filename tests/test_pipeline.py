"""The sign-in pipeline: one order for every provider, gates, and providers without a request."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask, has_request_context

from flask_authjs import AuthJS, CredentialsProvider, Provider, StubOAuthProvider, signed_in
from flask_authjs.exceptions import AuthJSError, SignInError
from flask_authjs.pipeline import Attempt, Halted, current_pipeline
from flask_authjs.providers import Identity, SignInRequest

from .conftest import PASSWORD, SECRET, USER, AppFactory, authorize, session_cookie, sign_in


class TrustingProvider(Provider):
    """A provider as a plug-in would write one: it vouches for ``?email=`` (tests only)."""

    type = "oauth"

    def authenticate(self, context: Any, request: SignInRequest) -> Identity:
        email = request.params.get("email")
        if not email:
            raise SignInError("OAuthCallback", "no email")
        profile = {"id": email, "name": None, "email": email, "image": None}
        account = {"provider": self.id, "type": "oauth", "providerAccountId": email}
        return Identity(account=account, profile=profile, raw_profile={"email": email})


def trusting_app(app_factory: AppFactory, **options: Any) -> Flask:
    return app_factory(providers=[TrustingProvider(id="trust", name="Trust")], **options)


def test_every_step_runs_once_in_the_pipelines_order(app_factory: AppFactory) -> None:
    steps: list[str] = []

    def on_sign_in(**_: Any) -> bool:
        steps.append("sign_in")
        return True

    def on_jwt(token: dict[str, Any], **_: Any) -> dict[str, Any]:
        steps.append("jwt")
        return token

    app = app_factory(callbacks={"sign_in": on_sign_in, "jwt": on_jwt})

    def on_signal(sender: Any, **_: Any) -> None:
        steps.append("signed_in")

    with signed_in.connected_to(on_signal, app):
        response = sign_in(app.test_client())

    assert response.status_code == 200
    assert steps == ["sign_in", "jwt", "signed_in"]


def test_a_new_provider_plugs_in_with_only_authenticate(app_factory: AppFactory) -> None:
    app = trusting_app(app_factory)
    client = app.test_client()

    response = client.get("/api/auth/callback/trust?email=new@example.com")

    assert response.status_code == 302
    assert session_cookie(response) is not None
    session = client.get("/api/auth/session").get_json()
    assert session["user"]["email"] == "new@example.com"
    assert app.extensions["authjs"].adapter.get_user_by_email("new@example.com") is not None


def test_a_provider_refusal_lands_on_the_sign_in_page_with_its_code(
    app_factory: AppFactory,
) -> None:
    response = trusting_app(app_factory).test_client().get("/api/auth/callback/trust")

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == ["OAuthCallback"]
    assert session_cookie(response) is None


def test_the_sign_in_callback_runs_before_any_user_is_created(app_factory: AppFactory) -> None:
    seen: list[dict[str, Any]] = []

    def refuse(user: dict[str, Any], **_: Any) -> bool:
        seen.append(user)
        return False

    app = trusting_app(app_factory, callbacks={"sign_in": refuse})

    response = app.test_client().get("/api/auth/callback/trust?email=nobody@example.com")

    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == ["AccessDenied"]
    assert seen == [{"id": None, "name": None, "email": "nobody@example.com", "image": None}]
    assert app.extensions["authjs"].adapter.get_user_by_email("nobody@example.com") is None


def test_a_gate_stops_the_sign_in_before_the_session_and_can_finish_it(tmp_path: Any) -> None:
    app = Flask("gated")
    app.config.update(
        TESTING=True,
        AUTHJS_SECRET=SECRET,
        AUTHJS_URL="http://localhost",
        AUTHJS_DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}",
    )
    auth = AuthJS(providers=[CredentialsProvider(authorize)])
    pending: list[Attempt] = []

    @auth.sign_in_gate
    def second_factor(attempt: Attempt) -> Halted:
        pending.append(attempt)
        return Halted("http://localhost/two-factor", cookies=["pending=1; Path=/; HttpOnly"])

    auth.init_app(app)
    client = app.test_client()

    response = sign_in(client)

    assert response.get_json()["url"] == "http://localhost/two-factor"
    assert session_cookie(response) is None
    assert session_cookie(response, "pending") == "1"
    assert client.get("/api/auth/session").get_json() == {}
    assert pending[0].user["email"] == USER["email"]

    with app.test_request_context("/two-factor"):
        finished = current_pipeline().complete(pending[0])
    assert finished.session is not None
    assert finished.session["user"]["email"] == USER["email"]
    assert any(cookie.startswith("authjs.session-token=") for cookie in finished.cookies)


def test_providers_authenticate_without_a_request_context(app_factory: AppFactory) -> None:
    app = app_factory()
    context = app.extensions["authjs"]
    provider = CredentialsProvider(authorize)

    assert not has_request_context()
    identity = provider.authenticate(
        context, SignInRequest({"email": USER["email"], "password": PASSWORD})
    )
    assert identity.user is not None and identity.user["id"] == USER["id"]
    assert identity.account["providerAccountId"] == USER["id"]
    try:
        provider.authenticate(context, SignInRequest({"email": USER["email"], "password": "no"}))
    except SignInError as error:
        assert isinstance(error, AuthJSError)
        assert (error.code, error.status) == ("CredentialsSignin", 401)
    else:
        raise AssertionError("a wrong password must raise SignInError")


def test_an_oauth_start_needs_no_request_context(app_factory: AppFactory) -> None:
    app = app_factory(providers=[StubOAuthProvider()], STUB_OAUTH=True)
    context = app.extensions["authjs"]
    provider = context.providers["stub"]

    assert not has_request_context()
    started = provider.authorization(context, callback_url="http://localhost/x", params={})

    query = parse_qs(urlsplit(started.url).query)
    assert started.url.startswith("http://localhost/api/auth/stub/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert {cookie.split("=", 1)[0] for cookie in started.cookies} == {
        "authjs.state",
        "authjs.pkce.code_verifier",
    }
