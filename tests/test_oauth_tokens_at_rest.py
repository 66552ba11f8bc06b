"""OAuth tokens at rest: not stored by default; sealed (AES-GCM, rotation-aware) when kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from flask import Flask

from flask_authjs import AuthJS, CredentialsProvider, StubOAuthProvider, signed_in
from flask_authjs.sealing import SEALED_PREFIX, TokenSealer, account_to_store

from .conftest import SECRET
from .oauth_flow import serving, stub_sign_in

NEW_SECRET = "a-newer-secret-that-is-long-enough-0123456789"
AUTH = AuthJS()  # its methods act on the current app, whichever AuthJS set it up


@pytest.fixture
def serve(app_factory: Callable[..., Flask]) -> Iterator[Callable[..., Flask]]:
    with ExitStack() as stack:

        def make(**options: Any) -> Flask:
            providers = [CredentialsProvider(), StubOAuthProvider()]
            return stack.enter_context(
                serving(
                    lambda origin: app_factory(
                        URL=origin, STUB_OAUTH=True, providers=providers, **options
                    )
                )
            )

        yield make


def signed_in_with_tokens(app: Flask) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign in through the stub; the account the callbacks saw, and the stored one."""
    seen: list[dict[str, Any]] = []
    with signed_in.connected_to(lambda _, **kw: seen.append(kw["account"]), app):
        assert stub_sign_in(app.test_client(), "ada@example.com").status_code == 302
    path = app.extensions["authjs"].adapter.path
    with sqlite3.connect(path) as db:
        (data,) = db.execute("SELECT data FROM accounts").fetchone()
    return seen[0], json.loads(data)


def test_tokens_are_not_stored_by_default(serve: Callable[..., Flask]) -> None:
    seen, stored = signed_in_with_tokens(serve())
    assert seen["access_token"]  # the callbacks still get them
    assert {"access_token", "refresh_token", "id_token"}.isdisjoint(stored)
    assert stored["provider"] == "stub" and stored["token_type"] == "Bearer"


def test_kept_tokens_are_sealed_and_open_after_a_rotation(
    serve: Callable[..., Flask], app_factory: Callable[..., Flask]
) -> None:
    app = serve(STORE_OAUTH_TOKENS=True)
    seen, stored = signed_in_with_tokens(app)
    sealed = stored["access_token"]
    assert sealed.startswith(SEALED_PREFIX) and seen["access_token"] not in sealed
    with app.app_context():
        assert AUTH.open_account_token(sealed) == seen["access_token"]
    rotated = app_factory(SECRET=[NEW_SECRET, SECRET], STORE_OAUTH_TOKENS=True)
    with rotated.app_context():
        assert AUTH.open_account_token(sealed) == seen["access_token"]
    forgotten = app_factory(SECRET=NEW_SECRET, STORE_OAUTH_TOKENS=True)
    with forgotten.app_context():
        assert AUTH.open_account_token(sealed) is None


@pytest.mark.parametrize(
    "tampered",
    [
        lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1],
        lambda s: s.replace(SEALED_PREFIX, "sealed.v2."),
        lambda s: s[: len(SEALED_PREFIX) + 4],
        lambda s: s + "!!",
    ],
)
def test_a_tampered_seal_opens_to_nothing(tampered: Callable[[str], str]) -> None:
    sealer = TokenSealer([SECRET])
    assert sealer.open(tampered(sealer.seal("gho_token"))) is None


def test_only_credential_fields_are_sealed() -> None:
    account = {"provider": "x", "access_token": "a", "scope": "read", "expires_at": 5}
    stored = account_to_store(account, TokenSealer([SECRET]))
    assert stored["scope"] == "read" and stored["expires_at"] == 5
    assert stored["access_token"].startswith(SEALED_PREFIX)
    assert account["access_token"] == "a"  # the caller's dict is untouched
