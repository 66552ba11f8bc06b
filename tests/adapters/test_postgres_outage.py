"""PostgreSQL stops and comes back: 503s within the store timeout while it is down, nothing
half-written, and the same app (no restart) serves sign-ups and sessions again after."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from flask_authjs import CredentialsProvider

from ..conftest import AppFactory, session_cookie, sign_up
from ..postgres import Cluster, create_database, find_binaries

TIMEOUT = 1.0


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A cluster of this test's own, since the test stops it; durable, since a crash of
    one without ``synchronous_commit`` rightly loses the last commits."""
    binaries = find_binaries()
    if binaries is None:
        reason = "stopping PostgreSQL needs Debian's postgresql package"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster(binaries, durable=True).start()
    yield cluster
    cluster.remove()


@pytest.fixture
def app(app_factory: AppFactory, cluster: Cluster) -> Flask:
    url = create_database(cluster.url(), "outage")
    app = app_factory(
        providers=[CredentialsProvider()],
        SIGNUP=True,
        DATABASE_URL=url,
        SESSION_STRATEGY="database",
        STORE_TIMEOUT=TIMEOUT,
    )
    assert app.test_cli_runner().invoke(args=["authjs", "init-db"]).exit_code == 0
    return app


def counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        users = connection.execute(text("select count(*) from authjs_users")).scalar()
        hashes = connection.execute(text("select count(*) from authjs_passwords")).scalar()
    engine.dispose()
    return int(users or 0), int(hashes or 0)


def test_an_outage_is_503s_then_the_app_recovers_by_itself(app: Flask, cluster: Cluster) -> None:
    client = app.test_client()
    token = session_cookie(sign_up(client, "before@example.com"))
    assert token is not None
    assert client.get("/api/auth/session").get_json()["user"]["email"] == "before@example.com"

    cluster.stop("immediate")  # as a crash: no goodbye to the open connections
    started = time.monotonic()
    down = sign_up(app.test_client(), "during@example.com")
    assert down.status_code == 503
    assert down.get_json()["error"] == "StoreUnavailable"
    assert down.headers["Retry-After"]
    session = client.get("/api/auth/session")
    assert session.status_code == 503  # not "signed out": the session is only unreachable
    assert session_cookie(session) is None  # and the cookie is left alone
    assert time.monotonic() - started < 2 * (TIMEOUT + 1)

    cluster.start()
    assert client.get("/api/auth/session").get_json()["user"]["email"] == "before@example.com"
    assert sign_up(app.test_client(), "after@example.com").status_code == 200
    url = app.extensions["authjs"].settings.database_url
    assert counts(url) == (2, 2)  # before and after; nothing of "during", no user without hash
