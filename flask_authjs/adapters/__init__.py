"""Stores for users, accounts, database sessions and rate limits: SQLite or MongoDB.

``MongoDBAdapter`` is imported on first use: pymongo costs ~8 MiB and 0.2 s at start-up,
which an app on the SQLite default should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigurationError
from .base import Adapter as Adapter
from .base import Attempts as Attempts
from .base import Authenticator as Authenticator
from .base import DuplicateAccount as DuplicateAccount
from .base import DuplicateEmail as DuplicateEmail
from .base import StoredSession as StoredSession
from .base import StoreUnavailable as StoreUnavailable
from .base import TwoFactor as TwoFactor
from .base import User as User
from .base import VerificationToken as VerificationToken
from .sqlite import SQLiteAdapter as SQLiteAdapter

__all__ = [
    "Adapter",
    "Attempts",
    "Authenticator",
    "DuplicateAccount",
    "DuplicateEmail",
    "MongoDBAdapter",
    "SQLiteAdapter",
    "StoreUnavailable",
    "StoredSession",
    "TwoFactor",
    "User",
    "VerificationToken",
    "adapter_from_url",
]

if TYPE_CHECKING:
    from .mongodb import MongoDBAdapter


def __getattr__(name: str) -> Any:
    if name == "MongoDBAdapter":
        from .mongodb import MongoDBAdapter

        return MongoDBAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def adapter_from_url(url: str, *, timeout: float = 5.0) -> Adapter:
    """The adapter for ``AUTHJS_DATABASE_URL`` (already validated by the settings).

    ``timeout`` (seconds) bounds how long a request waits for the store: SQLite's
    ``busy_timeout``, MongoDB's server selection and connection timeouts.
    """
    if url.startswith("sqlite:///"):
        return SQLiteAdapter(url[len("sqlite:///") :], timeout=timeout)
    from pymongo import MongoClient
    from pymongo.errors import ConfigurationError as PyMongoConfigurationError

    milliseconds = max(1, int(timeout * 1000))
    client: MongoClient[dict[str, object]] = MongoClient(
        url,
        serverSelectionTimeoutMS=milliseconds,
        connectTimeoutMS=milliseconds,
        socketTimeoutMS=max(milliseconds, 10_000),
        appname="flask-authjs",
    )
    try:
        database = client.get_default_database()
    except PyMongoConfigurationError as error:
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            "the MongoDB URL names no database.",
            'add the database to the path: "mongodb://host:27017/dbname".',
        ) from error
    from .mongodb import MongoDBAdapter

    return MongoDBAdapter(database)
