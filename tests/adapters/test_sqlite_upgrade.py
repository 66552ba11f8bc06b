"""A store file made before ``email_verified`` existed gains the column on first use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask_authjs.adapters import SQLiteAdapter


def test_an_older_store_file_gains_email_verified(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, "
            "image TEXT, password_hash TEXT, created_at TEXT NOT NULL DEFAULT 'x')"
        )
        db.execute("INSERT INTO users (id, email, password_hash) VALUES ('u1', 'a@b.co', 'h')")
    adapter = SQLiteAdapter(str(path))
    old = adapter.get_user("u1")
    assert old is not None and old["email_verified"] is None and old["password_hash"] == "h"
    adapter.set_email_verified("u1", 1_800_000_000)
    assert adapter.get_user_by_email("a@b.co")["email_verified"] == 1_800_000_000  # type: ignore[index]
