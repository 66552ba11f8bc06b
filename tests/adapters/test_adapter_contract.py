"""The adapter contract: every store (SQLite, MongoDB, SQL presets) behaves the same way."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from flask_authjs.adapters import Adapter, DuplicateAccount, DuplicateEmail
from flask_authjs.exceptions import InvalidInput

NOW = 1_800_000_000


def test_a_created_user_is_found_by_id_and_by_email(adapter: Adapter) -> None:
    user = adapter.create_user("ada@example.com", name="Ada", password_hash="$2b$04$x")
    assert adapter.get_user(user["id"]) == user
    assert adapter.get_user_by_email("ada@example.com") == user
    assert user["password_hash"] == "$2b$04$x"


def test_missing_users_are_none(adapter: Adapter) -> None:
    assert adapter.get_user("nobody") is None
    assert adapter.get_user_by_email("nobody@example.com") is None


def test_an_email_is_unique(adapter: Adapter) -> None:
    adapter.create_user("ada@example.com")
    with pytest.raises(DuplicateEmail):
        adapter.create_user("ada@example.com", name="Other")


def test_set_password_hash_replaces_the_hash(adapter: Adapter) -> None:
    user = adapter.create_user("ada@example.com", password_hash="old")
    adapter.set_password_hash(user["id"], "new")
    found = adapter.get_user(user["id"])
    assert found is not None and found["password_hash"] == "new"


def test_an_account_leads_to_its_user(adapter: Adapter) -> None:
    user = adapter.create_user("ada@example.com")
    adapter.link_account(
        user["id"],
        {"provider": "github", "providerAccountId": "42", "type": "oauth", "scope": "read"},
    )
    assert adapter.get_user_by_account("github", "42") == user
    assert adapter.get_user_by_account("github", "43") is None
    assert adapter.get_user_by_account("gitlab", "42") is None


def test_a_provider_account_links_to_one_user_only(adapter: Adapter) -> None:
    first = adapter.create_user("ada@example.com")
    second = adapter.create_user("bob@example.com")
    account = {"provider": "github", "providerAccountId": "42", "type": "oauth"}
    adapter.link_account(first["id"], account)
    with pytest.raises(DuplicateAccount) as raised:
        adapter.link_account(second["id"], account)
    assert "github" in str(raised.value)
    assert adapter.get_user_by_account("github", "42") == first


def test_sessions_are_created_read_extended_and_deleted(adapter: Adapter) -> None:
    user = adapter.create_user("ada@example.com")
    adapter.create_session(
        "key-1", user["id"], NOW + 60, {"name": "Ada", "email": "a@example.com"}, now=NOW
    )
    stored = adapter.get_session("key-1")
    assert stored == {
        "session_key": "key-1",
        "user_id": user["id"],
        "expires": NOW + 60,
        "data": {"name": "Ada", "email": "a@example.com"},
    }
    adapter.update_session_expiry("key-1", NOW + 120)
    stored = adapter.get_session("key-1")
    assert stored is not None and stored["expires"] == NOW + 120
    adapter.delete_session("key-1")
    assert adapter.get_session("key-1") is None


def test_deleting_a_users_sessions_leaves_other_users_alone(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")["id"]
    bob = adapter.create_user("bob@example.com")["id"]
    for key in ("a1", "a2", "a3"):
        adapter.create_session(key, ada, NOW + 60, {}, now=NOW)
    adapter.create_session("b1", bob, NOW + 60, {}, now=NOW)
    assert adapter.delete_user_sessions(ada) == 3
    assert adapter.get_session("a1") is None
    assert adapter.get_session("b1") is not None
    assert adapter.delete_user_sessions(ada) == 0


def test_session_revocation_time_only_moves_forward(adapter: Adapter) -> None:
    assert adapter.sessions_revoked_at("ada") is None
    adapter.revoke_user_sessions("ada", NOW)
    assert adapter.sessions_revoked_at("ada") == NOW
    adapter.revoke_user_sessions("ada", NOW - 100)
    assert adapter.sessions_revoked_at("ada") == NOW
    adapter.revoke_user_sessions("ada", NOW + 5)
    assert adapter.sessions_revoked_at("ada") == NOW + 5
    assert adapter.sessions_revoked_at("bob") is None


def test_a_verification_token_is_used_once(adapter: Adapter) -> None:
    adapter.create_verification_token("ada@example.com", "t0ken", NOW + 60)
    assert adapter.use_verification_token("ada@example.com", "wrong") is None
    assert adapter.use_verification_token("bob@example.com", "t0ken") is None
    used = adapter.use_verification_token("ada@example.com", "t0ken")
    assert used == {"identifier": "ada@example.com", "token": "t0ken", "expires": NOW + 60}
    assert adapter.use_verification_token("ada@example.com", "t0ken") is None


def reserve(adapter: Adapter, limits: dict[str, int], at: float, attempt: str = "a") -> Any:
    return adapter.reserve_attempt(
        limits, attempt_id=attempt, since=at - 900, at=at, expires=at + 900
    )


def test_attempts_are_admitted_up_to_the_limit_per_key(adapter: Adapter) -> None:
    both = {"account:a": 2, "address:1": 3}
    assert reserve(adapter, both, NOW, "1") == {}
    assert reserve(adapter, both, NOW + 10, "2") == {}
    full = reserve(adapter, both, NOW + 20, "3")
    assert {key: (a.count, a.oldest) for key, a in full.items()} == {"account:a": (2, NOW)}
    # Refused means nothing was counted: the address has room for exactly one more.
    assert reserve(adapter, {"address:1": 3}, NOW + 30, "4") == {}
    assert set(reserve(adapter, {"address:1": 3}, NOW + 40, "5")) == {"address:1"}
    assert reserve(adapter, {"account:b": 1}, NOW + 50, "6") == {}


def test_attempts_leave_the_window(adapter: Adapter) -> None:
    assert reserve(adapter, {"account:a": 1}, NOW) == {}
    assert set(reserve(adapter, {"account:a": 1}, NOW + 899)) == {"account:a"}
    assert reserve(adapter, {"account:a": 1}, NOW + 901, "later") == {}


def test_a_released_attempt_no_longer_counts(adapter: Adapter) -> None:
    limits = {"account:a": 1, "address:1": 5}
    assert reserve(adapter, limits, NOW, "ok") == {}
    adapter.release_attempt(list(limits), "ok")
    assert reserve(adapter, limits, NOW + 1, "next") == {}
    assert set(reserve(adapter, limits, NOW + 2, "third")) == {"account:a"}


def at_once(count: int, action: Callable[[int], object]) -> list[object]:
    """``action(i)`` for ``i`` in ``range(count)``, all threads released together; the
    results in order (an exception raised is the result)."""
    results: list[object] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = action(index)
        except Exception as error:  # the test looks at it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize(
    "limits",
    [{"account:race": 10}, {"account:race": 10, "address:race": 50}],
    ids=["one key", "two shared keys"],
)
def test_racing_reservations_never_pass_the_limit(adapter: Adapter, limits: dict[str, int]) -> None:
    results = at_once(30, lambda index: reserve(adapter, limits, NOW, str(index)))
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert sum(result == {} for result in results) == 10
    # The refused ones counted nothing: every key holds exactly the 10 admitted.
    assert reserve(adapter, {"account:race": 11}, NOW + 1, "11th") == {}
    assert reserve(adapter, {"account:race": 11}, NOW + 2, "12th")["account:race"].count == 11


def test_reservations_after_a_quiet_window_do_not_wait_on_each_other(adapter: Adapter) -> None:
    """Keys last tried a window ago (the usual case) get forgotten as new attempts come:
    that clean-up must not make racing reservations of different keys wait on each other."""
    for index in range(16):
        assert reserve(adapter, {f"account:{index}": 5}, NOW - 2000, "old") == {}
    results = at_once(
        16, lambda index: reserve(adapter, {f"account:{index}": 5, "address:1": 100}, NOW)
    )
    assert results == [{}] * 16


HOSTILE_VALUES: list[Any] = [{"$ne": None}, {"$gt": ""}, ["a@example.com"], 1, None, b"a"]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_only_plain_strings_reach_a_query(adapter: Adapter, value: Any) -> None:
    adapter.create_user("ada@example.com")
    with pytest.raises(InvalidInput):
        adapter.get_user_by_email(value)
    with pytest.raises(InvalidInput):
        adapter.get_user(value)
    with pytest.raises(InvalidInput):
        adapter.get_session(value)
    with pytest.raises(InvalidInput):
        adapter.get_user_by_account("github", value)
    with pytest.raises(InvalidInput):
        adapter.use_verification_token("ada@example.com", value)
    with pytest.raises(InvalidInput):
        adapter.release_attempt([value], "a")
    if not isinstance(value, dict | list):  # unhashable: no mapping could hold it as a key
        with pytest.raises(InvalidInput):
            reserve(adapter, {value: 1}, NOW)


def test_concurrent_creation_of_one_email_leaves_one_user(adapter: Adapter) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def create() -> None:
        start.wait()
        try:
            adapter.create_user("race@example.com")
            outcome = "created"
        except DuplicateEmail:
            outcome = "duplicate"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=create) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["duplicate"] * 9
