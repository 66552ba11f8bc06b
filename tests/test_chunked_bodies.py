"""Bodies without a ``Content-Length`` (``Transfer-Encoding: chunked``) over a real socket.

Werkzeug cuts such a body at ``max_content_length`` without a word; a body over
``AUTHJS_MAX_BODY_SIZE`` must be refused (413), never read as its first bytes.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from .conftest import PASSWORD, USER, AppFactory
from .oauth_flow import serving

LIMIT = 4096


@pytest.fixture
def served(app_factory: AppFactory) -> Iterator[tuple[str, int]]:
    def make(origin: str) -> Flask:
        return app_factory(URL=origin, MAX_BODY_SIZE=LIMIT)

    with serving(make) as app:
        origin = app.extensions["authjs"].settings.origin
        host, port = urllib.parse.urlsplit(origin).netloc.split(":")
        yield host, int(port)


def chunked_post(
    where: tuple[str, int], path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    def pieces() -> Iterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    connection = http.client.HTTPConnection(*where, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=pieces(),
            headers={**headers, "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def csrf(where: tuple[str, int]) -> tuple[str, str]:
    connection = http.client.HTTPConnection(*where, timeout=30)
    connection.request("GET", "/api/auth/csrf")
    response = connection.getresponse()
    token = json.loads(response.read())["csrfToken"]
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    connection.close()
    return token, cookie


def sign_in_body(token: str, padding: int) -> bytes:
    """A valid sign-in whose fields all come first, then ``padding`` bytes of filler."""
    fields = {"csrfToken": token, "email": USER["email"], "password": PASSWORD, "json": "true"}
    return urllib.parse.urlencode({**fields, "pad": "x" * padding}).encode()


@pytest.mark.parametrize("padding", [LIMIT, 2_000_000])
def test_a_chunked_body_over_the_limit_is_413_not_truncated(
    served: tuple[str, int], padding: int
) -> None:
    token, cookie = csrf(served)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, body = chunked_post(
        served, "/api/auth/callback/credentials", sign_in_body(token, padding), form
    )
    assert status == 413, body[:200]
    assert b"session" not in body


def test_a_chunked_body_within_the_limit_is_read_whole(served: tuple[str, int]) -> None:
    token, cookie = csrf(served)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, body = chunked_post(
        served, "/api/auth/callback/credentials", sign_in_body(token, 100), form
    )
    assert status == 200
    assert json.loads(body)["session"]["user"]["id"] == USER["id"]


def test_a_chunked_json_body_over_the_limit_is_413(served: tuple[str, int]) -> None:
    token, cookie = csrf(served)
    data: dict[str, Any] = {"csrfToken": token, "email": USER["email"], "password": PASSWORD}
    body = json.dumps({**data, "pad": "x" * 100_000}).encode()
    headers = {"Content-Type": "application/json", "Cookie": cookie}
    status, answer = chunked_post(served, "/api/auth/callback/credentials", body, headers)
    assert status == 413
    assert json.loads(answer)["error"] == "BodyTooLarge"
