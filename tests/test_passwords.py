"""bcrypt: refuse what it would mangle, never raise on odd hashes, same work without a user."""

from __future__ import annotations

from typing import Any

import bcrypt
import pytest

from flask_authjs import CredentialsProvider
from flask_authjs.passwords import PasswordHasher, password_problem

from .conftest import csrf_token

hasher = PasswordHasher(rounds=4)


def test_hash_and_verify_round_trip() -> None:
    stored = hasher.hash("pässwörd ✓")
    assert stored.startswith("$2b$04$")
    assert hasher.verify("pässwörd ✓", stored)
    assert not hasher.verify("passwörd ✓", stored)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("a" * 73, "at most 72 bytes"),
        ("é" * 37, "at most 72 bytes"),
        ("abc\x00def", "NUL"),
    ],
)
def test_passwords_bcrypt_would_mangle_are_refused(password: str, problem: str) -> None:
    assert problem in (password_problem(password) or "")
    with pytest.raises(ValueError, match=problem):
        hasher.hash(password)


def test_exactly_72_bytes_is_accepted() -> None:
    assert password_problem("a" * 72) is None
    assert hasher.verify("a" * 72, hasher.hash("a" * 72))


def test_new_passwords_need_eight_characters() -> None:
    assert password_problem("short", for_new_password=True)
    assert password_problem("short") is None


@pytest.mark.parametrize(
    "stored", ["", None, "not-a-hash", "$2b$04$tooshort", "$2b$99$" + "a" * 53]
)
def test_malformed_stored_hashes_fail_without_raising(stored: str | None) -> None:
    assert hasher.verify("password", stored) is False


def test_needs_rehash_when_the_cost_changed() -> None:
    old = bcrypt.hashpw(b"pw", bcrypt.gensalt(5)).decode()
    assert hasher.needs_rehash(old)
    assert not hasher.needs_rehash(hasher.hash("pw"))


def store_app(app_factory: Any) -> Any:
    app = app_factory(providers=[CredentialsProvider()])
    context = app.extensions["authjs"]
    context.adapter.create_user(
        "grace@example.com", name="Grace", password_hash=context.password_hasher.hash("navy-pw-1")
    )
    return app


def post(client: Any, email: str, password: str) -> Any:
    return client.post(
        "/api/auth/callback/credentials",
        data={
            "email": email,
            "password": password,
            "csrfToken": csrf_token(client),
            "json": "true",
        },
    )


def test_default_provider_checks_the_store(app_factory: Any) -> None:
    client = store_app(app_factory).test_client()
    response = post(client, "Grace@Example.com ", "navy-pw-1")
    assert response.status_code == 200
    assert response.get_json()["session"]["user"]["name"] == "Grace"
    assert post(client, "grace@example.com", "wrong").status_code == 401


def test_unknown_user_and_wrong_password_look_the_same(app_factory: Any) -> None:
    client = store_app(app_factory).test_client()
    unknown, wrong = post(client, "nobody@example.com", "x"), post(client, "grace@example.com", "x")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_unknown_user_still_runs_bcrypt(app_factory: Any, monkeypatch: Any) -> None:
    client = store_app(app_factory).test_client()
    calls: list[bytes] = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(pw) or real(pw, h))
    post(client, "nobody@example.com", "guess")
    assert calls == [b"guess"]


def test_overlong_password_at_sign_in_gets_a_clear_message(app_factory: Any) -> None:
    client = store_app(app_factory).test_client()
    response = post(client, "grace@example.com", "x" * 100)
    assert response.status_code == 400
    assert response.get_json()["error"] == "InvalidPassword"
    page = client.get(response.get_json()["url"]).get_data(as_text=True)
    assert "at most 72 bytes" in page


def test_sign_in_rehashes_when_the_cost_changed(app_factory: Any) -> None:
    app = store_app(app_factory)
    context = app.extensions["authjs"]
    user_id = context.adapter.get_user_by_email("grace@example.com")["id"]
    context.adapter.set_password_hash(
        user_id, bcrypt.hashpw(b"navy-pw-1", bcrypt.gensalt(5)).decode()
    )
    assert post(app.test_client(), "grace@example.com", "navy-pw-1").status_code == 200
    assert context.adapter.get_user(user_id)["password_hash"].startswith("$2b$04$")


def test_no_password_hash_in_the_session_or_response(app_factory: Any) -> None:
    client = store_app(app_factory).test_client()
    response = post(client, "grace@example.com", "navy-pw-1")
    assert b"$2b$" not in response.data
    assert "password" not in str(client.get("/api/auth/session").get_json())
