"""Reading POST bodies as flat ``{name: str}`` dicts, whatever the client sent.

Browsers post forms; ``fetch`` clients post JSON. Both become one dict of strings, so a
JSON object or list can never reach a query (``{"email": {"$ne": null}}``) and a repeated
form key cannot smuggle a second value past a check: either is refused with
:class:`InvalidInput` (a 400), never coerced.
"""

from __future__ import annotations

from typing import Any

from flask import Request

from .exceptions import InvalidInput

MAX_FIELD_LENGTH = 4096


def read_body(request: Request, *, objects: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The body's fields; only names in ``objects`` may carry non-string JSON values."""
    if request.is_json:
        return _json_fields(request, objects)
    fields: dict[str, Any] = {}
    for name, values in request.form.lists():
        if len(values) != 1:
            raise InvalidInput(name, "was sent more than once.")
        fields[name] = _checked(name, values[0])
    return fields


def _json_fields(request: Request, objects: frozenset[str]) -> dict[str, Any]:
    try:
        data = request.get_json(silent=False)
    except RecursionError as error:
        raise InvalidInput("body", "is nested too deeply.") from error
    except Exception as error:  # Werkzeug raises BadRequest subclasses for malformed JSON.
        if getattr(error, "code", None) == 413:
            raise
        raise InvalidInput("body", "is not valid JSON.") from error
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object.")
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name in objects:
            fields[name] = value
        elif isinstance(value, bool):
            fields[name] = "true" if value else "false"
        elif isinstance(value, str):
            fields[name] = _checked(name, value)
        elif value is not None:
            raise InvalidInput(name, "must be a string.")
    return fields


def _checked(name: str, value: str) -> str:
    if len(value) > MAX_FIELD_LENGTH:
        raise InvalidInput(name, f"is longer than {MAX_FIELD_LENGTH} characters.")
    return value
