"""The request fast path keeps its behaviour: caches that are pure, parsing that skips nothing."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs.cookies import read_chunked
from flask_authjs.responses import JSON_HEADERS, json_response
from flask_authjs.sessions import iso_time
from flask_authjs.tokens import TokenCodec

from .conftest import SECRET


def test_iso_time_is_auth_js_format_and_cached() -> None:
    assert iso_time(0) == "1970-01-01T00:00:00.000Z"
    assert iso_time(1_700_000_000) == "2023-11-14T22:13:20.000Z"
    assert iso_time.cache_info().maxsize is not None  # bounded


@pytest.mark.parametrize(
    ("header", "value", "names"),
    [
        ("session=abc; authjs.session-token=tok", "tok", ("authjs.session-token",)),
        ("x-authjs.session-token=evil; other=1", None, ()),
        ("__Secure-authjs.session-token=evil", None, ()),
        ("a=authjs.session-token=evil", None, ()),
        ("authjs.session-token=a; authjs.session-token=b", None, ("authjs.session-token",)),
        (
            "authjs.session-token.0=a; k=v; authjs.session-token.1=b",
            "ab",
            ("authjs.session-token.0", "authjs.session-token.1"),
        ),
    ],
)
def test_read_chunked_ignores_only_unrelated_cookies(
    header: str, value: str | None, names: tuple[str, ...]
) -> None:
    cookie = read_chunked(header, "authjs.session-token")
    assert (cookie.value, cookie.names) == (value, names)


def test_json_response_headers_appear_once(app: Any) -> None:
    with app.test_request_context():
        response = json_response({"a": 1})
    for key, value in JSON_HEADERS:
        assert response.headers.getlist(key) == [value]
    assert response.mimetype == "application/json"


def test_a_cached_token_still_expires() -> None:
    codec = TokenCodec([SECRET], "session", max_lifetime=3600)
    token = codec.encode({"sub": "u1"}, now=1_000, max_age=60)
    assert codec.decode(token, now=1_000) is not None
    assert codec.cache_len == 1
    assert codec.decode(token, now=1_060) is None
