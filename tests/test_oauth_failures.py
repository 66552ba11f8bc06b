"""A provider that hangs or answers garbage: the sign-in fails cleanly, within the timeout."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flask_authjs import OAuthProvider

from .oauth_flow import local, query, start

CLIENT_SECRET = "very-secret-client-secret"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A port that accepts connections and never answers (the kernel's backlog does it)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.fixture
def canned_server() -> Iterator[Callable[[int, bytes, dict[str, str]], str]]:
    """``canned(status, body, headers)`` -> the URL of a server that always answers that."""
    servers: list[ThreadingHTTPServer] = []

    def canned(status: int, body: bytes, headers: dict[str, str]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/token"

    yield canned
    for server in servers:
        server.shutdown()
        server.server_close()


def provider(token_url: str, userinfo_url: str = "http://127.0.0.1:9/userinfo") -> OAuthProvider:
    return OAuthProvider(
        id="acme",
        name="Acme",
        client_id="acme-client",
        client_secret=CLIENT_SECRET,
        authorization_url="https://id.acme.test/authorize",
        token_url=token_url,
        userinfo_url=userinfo_url,
        timeout=0.5,
    )


def callback_with_code(client: FlaskClient) -> Any:
    """Start a sign-in, then come back as the provider would, with a code and the state."""
    started = start(client, "acme")
    state = query(started.headers["Location"])["state"]
    return client.get(local(f"/api/auth/callback/acme?code=the-code&state={state}"))


def test_a_token_endpoint_that_hangs_fails_after_the_timeout(
    app_factory: Callable[..., Flask], silent_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = app_factory(providers=[provider(silent_server + "/token")]).test_client()

    with caplog.at_level(logging.WARNING):
        response = callback_with_code(client)

    assert query(response.headers["Location"])["error"] == "OAuthCallback"
    assert "could not be reached" in caplog.text


GARBAGE = {
    "not JSON": (200, b"<html>hello</html>", {"Content-Type": "text/html"}),
    "a JSON list": (200, b"[1, 2]", {"Content-Type": "application/json"}),
    "no access token": (200, b'{"token_type": "bearer"}', {}),
    "a number for a token": (200, b'{"access_token": 5}', {}),
    "an OAuth error": (400, b'{"error": "invalid_grant"}', {}),
    "an error in a 200": (200, b'{"error": "invalid_grant"}', {}),
    "a server error": (500, b"oops", {}),
    "a redirect": (302, b"", {"Location": "http://127.0.0.1:9/elsewhere"}),
    "a MAC token": (200, b'{"access_token": "t", "token_type": "mac"}', {}),
    "deep nesting": (200, b"[" * 100_000 + b"]" * 100_000, {}),
}


@pytest.mark.parametrize("answer", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_token_endpoint_answering_garbage_fails_cleanly(
    app_factory: Callable[..., Flask],
    canned_server: Callable[[int, bytes, dict[str, str]], str],
    caplog: pytest.LogCaptureFixture,
    answer: tuple[int, bytes, dict[str, str]],
) -> None:
    client = app_factory(providers=[provider(canned_server(*answer))]).test_client()

    with caplog.at_level(logging.DEBUG):
        response = callback_with_code(client)

    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "OAuthCallback"
    assert CLIENT_SECRET not in caplog.text and "the-code" not in caplog.text


def test_a_userinfo_endpoint_answering_garbage_fails_cleanly(
    app_factory: Callable[..., Flask],
    canned_server: Callable[[int, bytes, dict[str, str]], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token_url = canned_server(200, json.dumps({"access_token": "secret-token"}).encode(), {})
    userinfo_url = canned_server(200, b"nope", {})
    client = app_factory(providers=[provider(token_url, userinfo_url)]).test_client()

    with caplog.at_level(logging.DEBUG):
        response = callback_with_code(client)

    assert query(response.headers["Location"])["error"] == "OAuthCallback"
    assert "secret-token" not in caplog.text


def test_a_profile_without_an_id_fails_cleanly(
    app_factory: Callable[..., Flask],
    canned_server: Callable[[int, bytes, dict[str, str]], str],
) -> None:
    token_url = canned_server(200, b'{"access_token": "t"}', {})
    userinfo_url = canned_server(200, b'{"name": "No Id"}', {})
    client = app_factory(providers=[provider(token_url, userinfo_url)]).test_client()

    response = callback_with_code(client)

    assert query(response.headers["Location"])["error"] == "OAuthCallback"
