"""SQL engines for the store: bounded waits, live connections, and time conversions.

Every wait a request can meet is bounded by the store timeout (pool checkout; PostgreSQL's
connect, statement and lock timeouts; SQLite's busy timeout), and a pooled connection is
checked before use (``pool_pre_ping``), so a database that restarted costs no request.
What counts as "the store is unavailable" (a 503, never a 500) is decided here too.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.sql.schema import Column

#: Drivers we install with the ``[sql]`` extra, for URLs that name none.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def engine_for_url(url: str, *, timeout: float) -> Engine:
    """An engine with pre-ping and every wait bounded by ``timeout`` seconds."""
    parsed = make_url(url)
    name = _DEFAULT_DRIVERS.get(parsed.drivername, parsed.drivername)
    parsed = parsed.set(drivername=name)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        milliseconds = max(1, int(timeout * 1000))
        connect_args = {
            "connect_timeout": max(1, math.ceil(timeout)),
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
        }
    elif parsed.get_backend_name() == "sqlite":
        connect_args = {"timeout": timeout}
    engine = create_engine(
        parsed, pool_pre_ping=True, pool_timeout=timeout, connect_args=connect_args
    )
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _: object) -> None:
    """Foreign keys (the cascades) and WAL, which SQLite leaves off by default."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def unavailable(error: BaseException) -> bool:
    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def moment(timestamp: float, column: Column[Any]) -> datetime:
    """A column's datetime for epoch seconds: aware if it has a zone, else naive UTC."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment if getattr(column.type, "timezone", False) else moment.replace(tzinfo=None)


def epoch(value: datetime) -> int:
    """Naive values are UTC: Prisma and Drizzle write them so, SQLite drops the zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())
