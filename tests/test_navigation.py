"""``sign_in()`` and ``sign_out()`` in Flask views: the right response, no URL built by hand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, request

from flask_authjs import CredentialsProvider, Provider, StubOAuthProvider, sign_in, sign_out
from flask_authjs.providers import Authorization

from .conftest import AppFactory, authorize
from .conftest import sign_in as post_credentials

IDP = "https://idp.example/authorize"


class StartingProvider(Provider):
    """An OAuth-type provider whose start just says where it would go."""

    type = "oauth"

    def authorization(self, context: Any, *, callback_url: str, **_: Any) -> Authorization:
        return Authorization(f"{IDP}?return={callback_url}")


def app_with_views(app_factory: AppFactory, **options: Any) -> Flask:
    app = app_factory(**options)

    @app.get("/profile")
    def profile() -> Any:
        return sign_in(request.args.get("provider"), request.args.get("next"))

    @app.get("/leave")
    def leave() -> Any:
        return sign_out(request.args.get("next"))

    return app


def test_sign_in_without_provider_goes_to_the_built_in_page_and_back_here(
    app_factory: AppFactory,
) -> None:
    response = app_with_views(app_factory).test_client().get("/profile?tab=2")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "http://localhost/api/auth/signin?callbackUrl=http%3A%2F%2Flocalhost%2Fprofile%3Ftab%3D2"
    )


def test_sign_in_goes_to_the_custom_page_when_one_is_set(app_factory: AppFactory) -> None:
    app = app_with_views(app_factory, pages={"sign_in": "/sign-in"})
    response = app.test_client().get("/profile?next=/dashboard")
    assert response.headers["Location"] == (
        "http://localhost/sign-in?callbackUrl=http%3A%2F%2Flocalhost%2Fdashboard"
    )


def test_sign_in_with_credentials_goes_to_the_page_with_the_form(app_factory: AppFactory) -> None:
    response = app_with_views(app_factory).test_client().get("/profile?provider=credentials")
    assert response.headers["Location"].startswith("http://localhost/api/auth/signin?callbackUrl=")


@pytest.mark.parametrize(
    "hostile",
    ["https://evil.example/", "//evil.example", "https:evil.example", "javascript:alert(1)"],
)
def test_sign_in_and_sign_out_never_lead_off_site(app_factory: AppFactory, hostile: str) -> None:
    client = app_with_views(app_factory).test_client()
    for view in ("/profile", "/leave"):
        location = client.get(view, query_string={"next": hostile}).headers["Location"]
        assert location.endswith("callbackUrl=http%3A%2F%2Flocalhost"), location


def test_an_unknown_provider_is_a_programming_error(app_factory: AppFactory) -> None:
    client = app_with_views(app_factory).test_client()
    with pytest.raises(ValueError, match=r"no provider 'github' \(configured: credentials\)"):
        client.get("/profile?provider=github")


def test_an_oauth_start_is_a_self_submitting_csrf_protected_form(app_factory: AppFactory) -> None:
    providers = [CredentialsProvider(authorize), StartingProvider(id="idp", name="The IdP")]
    client = app_with_views(app_factory, providers=providers).test_client()
    page = client.get("/profile?provider=idp&next=/dashboard")

    assert page.status_code == 200
    assert 'action="http://localhost/api/auth/signin/idp" method="POST"' in page.text
    assert "/api/auth/static/start.js" in page.text
    assert "<script>" not in page.text  # no inline script: fine under a strict CSP
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    assert fields["callbackUrl"] == "http://localhost/dashboard"

    started = client.post("/api/auth/signin/idp", data=fields)
    assert started.headers["Location"] == f"{IDP}?return=http://localhost/dashboard"
    assert 'getElementById("authjs-start").submit()' in client.get("/api/auth/static/start.js").text


def test_sign_in_with_the_stub_provider_starts_the_real_oauth_flow(
    app_factory: AppFactory,
) -> None:
    providers = [CredentialsProvider(authorize), StubOAuthProvider()]
    client = app_with_views(app_factory, providers=providers, STUB_OAUTH=True).test_client()
    page = client.get("/profile?provider=stub&next=/dashboard")
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))

    started = client.post("/api/auth/signin/stub", data=fields)
    assert started.status_code == 302
    assert "code_challenge_method=S256" in started.headers["Location"]
    assert any(h.startswith("authjs.state=") for h in started.headers.getlist("Set-Cookie"))


def test_sign_out_goes_to_the_confirmation_page(app_factory: AppFactory) -> None:
    client = app_with_views(app_factory).test_client()
    post_credentials(client)
    assert client.get("/leave").headers["Location"] == "http://localhost/api/auth/signout"
    assert client.get("/leave?next=/bye").headers["Location"] == (
        "http://localhost/api/auth/signout?callbackUrl=http%3A%2F%2Flocalhost%2Fbye"
    )
    assert "Sign out of this device?" in client.get("/api/auth/signout").text


def test_sign_out_uses_the_custom_sign_out_page(app_factory: AppFactory) -> None:
    app = app_with_views(app_factory, pages={"sign_out": "/good-bye"})
    assert app.test_client().get("/leave?next=/").headers["Location"] == (
        "http://localhost/good-bye?callbackUrl=http%3A%2F%2Flocalhost%2F"
    )
