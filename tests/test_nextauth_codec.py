"""The encrypted session formats against the real npm packages, in both directions.

``@auth/core``'s ``encode``/``decode`` (Auth.js v5) and ``next-auth/jwt``'s (4.24.x), run
with node through tests/nextauth/codec.mjs, versions pinned by the lockfile.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from joserfc import jwe
from joserfc.jwk import OctKey

from flask_authjs.formats import AUTHJS_V5, NEXT_AUTH_V4, session_codecs
from flask_authjs.jwe import GCM, V5_INFO, JWECodec, derive_key, thumbprint

from .conftest import SECRET, NodeCodec

OLD_SECRET = "the-secret-before-the-rotation-0123456789"
PLAIN, SECURE = "authjs.session-token", "__Secure-authjs.session-token"
MAX_AGE = 30 * 24 * 60 * 60
CLAIMS = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "picture": None,
    "sub": "u1",
    "role": "admin",
    "auth_time": 1_700_000_000,
}


def v5_codec(salt: str = PLAIN, secrets: tuple[str, ...] = (SECRET,)) -> JWECodec:
    codec = session_codecs(AUTHJS_V5, secrets, algorithm="HS256", max_lifetime=MAX_AGE)[
        salt == SECURE
    ]
    assert isinstance(codec, JWECodec)
    return codec


def v4_codec(secrets: tuple[str, ...] = (SECRET,)) -> JWECodec:
    codec = session_codecs(NEXT_AUTH_V4, secrets, algorithm="HS256", max_lifetime=MAX_AGE)[False]
    assert isinstance(codec, JWECodec)
    return codec


def now() -> int:
    return int(time.time())


def ok(answer: dict[str, Any]) -> Any:
    assert "ok" in answer, answer
    return answer["ok"]


def refused(answer: dict[str, Any]) -> bool:
    """Refused by the library's own checks (not a mistake of this test's in calling it)."""
    if "error" in answer:
        assert not answer["error"].startswith("TypeError"), answer
        return True
    return answer["ok"] is None


def without_bookkeeping(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k not in ("iat", "exp", "jti")}


@pytest.mark.parametrize("salt", [PLAIN, SECURE])
def test_auth_core_tokens_decode_in_python_to_the_same_claims(
    node_codec: NodeCodec, salt: str
) -> None:
    token = ok(
        node_codec(
            [{"lib": "v5", "op": "encode", "token": CLAIMS, "secret": SECRET, "salt": salt}]
        )[0]
    )
    claims = v5_codec(salt).decode(token, now=now())
    assert claims is not None
    assert without_bookkeeping(claims) == CLAIMS
    assert claims["exp"] - claims["iat"] == MAX_AGE
    assert json.loads(jwe_header(token)) == {
        "alg": "dir",
        "enc": "A256CBC-HS512",
        "kid": thumbprint(derive_key(SECRET, salt=salt, info=f"{V5_INFO} ({salt})", length=64)),
    }


def test_next_auth_4_tokens_decode_in_python_to_the_same_claims(node_codec: NodeCodec) -> None:
    token = ok(node_codec([{"lib": "v4", "op": "encode", "token": CLAIMS, "secret": SECRET}])[0])
    claims = v4_codec().decode(token, now=now())
    assert claims is not None and without_bookkeeping(claims) == CLAIMS
    assert json.loads(jwe_header(token)) == {"alg": "dir", "enc": "A256GCM"}


@pytest.mark.parametrize("salt", [PLAIN, SECURE])
def test_python_v5_tokens_are_accepted_by_auth_core(node_codec: NodeCodec, salt: str) -> None:
    token = v5_codec(salt).encode(CLAIMS, now=now(), max_age=600)
    payload = ok(
        node_codec([{"lib": "v5", "op": "decode", "jwt": token, "secret": SECRET, "salt": salt}])[0]
    )
    assert payload == v5_codec(salt).decode(token, now=now())
    assert without_bookkeeping(payload) == CLAIMS


def test_python_v4_tokens_are_accepted_by_next_auth_4(node_codec: NodeCodec) -> None:
    token = v4_codec().encode(CLAIMS, now=now(), max_age=600)
    payload = ok(node_codec([{"lib": "v4", "op": "decode", "jwt": token, "secret": SECRET}])[0])
    assert payload == v4_codec().decode(token, now=now())


def test_rotated_secrets_v5(node_codec: NodeCodec) -> None:
    """The kid picks the secret on both sides: old tokens live on after the rotation."""
    rotated = (SECRET, OLD_SECRET)
    python_new = v5_codec(secrets=rotated).encode(CLAIMS, now=now(), max_age=600)
    python_old = v5_codec(secrets=(OLD_SECRET,)).encode(CLAIMS, now=now(), max_age=600)
    answers = node_codec(
        [
            {"lib": "v5", "op": "encode", "token": CLAIMS, "secret": [OLD_SECRET], "salt": PLAIN},
            {"lib": "v5", "op": "decode", "jwt": python_new, "secret": rotated, "salt": PLAIN},
            {"lib": "v5", "op": "decode", "jwt": python_old, "secret": rotated, "salt": PLAIN},
            {"lib": "v5", "op": "decode", "jwt": python_old, "secret": [SECRET], "salt": PLAIN},
        ]
    )
    node_old = ok(answers[0])
    assert without_bookkeeping(ok(answers[1])) == CLAIMS
    assert without_bookkeeping(ok(answers[2])) == CLAIMS
    assert refused(answers[3])
    assert v5_codec(secrets=rotated).decode(node_old, now=now()) is not None
    assert v5_codec(secrets=(SECRET,)).decode(node_old, now=now()) is None


def kidless_v5_gcm(secret: str) -> str:
    """A v5 token as another Auth.js deployment may send it: A256GCM, no kid."""
    key = derive_key(secret, salt=PLAIN, info=f"{V5_INFO} ({PLAIN})", length=32)
    payload = {**CLAIMS, "iat": now(), "exp": now() + 600, "jti": "j"}
    return jwe.encrypt_compact(
        {"alg": "dir", "enc": GCM},
        json.dumps(payload),
        OctKey.import_key(key),
        algorithms=["dir", GCM],
    )


def test_v5_without_kid_uses_the_first_secret_only_on_both_sides(node_codec: NodeCodec) -> None:
    rotated = (SECRET, OLD_SECRET)
    first, second = kidless_v5_gcm(SECRET), kidless_v5_gcm(OLD_SECRET)
    answers = node_codec(
        [
            {"lib": "v5", "op": "decode", "jwt": first, "secret": rotated, "salt": PLAIN},
            {"lib": "v5", "op": "decode", "jwt": second, "secret": rotated, "salt": PLAIN},
        ]
    )
    assert without_bookkeeping(ok(answers[0])) == CLAIMS
    assert refused(answers[1])
    assert v5_codec(secrets=rotated).decode(first, now=now()) == ok(answers[0])
    assert v5_codec(secrets=rotated).decode(second, now=now()) is None


def test_rotated_secrets_v4(node_codec: NodeCodec) -> None:
    """next-auth 4 has one secret; Python tries each of its secrets on a kid-less token."""
    node_old = ok(
        node_codec([{"lib": "v4", "op": "encode", "token": CLAIMS, "secret": OLD_SECRET}])[0]
    )
    assert v4_codec(secrets=(SECRET, OLD_SECRET)).decode(node_old, now=now()) is not None
    assert v4_codec(secrets=(SECRET,)).decode(node_old, now=now()) is None
    python_new = v4_codec(secrets=(SECRET, OLD_SECRET)).encode(CLAIMS, now=now(), max_age=600)
    answers = node_codec(
        [
            {"lib": "v4", "op": "decode", "jwt": python_new, "secret": SECRET},
            {"lib": "v4", "op": "decode", "jwt": python_new, "secret": OLD_SECRET},
        ]
    )
    assert without_bookkeeping(ok(answers[0])) == CLAIMS
    assert refused(answers[1])


def test_a_v5_token_offered_as_v4_is_refused_on_both_sides(node_codec: NodeCodec) -> None:
    v5_token = v5_codec().encode(CLAIMS, now=now(), max_age=600)
    v4_token = v4_codec().encode(CLAIMS, now=now(), max_age=600)
    answers = node_codec(
        [
            {"lib": "v4", "op": "decode", "jwt": v5_token, "secret": SECRET},
            {"lib": "v5", "op": "decode", "jwt": v4_token, "secret": SECRET, "salt": PLAIN},
        ]
    )
    assert refused(answers[0]) and refused(answers[1])
    assert v4_codec().decode(v5_token, now=now()) is None
    assert v5_codec().decode(v4_token, now=now()) is None


def test_a_secure_salted_token_under_the_plain_name_is_refused_on_both_sides(
    node_codec: NodeCodec,
) -> None:
    python_secure = v5_codec(SECURE).encode(CLAIMS, now=now(), max_age=600)
    answers = node_codec(
        [
            {"lib": "v5", "op": "encode", "token": CLAIMS, "secret": SECRET, "salt": SECURE},
            {"lib": "v5", "op": "decode", "jwt": python_secure, "secret": SECRET, "salt": PLAIN},
        ]
    )
    assert refused(answers[1])
    assert v5_codec(PLAIN).decode(ok(answers[0]), now=now()) is None
    assert v5_codec(SECURE).decode(ok(answers[0]), now=now()) is not None


@pytest.mark.parametrize(
    ("lib", "expired_for", "accepted"),
    [
        ("v5", 10, True),
        ("v5", 20, False),
        ("v4", 10, True),
        ("v4", 20, False),
    ],
)
def test_expiry_has_the_same_15_second_tolerance_on_both_sides(
    node_codec: NodeCodec, lib: str, expired_for: int, accepted: bool
) -> None:
    codec = v5_codec() if lib == "v5" else v4_codec()
    issued = now() - 600
    token = codec.encode(CLAIMS, now=issued, max_age=600 - expired_for)
    answer = node_codec(
        [
            {
                "lib": lib,
                "op": "decode",
                "jwt": token,
                "secret": SECRET,
                "salt": PLAIN if lib == "v5" else None,
            }
        ]
    )[0]
    assert (not refused(answer)) is accepted
    assert (codec.decode(token, now=now()) is not None) is accepted


def jwe_header(token: str) -> bytes:
    import base64

    segment = token.split(".")[0]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
