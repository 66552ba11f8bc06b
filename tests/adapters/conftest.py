"""The contract suite also runs on the Auth.js schemas a Flask app can share with Next.js."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flask_authjs.adapters import Adapter

from ..conftest import STORES, make_adapter

SHARED_SCHEMAS = [
    "postgresql-authjs-pg",
    "postgresql-prisma",
    "postgresql-drizzle",
    "sqlalchemy-sqlite-authjs-pg",
    "mongomock-authjs",
]


@pytest.fixture(params=STORES + SHARED_SCHEMAS)
def adapter(request: Any, tmp_path: Any) -> Iterator[Adapter]:
    yield from make_adapter(request.param, request, tmp_path)
