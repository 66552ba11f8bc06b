"""One PostgreSQL database, two apps: Flask (``schema="authjs-pg"``) and the real
``@auth/pg-adapter`` (npm, pinned by tests/nextauth/package-lock.json, run with node).

What one side writes, the other reads: users, OAuth accounts, raw-token database sessions,
and verification tokens hashed as Auth.js hashes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from flask_authjs import CredentialsProvider
from flask_authjs.adapters.sqlalchemy import SQLAlchemyAdapter
from flask_authjs.providers import StubOAuthProvider
from flask_authjs.tokens import secret_hash

from ..conftest import SECRET, AppFactory, MailCapture, session_cookie, sign_in
from ..oauth_flow import serving, stub_sign_in
from ..postgres import create_database
from ..test_email_signin import confirm, link_fields, request_link, session_of

NEXTAUTH = Path(__file__).resolve().parents[1] / "nextauth"
SCRIPT = NEXTAUTH / "pg_adapter.mjs"
FUTURE = "2100-01-01T00:00:00.000Z"
FUTURE_EPOCH = 4102444800


def _require_node() -> None:
    missing = (
        shutil.which("node") is None or not (NEXTAUTH / "node_modules/@auth/pg-adapter").is_dir()
    )
    if missing:
        reason = "needs node and `(cd tests/nextauth && npm ci)` for the real @auth/pg-adapter"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    """A fresh database whose tables Flask created (what ``flask authjs init-db`` runs)."""
    _require_node()
    url = create_database(postgres_server, "authjs_shared")
    adapter = SQLAlchemyAdapter(url, schema="authjs-pg")
    adapter.create_tables()
    adapter.engine.dispose()
    yield url


@pytest.fixture
def store(database: str) -> Iterator[SQLAlchemyAdapter]:
    adapter = SQLAlchemyAdapter(database, schema="authjs-pg")
    yield adapter
    adapter.engine.dispose()


def node(database: str, *calls: tuple[str, list[Any]]) -> list[Any]:
    """Run ``@auth/pg-adapter`` methods against ``database``; their results, in order."""
    url = make_url(database)
    pool = {
        "host": url.query.get("host") or url.host,
        "port": int(str(url.query.get("port") or url.port or 5432)),
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }
    payload = {"pool": pool, "calls": [{"method": m, "args": a} for m, a in calls]}
    result = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    results: list[Any] = json.loads(result.stdout)
    return results


def test_a_user_and_account_made_by_flask_are_read_by_the_node_adapter(
    database: str, store: SQLAlchemyAdapter
) -> None:
    user = store.create_user("ada@example.com", name="Ada", password_hash="$2b$04$secret")
    store.link_account(
        user["id"],
        {"provider": "github", "providerAccountId": "42", "type": "oauth", "expires_at": 99},
    )
    by_email, by_account, missing = node(
        database,
        ("getUserByEmail", ["ada@example.com"]),
        ("getUserByAccount", [{"provider": "github", "providerAccountId": "42"}]),
        ("getUserByAccount", [{"provider": "github", "providerAccountId": "43"}]),
    )
    assert by_email == {
        "id": int(user["id"]),
        "name": "Ada",
        "email": "ada@example.com",
        "emailVerified": None,
        "image": None,
    }  # `select *` of the shared table: no password hash reaches the Next.js app
    assert by_account == by_email
    assert missing is None


def test_a_user_made_by_the_node_adapter_signs_in_to_flask_by_oauth(
    database: str, app_factory: AppFactory
) -> None:
    email = "grace@example.com"
    (created,) = node(database, ("createUser", [{"email": email, "name": "Grace"}]))
    subject = "stub-" + hashlib.sha256(email.encode()).hexdigest()[:20]  # the stub's `sub`
    node(
        database,
        (
            "linkAccount",
            [
                {
                    "userId": created["id"],
                    "type": "oauth",
                    "provider": "stub",
                    "providerAccountId": subject,
                }
            ],
        ),
    )

    def make(origin: str) -> Flask:
        return app_factory(
            URL=origin,
            providers=[StubOAuthProvider()],
            STUB_OAUTH=True,
            DATABASE_URL=database,
            DATABASE_SCHEMA="authjs-pg",
        )

    with serving(make) as app:
        client = app.test_client()
        response = stub_sign_in(client, email)
        assert response.status_code == 302
        session = client.get("/api/auth/session").get_json()
    assert session["user"]["id"] == str(created["id"])
    assert session["user"]["email"] == email
    engine = SQLAlchemyAdapter(database, schema="authjs-pg").engine
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from users")).scalar() == 1
    engine.dispose()


@pytest.fixture(params=["authjs-v5", "next-auth-v4"])
def raw_sessions_app(request: Any, app_factory: AppFactory, database: str) -> Flask:
    """Database sessions under Auth.js v5's cookie name, and under next-auth 4's."""
    return app_factory(
        providers=[CredentialsProvider()],
        DATABASE_URL=database,
        DATABASE_SCHEMA="authjs-pg",
        SESSION_STRATEGY="database",
        DATABASE_SESSION_TOKENS="raw",
        SESSION_FORMAT=request.param,
    )


def cookie_name(app: Flask) -> str:
    """The session cookie the Next.js app of this format reads and writes (http)."""
    return str(app.extensions["authjs"].session_format.cookie_name(False))


def test_a_session_made_by_the_node_adapter_is_a_session_in_flask(
    database: str, raw_sessions_app: Flask
) -> None:
    (user,) = node(database, ("createUser", [{"email": "lin@example.com", "name": "Lin"}]))
    token = "node-made-session-token-0123456789abcdef"
    node(
        database,
        ("createSession", [{"sessionToken": token, "userId": user["id"], "expires": FUTURE}]),
    )
    client = raw_sessions_app.test_client()
    name = cookie_name(raw_sessions_app)
    client.set_cookie(name, token)
    session = client.get("/api/auth/session").get_json()
    assert session["user"] == {
        "id": str(user["id"]),
        "name": "Lin",
        "email": "lin@example.com",
        "image": None,
    }
    client.set_cookie(name, token[:-1] + "0")
    assert client.get("/api/auth/session").get_json() == {}


def test_a_session_made_by_flask_is_a_session_for_the_node_adapter(
    database: str, raw_sessions_app: Flask
) -> None:
    context = raw_sessions_app.extensions["authjs"]
    user = context.adapter.create_user(
        "ada@example.com", name="Ada", password_hash=context.password_hasher.hash("pass word 1")
    )
    client = raw_sessions_app.test_client()
    token = session_cookie(
        sign_in(client, "ada@example.com", "pass word 1"), cookie_name(raw_sessions_app)
    )
    assert token is not None
    found, gone = node(
        database, ("getSessionAndUser", [token]), ("getSessionAndUser", [token + "x"])
    )
    assert found["session"]["sessionToken"] == token
    assert found["user"]["id"] == int(user["id"])
    assert found["user"]["email"] == "ada@example.com"
    assert gone is None
    # Signing out in Flask ends it for Next.js too.
    node(database, ("deleteSession", [token]))
    assert client.get("/api/auth/session").get_json() == {}


def test_a_verification_token_made_by_either_side_is_used_once_by_the_other(
    database: str, store: SQLAlchemyAdapter
) -> None:
    # Made by Flask, used by Auth.js.
    store.create_verification_token(
        "ada@example.com", secret_hash("from-flask", SECRET), FUTURE_EPOCH
    )
    (hashed,) = node(database, ("hash", ["from-flask" + SECRET]))
    assert hashed == secret_hash("from-flask", SECRET)
    identifier = {"identifier": "ada@example.com", "token": hashed}
    used, again = node(
        database, ("useVerificationToken", [identifier]), ("useVerificationToken", [identifier])
    )
    assert used["identifier"] == "ada@example.com" and used["expires"] == FUTURE
    assert again is None
    # Made by Auth.js, used by Flask.
    (hashed,) = node(database, ("hash", ["from-node" + SECRET]))
    node(
        database,
        (
            "createVerificationToken",
            [{"identifier": "bob@example.com", "token": hashed, "expires": FUTURE}],
        ),
    )
    mine = secret_hash("from-node", SECRET)
    assert store.use_verification_token("bob@example.com", mine) == {
        "identifier": "bob@example.com",
        "token": mine,
        "expires": FUTURE_EPOCH,
    }
    assert store.use_verification_token("bob@example.com", mine) is None


def test_a_magic_link_made_by_either_side_is_spent_once_by_the_other(
    database: str, mail_app: Callable[..., Flask], smtp_server: MailCapture
) -> None:
    """Auth.js's Email provider and Flask's magic links share one token table: a link
    either side mailed signs in once, on whichever side it is opened."""
    app = mail_app(DATABASE_URL=database, DATABASE_SCHEMA="authjs-pg")
    # Made by the Node adapter, as Auth.js's Email provider stores it; used by Flask.
    raw = secrets.token_hex(32)
    (hashed,) = node(database, ("hash", [raw + SECRET]))
    node(
        database,
        (
            "createVerificationToken",
            [{"identifier": "grace@example.com", "token": hashed, "expires": FUTURE}],
        ),
    )
    link = "http://localhost/api/auth/callback/email?" + urlencode(
        {"token": raw, "email": "grace@example.com"}
    )
    client = app.test_client()
    assert confirm(client, link).status_code == 302
    assert session_of(client)["user"]["email"] == "grace@example.com"
    spent, user = node(
        database,
        ("useVerificationToken", [{"identifier": "grace@example.com", "token": hashed}]),
        ("getUserByEmail", ["grace@example.com"]),
    )
    assert spent is None  # gone for Auth.js too
    assert user["emailVerified"] is not None  # the user Flask made, in the shared table
    assert confirm(app.test_client(), link).headers["Location"].endswith("error=Verification")
    # Made by Flask (the mail it sent), used by the Node adapter; then dead for Flask.
    assert request_link(app.test_client(), "ada@example.com").status_code == 302
    link = smtp_server.link()
    (hashed,) = node(database, ("hash", [link_fields(link)["token"] + SECRET]))
    identifier = {"identifier": "ada@example.com", "token": hashed}
    used, again = node(
        database, ("useVerificationToken", [identifier]), ("useVerificationToken", [identifier])
    )
    assert used["identifier"] == "ada@example.com"
    assert again is None
    assert confirm(app.test_client(), link).headers["Location"].endswith("error=Verification")
