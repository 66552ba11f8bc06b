"""The SQLite adapter's own behaviour beyond the shared contract."""

from __future__ import annotations

from typing import Any

from flask_authjs.adapters.sqlite import SQLiteAdapter

#: Years ahead of the wall clock, so only the ``now`` passed in can call these expired.
NOW = 4_000_000_000


def test_creating_a_session_sweeps_expired_ones_by_the_given_now(tmp_path: Any) -> None:
    adapter = SQLiteAdapter(str(tmp_path / "store.sqlite3"), timeout=1.0)
    adapter.create_session("old", "ada", NOW + 60, {}, now=NOW)
    adapter.create_session("still", "ada", NOW + 600, {}, now=NOW)
    assert adapter.get_session("old") is not None

    adapter.create_session("new", "ada", NOW + 700, {}, now=NOW + 60)

    assert adapter.get_session("old") is None
    assert adapter.get_session("still") is not None
    assert adapter.get_session("new") is not None
