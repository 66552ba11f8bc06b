"""Token tampering of every kind, in every session format: each reads as no session, and
the cookie is cleared.

The claim-level cases (missing, mistyped or out-of-range claims) are sealed properly in
each format, signed for ``jws`` and encrypted with the right key for ``next-auth-v4`` and
``authjs-v5``, so only the claim checks stand between them and a session. The envelope
cases are each format's own: signatures and ``alg`` for JWS; ciphertext, tag, IV, the
``alg``/``enc``/``zip`` header, salts and sizes for JWE.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import time
import zlib
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe
from joserfc.jwk import OctKey

from flask_authjs.formats import AUTHJS_V5, FORMATS, NEXT_AUTH_V4, session_codecs
from flask_authjs.jwe import CBC_HS512, GCM, KEY_LENGTHS, V4_INFO, V5_INFO, derive_key, thumbprint
from flask_authjs.tokens import MAX_TOKEN_SIZE, TokenCodec, key_id
from flask_authjs.tokens import derive_key as derive_jws_key

from .conftest import SECRET, AppFactory

OTHER_SECRET = "another-secret-that-is-long-enough-0123456789"
KEY = derive_jws_key(SECRET, "session")
KID = key_id(KEY)
NOW = int(time.time())
DAY = 24 * 60 * 60
#: Valid for a day: the cases are made at collection, long before some of them run.
GOOD = {"sub": "u1", "iat": NOW, "exp": NOW + DAY, "jti": "j1"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def handmade(header: dict[str, Any], payload: Any, key: bytes = KEY, alg: str = "sha256") -> str:
    """Sign exactly what we are given, bypassing every check PyJWT would make on encode."""
    raw_payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(raw_payload)}"
    signature = hmac.new(key, signing_input.encode(), getattr(hashlib, alg)).digest()
    return f"{signing_input}.{b64(signature)}"


HEADER = {"alg": "HS256", "typ": "JWT", "kid": KID}

JWS_ENVELOPES = {
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
    "header not json": "bm90IGpzb24." + b64(json.dumps(GOOD).encode()) + ".c2ln",
    "oversized": handmade(HEADER, {**GOOD, "pad": "x" * MAX_TOKEN_SIZE}),
    "other purpose key": TokenCodec((SECRET,), "oauth-check", max_lifetime=900).encode(
        {"sub": "u1"}, now=NOW, max_age=600
    ),
    "a JWE offered (authjs-v5)": session_codecs(
        AUTHJS_V5, [SECRET], algorithm="HS256", max_lifetime=DAY
    )[False].encode({"sub": "u1"}, now=NOW, max_age=600),
    "unicode garbage": "é.ü.ß",
    "whitespace": " " + handmade(HEADER, GOOD),
}


def jwe_key(fmt: str, enc: str, secret: str = SECRET, salt: str | None = None) -> bytes:
    """The key the JavaScript library derives; ``salt`` defaults to the plain cookie name."""
    if fmt == NEXT_AUTH_V4.id:
        return derive_key(secret, salt="", info=V4_INFO, length=KEY_LENGTHS[enc])
    salt = AUTHJS_V5.cookie_name(False) if salt is None else salt
    return derive_key(secret, salt=salt, info=f"{V5_INFO} ({salt})", length=KEY_LENGTHS[enc])


def sealed(
    fmt: str,
    payload: Any,
    *,
    enc: str | None = None,
    header: dict[str, Any] | None = None,
    key: bytes | None = None,
) -> str:
    """``payload`` (JSON, or raw bytes) encrypted exactly as given, with a valid tag.

    By hand (RFC 7516 and RFC 7518 section 5.2.2 / 5.3), so a token may carry what a JOSE
    library would refuse to write: ``zip``, ``crit``, unregistered header names.
    """
    enc = enc or (GCM if fmt == NEXT_AUTH_V4.id else CBC_HS512)
    key = key or jwe_key(fmt, enc)
    kid = {"kid": thumbprint(key)} if fmt == AUTHJS_V5.id else {}
    protected = b64(json.dumps({"alg": "dir", "enc": enc, **kid, **(header or {})}).encode())
    aad = protected.encode()
    plaintext = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if enc == GCM:
        iv = os.urandom(12)
        sealed_text = AESGCM(key).encrypt(iv, plaintext, aad)
        ciphertext, tag = sealed_text[:-16], sealed_text[-16:]
    else:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key[32:]), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        mac_input = aad + iv + ciphertext + struct.pack(">Q", len(aad) * 8)
        tag = hmac.new(key[:32], mac_input, hashlib.sha512).digest()[:32]
    return ".".join([protected, "", b64(iv), b64(ciphertext), b64(tag)])


def seal(fmt: str, payload: Any) -> str:
    """A token of ``fmt`` whose only fault, if any, is in ``payload``."""
    return handmade(HEADER, payload) if fmt == "jws" else sealed(fmt, payload)


CLAIM_CASES: dict[str, Any] = {
    "missing exp": {k: v for k, v in GOOD.items() if k != "exp"},
    "missing iat": {k: v for k, v in GOOD.items() if k != "iat"},
    "missing sub": {k: v for k, v in GOOD.items() if k != "sub"},
    "missing jti": {k: v for k, v in GOOD.items() if k != "jti"},
    "exp as string": {**GOOD, "exp": str(NOW + 600)},
    "exp as float": {**GOOD, "exp": NOW + 600.5},
    "exp huge": {**GOOD, "exp": 10**30},
    "exp true": {**GOOD, "exp": True},
    "lifetime over max age": {**GOOD, "exp": NOW + 10**9},
    "expired (past any tolerance)": {**GOOD, "iat": NOW - 1000, "exp": NOW - 16},
    "iat in the future": {**GOOD, "iat": NOW + 3600, "exp": NOW + 4000},
    "nbf in the future": {**GOOD, "nbf": NOW + 3600},
    "sub not a string": {**GOOD, "sub": 1},
    "sub an object": {**GOOD, "sub": {"$ne": None}},
    "payload a list": [GOOD],
    "payload not json": b"not json",
    "payload deeply nested": b'{"sub":' + b"[" * 3000 + b"]" * 3000 + b"}",
}


def flip(token: str, segment: int) -> str:
    """Flip one bit of the decoded ``segment`` (0 header ... 4 tag)."""
    parts = token.split(".")
    raw = bytearray(unb64(parts[segment]))
    raw[len(raw) // 2] ^= 1
    parts[segment] = b64(bytes(raw))
    return ".".join(parts)


def reheader(token: str, **changes: Any) -> str:
    """The same IV, ciphertext and tag under another protected header (which is the AAD)."""
    header = json.loads(unb64(token.split(".")[0]))
    header.update(changes)
    return ".".join([b64(json.dumps(header).encode()), *token.split(".")[1:]])


def jwe_envelopes(fmt: str) -> dict[str, str]:
    good = seal(fmt, GOOD)
    other_format = NEXT_AUTH_V4.id if fmt == AUTHJS_V5.id else AUTHJS_V5.id
    cases = {
        "tampered ciphertext": flip(good, 3),
        "tampered tag": flip(good, 4),
        "tampered IV": flip(good, 2),
        "short tag": good[: good.rindex(".") + 11],
        "truncated": good[:-10],
        "dropped segment": good.rsplit(".", 1)[0],
        "empty segments": "....",
        "encrypted key not empty": reheader(good).replace("..", ".AAAA.", 1),
        "header alg A256KW": reheader(good, alg="A256KW"),
        "header alg none": reheader(good, alg="none"),
        "header alg RSA-OAEP": reheader(good, alg="RSA-OAEP"),
        "header enc A128GCM": reheader(good, enc="A128GCM"),
        "header enc swapped": reheader(good, enc=GCM if fmt == AUTHJS_V5.id else CBC_HS512),
        "header not json": "bm90IGpzb24" + good[good.index(".") :],
        "zip DEF, authentic": sealed(
            fmt,
            zlib.compress(json.dumps(GOOD).encode())[2:-4],
            header={"zip": "DEF"},
        ),
        "crit header, authentic": sealed(fmt, GOOD, header={"crit": ["exp"], "exp": 1}),
        "unregistered header, authentic": sealed(fmt, GOOD, header={"x-evil": 1}),
        "wrong secret": sealed(
            fmt, GOOD, key=jwe_key(fmt, GCM if fmt == NEXT_AUTH_V4.id else CBC_HS512, OTHER_SECRET)
        ),
        "oversized, authentic": seal(fmt, {**GOOD, "pad": "x" * 4 * FORMATS[fmt].chunk_size}),
        "a JWS offered": TokenCodec((SECRET,), "session", max_lifetime=DAY).encode(
            {"sub": "u1"}, now=NOW, max_age=600
        ),
        f"a {other_format} token offered": seal(other_format, GOOD),
        "unicode garbage": "é.ü.ß.ä.ö",
        "whitespace": " " + good,
    }
    if fmt == AUTHJS_V5.id:
        secure = jwe_key(fmt, CBC_HS512, salt=AUTHJS_V5.cookie_name(True))
        cases["salted for __Secure- under the plain name"] = sealed(fmt, GOOD, key=secure)
        cases["unknown kid, authentic"] = sealed(fmt, GOOD, header={"kid": "x" * 86})
    return cases


def hostile(fmt: str) -> dict[str, str]:
    envelopes = JWS_ENVELOPES if fmt == "jws" else jwe_envelopes(fmt)
    return {**envelopes, **{name: seal(fmt, payload) for name, payload in CLAIM_CASES.items()}}


CASES = [(fmt, name, token) for fmt in FORMATS for name, token in hostile(fmt).items()]


@pytest.fixture(params=list(FORMATS))
def fmt(request: Any) -> str:
    return str(request.param)


def client_for(app_factory: AppFactory, fmt: str) -> Any:
    return app_factory(SESSION_FORMAT=fmt).test_client(use_cookies=False)


def test_the_untampered_control_token_is_accepted(app_factory: AppFactory, fmt: str) -> None:
    name = FORMATS[fmt].cookie_name(False)
    response = client_for(app_factory, fmt).get(
        "/api/auth/session", headers={"Cookie": f"{name}={seal(fmt, GOOD)}"}
    )
    assert response.get_json()["user"]["id"] == "u1"


@pytest.mark.parametrize(("fmt", "case", "token"), CASES, ids=[f"{f}-{c}" for f, c, _ in CASES])
def test_tampered_tokens_are_no_session_and_cleared(
    app_factory: AppFactory, fmt: str, case: str, token: str
) -> None:
    name = FORMATS[fmt].cookie_name(False)
    client = client_for(app_factory, fmt)
    response = client.get("/api/auth/session", headers={"Cookie": f"{name}={token}"})
    assert response.status_code == 200
    assert response.get_json() == {}
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert cleared and "Max-Age=0" in cleared[0]
    response = client.get("/dashboard", headers={"Cookie": f"{name}={token}"})
    assert response.status_code == 302


def test_expiry_tolerance_is_auth_js_15_seconds_for_jwe_and_none_for_jws(
    app_factory: AppFactory, fmt: str
) -> None:
    name = FORMATS[fmt].cookie_name(False)
    now = int(time.time())
    token = seal(fmt, {**GOOD, "iat": now - 1000, "exp": now - 10})
    response = client_for(app_factory, fmt).get(
        "/api/auth/session", headers={"Cookie": f"{name}={token}"}
    )
    assert bool(response.get_json()) is (fmt != "jws")


def test_a_v5_token_without_kid_is_tried_with_the_first_secret_only(
    app_factory: AppFactory,
) -> None:
    name = AUTHJS_V5.cookie_name(False)
    app = app_factory(SESSION_FORMAT="authjs-v5", SECRET=[SECRET, OTHER_SECRET])
    client = app.test_client(use_cookies=False)
    for secret, accepted in ((SECRET, True), (OTHER_SECRET, False)):
        key = jwe_key("authjs-v5", CBC_HS512, secret)
        token = jwe.encrypt_compact(
            {"alg": "dir", "enc": CBC_HS512},
            json.dumps(GOOD),
            OctKey.import_key(key),
            algorithms=["dir", CBC_HS512],
        )
        response = client.get("/api/auth/session", headers={"Cookie": f"{name}={token}"})
        assert bool(response.get_json()) is accepted


def test_pyjwt_would_accept_a_string_exp_that_we_refuse() -> None:
    token = handmade(HEADER, {**GOOD, "exp": str(NOW + 600)})
    codec = TokenCodec((SECRET,), "session", max_lifetime=3600)
    assert codec.decode(token, now=NOW) is None
    assert jwt.decode(token, KEY, algorithms=["HS256"], options={"verify_exp": False})


def test_joserfc_would_decompress_a_zip_token_that_we_refuse() -> None:
    token = jwe_envelopes("authjs-v5")["zip DEF, authentic"]
    key = OctKey.import_key(jwe_key("authjs-v5", CBC_HS512))
    opened = jwe.decrypt_compact(token, key, algorithms=["dir", CBC_HS512, "DEF"])
    assert json.loads(opened.plaintext or b"") == GOOD
    codec = session_codecs(AUTHJS_V5, [SECRET], algorithm="HS256", max_lifetime=DAY)[False]
    assert codec.decode(token, now=NOW) is None
