"""Stores for users, accounts, database sessions and rate limits: SQLite, MongoDB, SQL.

``MongoDBAdapter`` and ``SQLAlchemyAdapter`` are imported on first use: pymongo costs
~8 MiB and 0.2 s at start-up, SQLAlchemy more, which an app on the SQLite default should
not pay (and SQLAlchemy is an optional dependency: the ``[sql]`` extra).
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
    "SQLAlchemyAdapter",
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
    from .sqlalchemy import SQLAlchemyAdapter


def __getattr__(name: str) -> Any:
    if name == "MongoDBAdapter":
        from .mongodb import MongoDBAdapter

        return MongoDBAdapter
    if name == "SQLAlchemyAdapter":
        from .sqlalchemy import SQLAlchemyAdapter

        return SQLAlchemyAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def adapter_from_url(url: str, *, timeout: float = 5.0, schema: str = "flask-authjs") -> Adapter:
    """The adapter for ``AUTHJS_DATABASE_URL`` (already validated by the settings).

    ``timeout`` (seconds) bounds how long a request waits for the store: SQLite's
    ``busy_timeout``, MongoDB's server selection and connection timeouts, SQL connection,
    pool and statement timeouts. ``schema`` is ``AUTHJS_DATABASE_SCHEMA``.
    """
    if url.startswith("sqlite:///") and schema == "flask-authjs":
        return SQLiteAdapter(url[len("sqlite:///") :], timeout=timeout)
    if not url.startswith(("mongodb://", "mongodb+srv://")):
        return _sql_adapter(url, timeout=timeout, schema=schema)
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

    return MongoDBAdapter(database, schema="authjs" if schema == "authjs" else "flask-authjs")


def _sql_adapter(url: str, *, timeout: float, schema: str) -> Adapter:
    try:
        from .sqlalchemy import SQLAlchemyAdapter
    except ImportError as error:
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            f"is a SQL URL, and SQLAlchemy is not installed ({error}).",
            "pip install 'flask-authjs[sql]' (SQLAlchemy and psycopg).",
        ) from error
    try:
        return SQLAlchemyAdapter(url, schema=schema, timeout=timeout)
    except Exception as error:  # SQLAlchemy's ArgumentError, a missing driver...
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            f"SQLAlchemy cannot use it: {type(error).__name__}: {error}",
            "give a URL SQLAlchemy understands, with its driver installed.",
        ) from error
