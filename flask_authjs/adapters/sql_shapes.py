"""Whether tables that exist already have the shape a preset expects.

``flask authjs init-db`` creates what is missing and touches nothing that exists; a table
of the same name but another shape (a column missing, an id of another type, a required
column we would not fill) is refused with the reason, since writing into it would fail
later, or worse, half-succeed. Extra nullable columns are fine: Auth.js lets applications
extend its models.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.types import TypeEngine


def _family(column_type: TypeEngine[object]) -> str:
    """A coarse type family, enough to tell an integer id from a text one."""
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return "other"
    if python_type is bool:
        return "boolean"
    if python_type is datetime:
        return "datetime"
    if python_type in (int, float):
        return "number"
    if python_type is str:
        return "text"
    return "other"


def shape_problems(connection: Connection, metadata: MetaData) -> list[str]:
    """One sentence per existing table whose shape does not fit ``metadata``."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    problems: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in existing:
            continue
        found = {column["name"]: column for column in inspector.get_columns(table.name)}
        for column in table.columns:
            actual = found.get(column.name)
            if actual is None:
                problems.append(f"table {table.name!r} has no column {column.name!r}")
                continue
            wanted, got = _family(column.type), _family(actual["type"])
            if "other" not in (wanted, got) and wanted != got:
                problems.append(
                    f"column {table.name}.{column.name} is {actual['type']}, "
                    f"not {column.type.compile(connection.dialect)}"
                )
        ours = {column.name for column in table.columns}
        for name, reflected in found.items():
            required = not reflected["nullable"] and reflected.get("default") is None
            if name not in ours and required and not reflected.get("autoincrement"):
                problems.append(
                    f"table {table.name!r} has a required column {name!r} this schema never fills"
                )
    return problems
