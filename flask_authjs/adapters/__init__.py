"""Stores for users (and, with the database strategy, sessions): SQLite or MongoDB."""

from __future__ import annotations

from .base import Adapter as Adapter
from .base import DuplicateAccount as DuplicateAccount
from .base import DuplicateEmail as DuplicateEmail
from .base import StoreUnavailable as StoreUnavailable
from .base import User as User
from .sqlite import SQLiteAdapter as SQLiteAdapter

__all__ = [
    "Adapter",
    "DuplicateAccount",
    "DuplicateEmail",
    "SQLiteAdapter",
    "StoreUnavailable",
    "User",
    "adapter_from_url",
]


def adapter_from_url(url: str) -> Adapter:
    """The adapter for ``AUTHJS_DATABASE_URL`` (already validated by the settings)."""
    if url.startswith("sqlite:///"):
        return SQLiteAdapter(url[len("sqlite:///") :])
    raise NotImplementedError(f"no adapter for {url.split(':', 1)[0]} yet")
