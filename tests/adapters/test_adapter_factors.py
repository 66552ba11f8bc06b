"""The adapter contract for passkeys, TOTP secrets and recovery codes, on every store."""

from __future__ import annotations

import threading

import pytest

from flask_authjs.adapters import Adapter, Authenticator, DuplicateAccount
from flask_authjs.exceptions import InvalidInput

NOW = 1_800_000_000


def passkey(user_id: str, credential_id: str = "cred-1", **changes: object) -> Authenticator:
    record = Authenticator(
        credential_id=credential_id,
        user_id=user_id,
        public_key="pQECAyYgASFYIA",
        counter=0,
        transports=["internal", "hybrid"],
        device_type="multi_device",
        backed_up=True,
        name="Laptop",
        created_at=NOW,
        last_used_at=None,
    )
    record.update(changes)  # type: ignore[typeddict-item]
    return record


def test_a_passkey_is_found_by_credential_id_and_listed_for_its_user(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    bob = adapter.create_user("bob@example.com")
    adapter.create_authenticator(passkey(ada["id"], "a1"))
    adapter.create_authenticator(passkey(ada["id"], "a2", created_at=NOW + 1, name="Phone"))
    adapter.create_authenticator(passkey(bob["id"], "b1"))
    assert adapter.get_authenticator("a1") == passkey(ada["id"], "a1")
    assert adapter.get_authenticator("nope") is None
    assert [a["credential_id"] for a in adapter.list_authenticators(ada["id"])] == ["a1", "a2"]
    assert adapter.list_authenticators(ada["id"])[1]["transports"] == ["internal", "hybrid"]
    assert [a["credential_id"] for a in adapter.list_authenticators(bob["id"])] == ["b1"]


def test_a_credential_id_belongs_to_one_passkey(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    bob = adapter.create_user("bob@example.com")
    adapter.create_authenticator(passkey(ada["id"]))
    with pytest.raises(DuplicateAccount):
        adapter.create_authenticator(passkey(bob["id"]))
    found = adapter.get_authenticator("cred-1")
    assert found is not None and found["user_id"] == ada["id"]


def test_the_counter_changes_only_from_the_expected_value(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    adapter.create_authenticator(passkey(ada["id"], counter=5))
    assert not adapter.update_authenticator_counter("cred-1", 4, 9, backed_up=True, used_at=NOW + 5)
    assert adapter.update_authenticator_counter("cred-1", 5, 6, backed_up=False, used_at=NOW + 5)
    found = adapter.get_authenticator("cred-1")
    assert found is not None
    assert (found["counter"], found["backed_up"], found["last_used_at"]) == (6, False, NOW + 5)
    # An authenticator without a counter (always 0) still records its use.
    adapter.create_authenticator(passkey(ada["id"], "zero"))
    assert adapter.update_authenticator_counter("zero", 0, 0, backed_up=True, used_at=NOW + 7)
    zero = adapter.get_authenticator("zero")
    assert zero is not None and zero["last_used_at"] == NOW + 7


def test_racing_counter_updates_let_one_through(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    adapter.create_authenticator(passkey(ada["id"], counter=1))
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                adapter.update_authenticator_counter("cred-1", 1, 2, backed_up=True, used_at=NOW)
            )
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_only_the_owner_renames_or_deletes_a_passkey(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    bob = adapter.create_user("bob@example.com")
    adapter.create_authenticator(passkey(ada["id"]))
    assert not adapter.rename_authenticator(bob["id"], "cred-1", "Mine now")
    assert not adapter.delete_authenticator(bob["id"], "cred-1")
    assert adapter.rename_authenticator(ada["id"], "cred-1", "Work laptop")
    found = adapter.get_authenticator("cred-1")
    assert found is not None and found["name"] == "Work laptop"
    assert adapter.delete_authenticator(ada["id"], "cred-1")
    assert adapter.get_authenticator("cred-1") is None
    assert not adapter.delete_authenticator(ada["id"], "cred-1")


def test_two_factor_is_pending_until_enabled_and_replaced_whole(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    assert adapter.get_two_factor(ada["id"]) is None
    adapter.set_two_factor(ada["id"], "v1.sealed", enabled=False)
    assert adapter.get_two_factor(ada["id"]) == {
        "user_id": ada["id"],
        "secret": "v1.sealed",
        "enabled": False,
        "last_step": 0,
    }
    adapter.enable_two_factor(ada["id"])
    assert adapter.use_totp_step(ada["id"], 100)
    adapter.set_two_factor(ada["id"], "v1.other", enabled=False)
    found = adapter.get_two_factor(ada["id"])
    assert found is not None
    assert (found["secret"], found["enabled"], found["last_step"]) == ("v1.other", False, 0)


def test_a_totp_step_is_used_once_and_never_an_earlier_one(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    adapter.set_two_factor(ada["id"], "v1.sealed", enabled=True)
    assert adapter.use_totp_step(ada["id"], 1000)
    assert not adapter.use_totp_step(ada["id"], 1000)
    assert not adapter.use_totp_step(ada["id"], 999)
    assert adapter.use_totp_step(ada["id"], 1001)
    assert not adapter.use_totp_step("nobody", 5)


def test_recovery_codes_are_single_use_and_replaced_as_a_set(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    bob = adapter.create_user("bob@example.com")
    adapter.set_recovery_codes(ada["id"], ["h1", "h2", "h3"])
    adapter.set_recovery_codes(bob["id"], ["h1"])
    assert adapter.count_recovery_codes(ada["id"]) == 3
    assert adapter.use_recovery_code(ada["id"], "h2")
    assert not adapter.use_recovery_code(ada["id"], "h2")
    assert not adapter.use_recovery_code(ada["id"], "zz")
    assert adapter.count_recovery_codes(ada["id"]) == 2
    adapter.set_recovery_codes(ada["id"], ["n1", "n2"])
    assert not adapter.use_recovery_code(ada["id"], "h1")
    assert adapter.count_recovery_codes(ada["id"]) == 2
    assert adapter.count_recovery_codes(bob["id"]) == 1


def test_deleting_two_factor_removes_the_codes_too(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    adapter.set_two_factor(ada["id"], "v1.sealed", enabled=True)
    adapter.set_recovery_codes(ada["id"], ["h1"])
    adapter.delete_two_factor(ada["id"])
    assert adapter.get_two_factor(ada["id"]) is None
    assert adapter.count_recovery_codes(ada["id"]) == 0


def test_linked_accounts_are_listed_without_their_tokens(adapter: Adapter) -> None:
    ada = adapter.create_user("ada@example.com")
    adapter.link_account(
        ada["id"],
        {"provider": "github", "providerAccountId": "42", "type": "oauth", "access_token": "t"},
    )
    assert adapter.list_accounts(ada["id"]) == [
        {"provider": "github", "providerAccountId": "42", "type": "oauth"}
    ]
    assert adapter.list_accounts("nobody") == []


@pytest.mark.parametrize("bad", [{"$ne": None}, ["a"], 5])
def test_operator_objects_never_reach_the_new_queries(adapter: Adapter, bad: object) -> None:
    with pytest.raises(InvalidInput):
        adapter.get_authenticator(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        adapter.use_recovery_code("u", bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        adapter.list_authenticators(bad)  # type: ignore[arg-type]
