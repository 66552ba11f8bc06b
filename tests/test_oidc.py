"""OpenID Connect: the ``id_token`` is checked (keys from the JWKS URL, iss, aud, exp, nonce)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from jwt.algorithms import RSAAlgorithm

from flask_authjs import OAuthProvider

from .oauth_flow import local, query, start

ISSUER = "https://id.example.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """A tiny OIDC provider: a JWKS and a token endpoint answering ``id_token`` of choice."""

    def __init__(self) -> None:
        self.id_token = ""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
                self._json({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self._json(
                    {"access_token": "at", "token_type": "Bearer", "id_token": provider.id_token}
                )

            def _json(self, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def oidc() -> Iterator[Provider]:
    provider = Provider()
    threading.Thread(target=provider.server.serve_forever, args=(0.05,), daemon=True).start()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


@pytest.fixture
def client(app_factory: Callable[..., Flask], oidc: Provider) -> FlaskClient:
    provider = OAuthProvider(
        id="oidc",
        name="OIDC",
        client_id="the-client",
        client_secret="the-secret",
        authorization_url=f"{ISSUER}/authorize",
        token_url=f"{oidc.url}/token",
        checks=("state", "pkce", "nonce"),
        issuer=ISSUER,
        jwks_url=f"{oidc.url}/jwks",
        timeout=2,
    )
    return app_factory(providers=[provider]).test_client()


def come_back(client: FlaskClient, oidc: Provider, key: Any = KEY, **changes: Any) -> Any:
    """Start a sign-in, have the provider sign an id_token, come back with a code.

    A claim changed to ``None`` is left out of the token."""
    params = query(start(client, "oidc").headers["Location"])
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "the-client",
        "sub": "oidc-user-1",
        "email": "Ada@Example.com",
        "name": "Ada",
        "iat": now,
        "exp": now + 300,
        "nonce": params["nonce"],
        **changes,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    oidc.id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    return client.get(local(f"/api/auth/callback/oidc?code=c&state={params['state']}"))


def test_a_valid_id_token_signs_in_with_its_claims(client: FlaskClient, oidc: Provider) -> None:
    response = come_back(client, oidc)

    assert "error" not in query(response.headers["Location"])
    user = client.get("/api/auth/session").get_json()["user"]
    assert (user["email"], user["name"]) == ("ada@example.com", "Ada")


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "another-nonce"},
        {"aud": "another-client"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600},
        {"nonce": None},
    ],
    ids=["nonce", "audience", "issuer", "expired", "no nonce"],
)
def test_an_id_token_for_another_sign_in_is_refused(
    client: FlaskClient, oidc: Provider, changes: dict[str, Any]
) -> None:
    response = come_back(client, oidc, **changes)

    assert query(response.headers["Location"])["error"] == "OAuthCallback"
    assert client.get("/api/auth/session").get_json() == {}


def test_an_id_token_signed_by_another_key_is_refused(client: FlaskClient, oidc: Provider) -> None:
    response = come_back(client, oidc, key=OTHER_KEY)

    assert query(response.headers["Location"])["error"] == "OAuthCallback"


def test_a_missing_nonce_cookie_fails_the_callback(client: FlaskClient, oidc: Provider) -> None:
    params = query(start(client, "oidc").headers["Location"])
    client.delete_cookie("authjs.nonce")

    response = client.get(local(f"/api/auth/callback/oidc?code=c&state={params['state']}"))

    assert query(response.headers["Location"])["error"] == "OAuthCallback"
