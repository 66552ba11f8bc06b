"""The rate limits hold under concurrency: real threads against a real threaded server.

An attempt is reserved in the store, atomically, before the password is checked, so the
number of guesses that reach bcrypt (or ``authorize``) in one window is the limit,
whether the guesses come one by one or thirty at once.
"""

from __future__ import annotations

import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import bcrypt
import pytest
from flask import Flask

from flask_authjs import CredentialsProvider
from flask_authjs.adapters import Adapter

from .conftest import PASSWORD, AppFactory
from .oauth_flow import serving

LIMIT = 5
GUESSES = 30


class Browser:
    """One client with its own cookie jar, speaking to ``origin`` over a real socket."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def post(self, path: str, **fields: str) -> int:
        with self.opener.open(f"{self.origin}/api/auth/csrf", timeout=30) as answer:
            token = json.load(answer)["csrfToken"]
        body = urllib.parse.urlencode({**fields, "csrfToken": token, "json": "true"}).encode()
        try:
            with self.opener.open(f"{self.origin}{path}", body, timeout=60) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


def at_once(count: int, action: Callable[[int], int]) -> list[int]:
    """Run ``action(i)`` for ``i < count`` in ``count`` threads released together."""
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        barrier.wait()
        status = action(index)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def counted_bcrypt(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every password bcrypt checks (the server runs in this process)."""
    checked: list[bytes] = []
    real = bcrypt.checkpw

    def checkpw(password: bytes, hashed: bytes) -> bool:
        checked.append(password)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", checkpw)
    return checked


def store_app(app_factory: AppFactory, adapter: Adapter, origin: str, **settings: Any) -> Flask:
    app = app_factory(
        URL=origin,
        adapter=adapter,
        providers=[CredentialsProvider()],
        RATE_LIMIT_PER_ACCOUNT=LIMIT,
        **settings,
    )
    with app.app_context():
        hashed = app.extensions["authjs"].password_hasher.hash(PASSWORD)
    adapter.create_user("ada@example.com", password_hash=hashed)
    return app


@pytest.mark.parametrize("concurrency", [1, GUESSES])
def test_guesses_per_window_do_not_grow_with_concurrency(
    app_factory: AppFactory, adapter: Adapter, counted_bcrypt: list[bytes], concurrency: int
) -> None:
    with serving(lambda origin: store_app(app_factory, adapter, origin)) as app:
        origin = app.extensions["authjs"].settings.origin

        def guess(index: int) -> int:
            return Browser(origin).post(
                "/api/auth/callback/credentials",
                email="ada@example.com",
                password=f"wrong guess {index}",
            )

        statuses: list[int] = []
        for start in range(0, GUESSES, concurrency):
            statuses += at_once(concurrency, lambda i, start=start: guess(start + i))
    assert sorted(statuses) == [401] * LIMIT + [429] * (GUESSES - LIMIT)
    assert len(counted_bcrypt) == LIMIT


def test_non_email_identifiers_are_limited_per_account_too(app_factory: AppFactory) -> None:
    """Guesses for one username from many addresses reach ``authorize`` only LIMIT times."""
    reached: list[str] = []

    def authorize(credentials: dict[str, str], request: Any) -> None:
        reached.append(credentials["username"])
        return None

    provider = CredentialsProvider(
        authorize,
        fields={"username": {"label": "User"}, "password": {"type": "password"}},
    )
    app = app_factory(providers=[provider], RATE_LIMIT_PER_ACCOUNT=LIMIT)
    statuses = []
    for index, spelling in enumerate(["ada", "Ada", " ADA ", "ａｄａ"] * 4):
        client = app.test_client()
        token = client.get("/api/auth/csrf").get_json()["csrfToken"]
        response = client.post(
            "/api/auth/callback/credentials",
            data={"username": spelling, "password": "guess", "csrfToken": token, "json": "true"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{index + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [401] * LIMIT + [429] * (16 - LIMIT)
    assert len(reached) == LIMIT


def test_the_account_field_is_configurable_and_checked() -> None:
    fields = {"login": {}, "pin": {"type": "password"}, "team": {}}
    assert CredentialsProvider(fields=fields).account_field == "login"
    assert CredentialsProvider(fields=fields, account_field="team").account_field == "team"
    with pytest.raises(ValueError, match="no such field"):
        CredentialsProvider(fields=fields, account_field="email")


def test_racing_sign_ups_stop_at_the_address_limit(
    app_factory: AppFactory, adapter: Adapter
) -> None:
    with serving(
        lambda origin: store_app(
            app_factory, adapter, origin, SIGNUP=True, SIGNUP_LIMIT_PER_ADDRESS=LIMIT
        )
    ) as app:
        origin = app.extensions["authjs"].settings.origin
        statuses = at_once(
            GUESSES,
            lambda i: Browser(origin).post(
                "/api/auth/signup", email=f"new{i}@example.com", password="new password 1"
            ),
        )
    assert sorted(statuses) == [200] * LIMIT + [429] * (GUESSES - LIMIT)
    created = [i for i in range(GUESSES) if adapter.get_user_by_email(f"new{i}@example.com")]
    assert len(created) == LIMIT
