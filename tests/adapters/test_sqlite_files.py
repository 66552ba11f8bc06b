"""The SQLite store on disk: private files, and stores made by earlier versions."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from flask_authjs.adapters import SQLiteAdapter


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_and_its_wal_files_are_private(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "store.sqlite3"
    adapter = SQLiteAdapter(str(path))
    adapter.create_user("ada@example.com", password_hash="$2b$04$hash")
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    assert all(file.exists() for file in files)
    assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}


def test_an_existing_store_keeps_its_permissions(
    tmp_path: Path, umask_022: None, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shared.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o640)  # the operator's choice, e.g. readable by a backup group
    SQLiteAdapter(str(path)).get_user("nobody")
    assert mode(path) == 0o640
    assert "readable by every user" not in caplog.text


def test_a_world_readable_store_is_reported_once(
    tmp_path: Path, umask_022: None, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)  # made by an earlier version, under umask 022
    adapter = SQLiteAdapter(str(path))
    adapter.get_user("nobody")
    adapter.get_user("nobody")
    warnings = [r for r in caplog.records if "readable by every user" in r.getMessage()]
    assert len(warnings) == 1 and "chmod 600" in warnings[0].getMessage()
    assert mode(path) == 0o644  # reported, not changed


def test_a_store_from_before_reservations_gains_attempt_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE rate_limit_attempts (key TEXT NOT NULL, at REAL, expires REAL)")
        db.execute("INSERT INTO rate_limit_attempts VALUES ('account:a', 100.0, 1000.0)")
    adapter = SQLiteAdapter(str(path))
    limits = {"account:a": 2}
    assert adapter.reserve_attempt(limits, attempt_id="x", since=0, at=200, expires=1100) == {}
    full = adapter.reserve_attempt(limits, attempt_id="y", since=0, at=300, expires=1200)
    assert full["account:a"].count == 2
    adapter.release_attempt(["account:a"], "x")
    assert adapter.reserve_attempt(limits, attempt_id="z", since=0, at=400, expires=1300) == {}
