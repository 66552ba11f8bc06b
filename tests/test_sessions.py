"""Session strategies on their own (no app): renewal, revocation, expiry, the session shape."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs.adapters import Adapter, SQLiteAdapter
from flask_authjs.exceptions import StoreUnavailable
from flask_authjs.sessions import (
    AUTH_TIME,
    DatabaseSessionStrategy,
    JWTSessionStrategy,
    claims_for_user,
    iso_time,
    session_from_claims,
    session_key,
    sign_out_everywhere,
)
from flask_authjs.tokens import TokenCodec

from .conftest import SECRET, USER

NOW = 1_700_000_000
DAY = 86_400


@pytest.fixture
def store(tmp_path: Any) -> SQLiteAdapter:
    return SQLiteAdapter(str(tmp_path / "sessions.sqlite3"), timeout=1.0)


def jwt_strategy(store: Adapter | None = None) -> JWTSessionStrategy:
    codec = TokenCodec((SECRET,), "session", max_lifetime=30 * DAY)
    return JWTSessionStrategy(
        codec, max_age=30 * DAY, update_age=DAY, store=(lambda: store) if store else None
    )


def test_a_young_jwt_loads_without_renewal_and_an_old_one_is_renewed() -> None:
    strategy = jwt_strategy()
    token, max_age = strategy.issue(claims_for_user(USER), NOW)
    assert max_age == 30 * DAY
    young = strategy.load(token, NOW + DAY - 1)
    assert young is not None and young.renew is False and young.claims["sub"] == "u1"
    old = strategy.load(token, NOW + DAY)
    assert old is not None and old.renew is True
    assert strategy.load(token, NOW + 30 * DAY) is None  # expired


def test_renewal_keeps_the_sign_in_time() -> None:
    strategy = jwt_strategy()
    token, _ = strategy.issue(claims_for_user(USER), NOW)
    loaded = strategy.load(token, NOW + 2 * DAY)
    assert loaded is not None
    renewed, _ = strategy.issue(loaded.claims, NOW + 2 * DAY)
    claims = strategy.load(renewed, NOW + 2 * DAY)
    assert claims is not None
    assert claims.claims[AUTH_TIME] == NOW and claims.claims["iat"] == NOW + 2 * DAY


def test_a_revoked_jwt_is_no_session_at_its_renewal(store: SQLiteAdapter) -> None:
    strategy = jwt_strategy(store)
    token, _ = strategy.issue(claims_for_user(USER), NOW)
    sign_out_everywhere(store, "u1", NOW + 10)
    assert strategy.load(token, NOW + 100) is not None  # not due: the store is not asked
    assert strategy.load(token, NOW + DAY) is None
    later, _ = strategy.issue(claims_for_user(USER), NOW + 20)
    assert strategy.load(later, NOW + DAY + 20) is not None  # signed in after: fine


def test_a_jwt_due_for_renewal_without_the_store_stays_valid_unrenewed() -> None:
    class Down:
        def sessions_revoked_at(self, user_id: str) -> int | None:
            raise StoreUnavailable("down")

    codec = TokenCodec((SECRET,), "session", max_lifetime=30 * DAY)
    strategy = JWTSessionStrategy(codec, max_age=30 * DAY, update_age=DAY, store=lambda: Down())  # type: ignore[arg-type,return-value]
    token, _ = strategy.issue(claims_for_user(USER), NOW)
    loaded = strategy.load(token, NOW + 2 * DAY)
    assert loaded is not None and loaded.renew is False


def test_a_database_session_lives_in_the_store_under_a_hash(store: SQLiteAdapter) -> None:
    strategy = DatabaseSessionStrategy(lambda: store, max_age=30 * DAY)
    token, _ = strategy.issue({**claims_for_user(USER), "role": "admin"}, NOW)
    stored = store.get_session(session_key(token))
    assert stored is not None and token not in str(stored)
    assert stored["user_id"] == "u1" and stored["data"]["role"] == "admin"
    loaded = strategy.load(token, NOW + 10)
    assert loaded is not None and loaded.renew is False
    assert loaded.claims["sub"] == "u1" and loaded.claims["exp"] == NOW + 30 * DAY


def test_a_database_session_is_never_renewed_and_ends_max_age_after_sign_in(
    store: SQLiteAdapter,
) -> None:
    strategy = DatabaseSessionStrategy(lambda: store, max_age=30 * DAY)
    token, _ = strategy.issue(claims_for_user(USER), NOW)
    for later in (DAY, 29 * DAY):
        loaded = strategy.load(token, NOW + later)
        assert loaded is not None and loaded.renew is False and loaded.steady_until == 0
        assert loaded.claims["exp"] == NOW + 30 * DAY
    assert strategy.load(token, NOW + 30 * DAY) is None


def test_an_expired_database_session_is_deleted_and_an_ended_one_is_gone(
    store: SQLiteAdapter,
) -> None:
    strategy = DatabaseSessionStrategy(lambda: store, max_age=60)
    token, _ = strategy.issue(claims_for_user(USER), NOW)
    assert strategy.load(token, NOW + 60) is None
    assert store.get_session(session_key(token)) is None
    other, _ = strategy.issue(claims_for_user(USER), NOW)
    strategy.end(other)
    assert strategy.load(other, NOW) is None


@pytest.mark.parametrize("token", ["", "x" * 129, "not-a-session"])
def test_a_database_strategy_refuses_what_is_not_its_token(
    store: SQLiteAdapter, token: str
) -> None:
    strategy = DatabaseSessionStrategy(lambda: store, max_age=60)
    assert strategy.load(token, NOW) is None


def test_the_session_shape_is_auth_js_with_the_user_id() -> None:
    claims = {**claims_for_user({**USER, "image": "https://img"}), "exp": NOW}
    assert session_from_claims(claims) == {
        "user": {"id": "u1", "name": "Ada", "email": "ada@example.com", "image": "https://img"},
        "expires": "2023-11-14T22:13:20.000Z",
    }


@pytest.mark.parametrize(
    ("timestamp", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000, "2023-11-14T22:13:20.000Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (4_102_444_799, "2099-12-31T23:59:59.000Z"),
    ],
)
def test_expires_is_written_as_auth_js_writes_it(timestamp: int, text: str) -> None:
    assert iso_time(timestamp) == text
    assert iso_time(timestamp) == text  # the cached answer is the same
