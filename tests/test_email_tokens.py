"""One-time email tokens: random, stored only as a keyed hash, purpose-bound, used once."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from flask_authjs.adapters import SQLiteAdapter
from flask_authjs.email_tokens import (
    MAGIC_LINK,
    PASSWORD_RESET,
    PURPOSES,
    VERIFY_EMAIL,
    EmailTokens,
    identifier,
)
from flask_authjs.tokens import secret_hash

from .conftest import FakeClock

SECRET = "a-secret-of-the-app-that-is-long-enough"


@pytest.fixture
def store(tmp_path: Path) -> SQLiteAdapter:
    return SQLiteAdapter(str(tmp_path / "tokens.sqlite3"))


@pytest.fixture
def tokens(store: SQLiteAdapter, clock: FakeClock) -> EmailTokens:
    return EmailTokens(lambda: store, [SECRET], clock)


def stored(store: SQLiteAdapter) -> list[tuple[str, str]]:
    with sqlite3.connect(store.path) as db:
        return db.execute("SELECT identifier, token FROM verification_tokens").fetchall()


def test_the_store_keeps_only_the_hash_of_token_and_secret(
    tokens: EmailTokens, store: SQLiteAdapter
) -> None:
    token = tokens.issue(MAGIC_LINK, "ada@example.com", 600)
    assert len(token) == 64 and int(token, 16) >= 0
    expected = hashlib.sha256((token + SECRET).encode()).hexdigest()
    assert stored(store) == [("ada@example.com", expected)]
    assert token not in str(stored(store))


def test_tokens_are_fresh_every_time(tokens: EmailTokens) -> None:
    assert len({tokens.issue(MAGIC_LINK, "ada@example.com", 600) for _ in range(20)}) == 20


def test_a_token_works_once(tokens: EmailTokens) -> None:
    token = tokens.issue(MAGIC_LINK, "ada@example.com", 600)
    assert tokens.consume(MAGIC_LINK, "ada@example.com", token)
    assert not tokens.consume(MAGIC_LINK, "ada@example.com", token)


def test_a_token_is_for_its_email_only(tokens: EmailTokens) -> None:
    token = tokens.issue(MAGIC_LINK, "ada@example.com", 600)
    assert not tokens.consume(MAGIC_LINK, "eve@example.com", token)
    assert tokens.consume(MAGIC_LINK, "ada@example.com", token)


@pytest.mark.parametrize("made_for", PURPOSES)
def test_a_token_for_one_purpose_is_refused_by_the_others(
    tokens: EmailTokens, made_for: str
) -> None:
    token = tokens.issue(made_for, "ada@example.com", 600)
    for other in PURPOSES:
        if other != made_for:
            assert not tokens.consume(other, "ada@example.com", token)
    assert tokens.consume(made_for, "ada@example.com", token)


def test_no_email_can_pose_as_another_purpose() -> None:
    """The prefixed identifiers contain ``:``; a normal-form email never does."""
    from flask_authjs.emails import normalize_email
    from flask_authjs.exceptions import InvalidInput

    with pytest.raises(InvalidInput):
        normalize_email(identifier(PASSWORD_RESET, "ada@example.com"))


def test_an_expired_token_is_refused_and_spent(tokens: EmailTokens, clock: FakeClock) -> None:
    token = tokens.issue(VERIFY_EMAIL, "ada@example.com", 60)
    clock.advance(61)
    assert not tokens.consume(VERIFY_EMAIL, "ada@example.com", token)
    clock.advance(-61)
    assert not tokens.consume(VERIFY_EMAIL, "ada@example.com", token)


def test_replace_makes_older_tokens_useless(tokens: EmailTokens) -> None:
    first = tokens.issue(PASSWORD_RESET, "ada@example.com", 600, replace=True)
    second = tokens.issue(PASSWORD_RESET, "ada@example.com", 600, replace=True)
    assert not tokens.consume(PASSWORD_RESET, "ada@example.com", first)
    assert tokens.consume(PASSWORD_RESET, "ada@example.com", second)


def test_tokens_survive_a_secret_rotation(store: SQLiteAdapter, clock: FakeClock) -> None:
    before = EmailTokens(lambda: store, [SECRET], clock)
    token = before.issue(MAGIC_LINK, "ada@example.com", 600)
    after = EmailTokens(lambda: store, ["the-new-secret-of-the-app-long-enough", SECRET], clock)
    assert after.consume(MAGIC_LINK, "ada@example.com", token)


@pytest.mark.parametrize(
    "token", ["", "x" * 64, "A" * 64, "0" * 63, "0" * 65, None, 12, {"$ne": None}]
)
def test_malformed_tokens_never_reach_the_store(tokens: EmailTokens, token: object) -> None:
    class Untouchable:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the store was asked: {name}")

    guarded = EmailTokens(lambda: Untouchable(), [SECRET], tokens.clock)  # type: ignore[arg-type,return-value]
    assert not guarded.consume(MAGIC_LINK, "ada@example.com", token)


def test_the_hash_is_auth_js_shape() -> None:
    assert secret_hash("abc", "s") == hashlib.sha256(b"abcs").hexdigest()
