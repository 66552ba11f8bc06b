"""On https every cookie we write is ``__Host-`` and ``Secure``; every file we serve is ``nosniff``.

``__Host-`` (not ``__Secure-``) is what stops a sibling subdomain from planting a cookie
for our host: the browser refuses it unless it is ``Secure``, ``Path=/`` and has no
``Domain``.
"""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs import CredentialsProvider
from flask_authjs.cookies import cookie_names, cookie_prefix
from flask_authjs.providers.stub import StubOAuthProvider

from .conftest import AppFactory, authorize, csrf_token, sign_in

HTTPS = "https://localhost"


def written_cookies(response: Any) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_the_prefix_is_chosen_in_one_place() -> None:
    assert cookie_prefix(False) == ""
    assert cookie_prefix(True) == "__Host-"
    # Where a cookie must keep Auth.js's own name (read by Next.js), Auth.js's prefix.
    assert cookie_prefix(True, authjs_names=True) == "__Secure-"
    assert cookie_names(True).session_token == "__Host-authjs.session-token"
    assert cookie_names(True, authjs_names=True).session_token == "__Secure-authjs.session-token"


def test_every_auth_cookie_on_https_is_host_prefixed_and_secure(app_factory: AppFactory) -> None:
    app = app_factory(
        URL=HTTPS, STUB_OAUTH=True, providers=[CredentialsProvider(authorize), StubOAuthProvider()]
    )
    client = app.test_client()
    responses = [client.get("/api/auth/signin?callbackUrl=/x", base_url=HTTPS)]
    responses.append(sign_in(client))
    responses.append(
        client.post(
            "/api/auth/signin/stub",
            data={"csrfToken": csrf_token(client), "callbackUrl": "/x"},
            base_url=HTTPS,
        )
    )
    headers = [h for r in responses for h in written_cookies(r)]
    ours = [h for h in headers if "authjs." in h.split("=", 1)[0]]
    assert {h.split("=", 1)[0] for h in ours} >= {
        "__Host-authjs.callback-url",
        "__Host-authjs.session-token",
        "__Host-authjs.state",
        "__Host-authjs.pkce.code_verifier",
    }
    for header in ours:
        attributes = [part.strip() for part in header.split(";")]
        assert header.startswith("__Host-"), header
        assert "Secure" in attributes and "Path=/" in attributes, header
        assert not any(a.lower().startswith("domain=") for a in attributes), header


@pytest.mark.parametrize(
    "path", ["/api/auth/client.js", "/api/auth/static/authjs.css", "/api/auth/static/start.js"]
)
def test_scripts_and_static_files_are_never_sniffed(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
