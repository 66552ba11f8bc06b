"""``wants_json``, the package's one JSON-or-HTML decision, and ``to_response``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_authjs.responses import (
    JSON_HEADERS,
    Result,
    json_response,
    redirect_result,
    to_response,
    wants_json,
)


@pytest.mark.parametrize(
    ("environ", "body", "expected"),
    [
        ({}, None, False),
        ({"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}, None, False),
        ({"HTTP_ACCEPT": "*/*"}, None, False),
        ({"HTTP_ACCEPT": "application/json"}, None, True),
        ({"HTTP_ACCEPT": "application/json, text/plain, */*"}, None, True),
        ({"HTTP_X_AUTH_RETURN_REDIRECT": "1"}, None, True),
        ({"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}, None, True),
        ({"CONTENT_TYPE": "application/json; charset=utf-8"}, None, True),
        ({}, {"json": "true"}, True),
        ({}, {"json": "false"}, False),
    ],
)
def test_wants_json(environ: dict[str, Any], body: dict[str, Any] | None, expected: bool) -> None:
    assert wants_json(environ, body) is expected


def test_a_result_becomes_one_response_with_its_cookies_and_headers() -> None:
    with Flask("shapes").test_request_context():
        result = redirect_result("http://localhost/x", as_json=True, status=429, error="E")
        result.cookies.append("a=1; Path=/")
        result.headers.append(("Retry-After", "7"))
        response = to_response(result)
        plain = to_response(Result(status=204))

    assert response.status_code == 429
    assert response.get_json() == {
        "url": "http://localhost/x",
        "ok": False,
        "status": 429,
        "error": "E",
    }
    assert response.headers.getlist("Set-Cookie") == ["a=1; Path=/"]
    assert response.headers["Retry-After"] == "7"
    assert response.headers["Cache-Control"] == "private, no-cache, no-store"
    assert plain.status_code == 204 and plain.get_data() == b""


def test_json_responses_are_jsonify_compatible_with_each_header_once() -> None:
    app = Flask("json")
    with app.test_request_context():
        response = json_response({"b": 1, "a": [1, "é"]}, 201)
        expected = app.json.response({"b": 1, "a": [1, "é"]}).get_data()
    assert response.status_code == 201
    assert response.get_data() == expected  # the app's JSON provider, compact, sorted
    for key, value in JSON_HEADERS:
        assert response.headers.getlist(key) == [value]
    assert response.mimetype == "application/json"
