"""JWT tampering of every kind: each one reads as no session, and the cookie is cleared."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest

from flask_authjs.tokens import MAX_TOKEN_SIZE, TokenCodec, derive_key, key_id

from .conftest import SECRET

NAME = "authjs.session-token"
KEY = derive_key(SECRET, "session")
KID = key_id(KEY)
NOW = int(time.time())
GOOD = {"sub": "u1", "iat": NOW, "exp": NOW + 600, "jti": "j1"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], payload: Any, key: bytes = KEY, alg: str = "sha256") -> str:
    """Sign exactly what we are given, bypassing every check PyJWT would make on encode."""
    raw_payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(raw_payload)}"
    signature = hmac.new(key, signing_input.encode(), getattr(hashlib, alg)).digest()
    return f"{signing_input}.{b64(signature)}"


HEADER = {"alg": "HS256", "typ": "JWT", "kid": KID}

TAMPERED = {
    "alg none": handmade({**HEADER, "alg": "none"}, GOOD).rsplit(".", 1)[0] + ".",
    "alg None": handmade({**HEADER, "alg": "None"}, GOOD),
    "alg HS512 with HS256 config": handmade({**HEADER, "alg": "HS512"}, GOOD, alg="sha512"),
    "alg RS256 header": handmade({**HEADER, "alg": "RS256"}, GOOD),
    "alg ES256 header": handmade({**HEADER, "alg": "ES256"}, GOOD),
    "no kid": handmade({"alg": "HS256", "typ": "JWT"}, GOOD),
    "unknown kid": handmade({**HEADER, "kid": "0" * 16}, GOOD),
    "kid not a string": handmade({**HEADER, "kid": 1}, GOOD),
    "kid path traversal": handmade({**HEADER, "kid": "../../etc/passwd"}, GOOD),
    "jku header": handmade({**HEADER, "jku": "https://evil.example/keys"}, GOOD, key=b"evil"),
    "embedded jwk": handmade({**HEADER, "jwk": {"kty": "oct", "k": b64(b"evil")}}, GOOD, b"evil"),
    "signed with raw secret": handmade(HEADER, GOOD, key=SECRET.encode()),
    "signed with empty key": handmade(HEADER, GOOD, key=b""),
    "stripped signature": handmade(HEADER, GOOD).rsplit(".", 1)[0] + ".",
    "two segments": handmade(HEADER, GOOD).rsplit(".", 1)[0],
    "four segments": handmade(HEADER, GOOD) + ".x",
    "flipped signature bit": (lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:])(
        handmade(HEADER, GOOD)
    ),
    "missing exp": handmade(HEADER, {k: v for k, v in GOOD.items() if k != "exp"}),
    "missing iat": handmade(HEADER, {k: v for k, v in GOOD.items() if k != "iat"}),
    "missing sub": handmade(HEADER, {k: v for k, v in GOOD.items() if k != "sub"}),
    "missing jti": handmade(HEADER, {k: v for k, v in GOOD.items() if k != "jti"}),
    "exp as string": handmade(HEADER, {**GOOD, "exp": str(NOW + 600)}),
    "exp as float": handmade(HEADER, {**GOOD, "exp": NOW + 600.5}),
    "exp huge": handmade(HEADER, {**GOOD, "exp": 10**30}),
    "exp true": handmade(HEADER, {**GOOD, "exp": True}),
    "lifetime over max age": handmade(HEADER, {**GOOD, "exp": NOW + 10**9}),
    "expired": handmade(HEADER, {**GOOD, "iat": NOW - 1000, "exp": NOW - 1}),
    "iat in the future": handmade(HEADER, {**GOOD, "iat": NOW + 3600, "exp": NOW + 4000}),
    "sub not a string": handmade(HEADER, {**GOOD, "sub": 1}),
    "sub an object": handmade(HEADER, {**GOOD, "sub": {"$ne": None}}),
    "payload a list": handmade(HEADER, [GOOD]),
    "payload not json": handmade(HEADER, b"not json"),
    "payload deeply nested": handmade(HEADER, b'{"sub":' + b"[" * 3000 + b"]" * 3000 + b"}"),
    "header not json": "bm90IGpzb24." + b64(json.dumps(GOOD).encode()) + ".c2ln",
    "oversized": handmade(HEADER, {**GOOD, "pad": "x" * MAX_TOKEN_SIZE}),
    "other purpose key": TokenCodec((SECRET,), "oauth-check", max_lifetime=900).encode(
        {"sub": "u1"}, now=NOW, max_age=600
    ),
    "unicode garbage": "é.ü.ß",
    "whitespace": " " + handmade(HEADER, GOOD),
}


def test_the_untampered_control_token_is_accepted(raw_client: Any) -> None:
    response = raw_client.get(
        "/api/auth/session", headers={"Cookie": f"{NAME}={handmade(HEADER, GOOD)}"}
    )
    assert response.get_json()["user"]["id"] == "u1"


@pytest.mark.parametrize("token", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_tokens_are_no_session_and_cleared(raw_client: Any, token: str) -> None:
    response = raw_client.get("/api/auth/session", headers={"Cookie": f"{NAME}={token}"})
    assert response.status_code == 200
    assert response.get_json() == {}
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{NAME}=")]
    assert cleared and "Max-Age=0" in cleared[0]


@pytest.mark.parametrize("token", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_tokens_never_open_a_protected_page(raw_client: Any, token: str) -> None:
    response = raw_client.get("/dashboard", headers={"Cookie": f"{NAME}={token}"})
    assert response.status_code == 302


def test_pyjwt_would_accept_a_string_exp_that_we_refuse() -> None:
    token = handmade(HEADER, {**GOOD, "exp": str(NOW + 600)})
    codec = TokenCodec((SECRET,), "session", max_lifetime=3600)
    assert codec.decode(token, now=NOW) is None
    assert jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": False})
