"""TokenCodec: purpose-bound keys, rotation by ``kid``, the claims it insists on, its cache."""

from __future__ import annotations

import jwt
import pytest

from flask_authjs.tokens import MAX_TOKEN_SIZE, TokenCodec, derive_key, key_id

from .conftest import SECRET

OLD = "an-older-secret-that-is-also-long-enough-00"
NOW = 1_700_000_000


def codec(*secrets: str, purpose: str = "session", **options: int) -> TokenCodec:
    return TokenCodec(secrets or (SECRET,), purpose, max_lifetime=3600, **options)


def test_a_token_decodes_to_its_claims_plus_the_bookkeeping() -> None:
    token = codec().encode({"sub": "u1", "email": "a@example.com"}, now=NOW, max_age=60)
    claims = codec().decode(token, now=NOW + 59)
    assert claims is not None
    assert claims["sub"] == "u1" and claims["email"] == "a@example.com"
    assert claims["iat"] == NOW and claims["exp"] == NOW + 60
    assert isinstance(claims["jti"], str) and len(claims["jti"]) == 32


def test_two_tokens_for_the_same_claims_differ() -> None:
    first = codec().encode({"sub": "u1"}, now=NOW, max_age=60)
    assert first != codec().encode({"sub": "u1"}, now=NOW, max_age=60)


def test_a_token_of_one_purpose_never_verifies_as_another() -> None:
    token = codec(purpose="oauth-check").encode({"sub": "u1"}, now=NOW, max_age=60)
    assert codec(purpose="oauth-check").decode(token, now=NOW) is not None
    assert codec(purpose="session").decode(token, now=NOW) is None


def test_the_first_secret_signs_and_every_listed_secret_verifies() -> None:
    rotated = codec(SECRET, OLD)
    token = rotated.encode({"sub": "u1"}, now=NOW, max_age=60)
    assert jwt.get_unverified_header(token)["kid"] == key_id(derive_key(SECRET, "session"))
    old_token = codec(OLD).encode({"sub": "u1"}, now=NOW, max_age=60)
    assert rotated.decode(old_token, now=NOW) is not None
    assert codec(SECRET).decode(old_token, now=NOW) is None  # OLD dropped from the list


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": 1},  # sub must be a string
        {"sub": "u1", "iat": "1700000000"},  # a string iat
        {"sub": "u1", "exp": NOW + 10**9},  # lives longer than max_lifetime
        {"sub": "u1", "exp": NOW - 1},  # expires before it was issued
    ],
)
def test_claims_that_are_not_well_formed_are_refused(claims: dict[str, object]) -> None:
    key = derive_key(SECRET, "session")
    payload = {"iat": NOW, "exp": NOW + 60, "jti": "j", **claims}
    token = jwt.encode(payload, key, "HS256", headers={"kid": key_id(key)})
    assert codec().decode(token, now=NOW) is None


def test_a_required_claim_missing_is_refused() -> None:
    key = derive_key(SECRET, "session")
    token = jwt.encode(
        {"sub": "u1", "iat": NOW, "exp": NOW + 60}, key, "HS256", headers={"kid": key_id(key)}
    )  # no jti
    assert codec().decode(token, now=NOW) is None


def test_an_unknown_kid_or_an_oversized_token_is_refused_without_verifying() -> None:
    key = derive_key(SECRET, "session")
    payload = {"sub": "u1", "iat": NOW, "exp": NOW + 60, "jti": "j"}
    assert (
        codec().decode(jwt.encode(payload, key, "HS256", headers={"kid": "nope"}), now=NOW) is None
    )
    assert codec().decode("a" * (MAX_TOKEN_SIZE + 1), now=NOW) is None


def test_a_cached_token_still_expires() -> None:
    tokens = codec()
    token = tokens.encode({"sub": "u1"}, now=NOW, max_age=60)
    assert tokens.decode(token, now=NOW) is not None
    assert tokens.cache_len == 1
    assert tokens.decode(token, now=NOW + 60) is None


def test_only_verified_tokens_are_cached_and_the_cache_stays_bounded() -> None:
    tokens = codec(cache_size=2)
    assert tokens.decode("garbage.token.value", now=NOW) is None
    assert tokens.cache_len == 0
    first, second, third = (tokens.encode({"sub": f"u{i}"}, now=NOW, max_age=60) for i in range(3))
    for token in (first, second, third):
        assert tokens.decode(token, now=NOW) is not None
    assert tokens.cache_len == 2
    assert tokens.decode(first, now=NOW) is not None  # dropped, verified again, not refused
    assert tokens.cache_len == 2
