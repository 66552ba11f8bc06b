"""Reading POST bodies as flat ``{name: str}`` dicts, whatever the client sent.

Browsers post forms; ``fetch`` clients post JSON. Both become one dict of strings, so a
JSON object or list can never reach a query (``{"email": {"$ne": null}}``) and a repeated
form key cannot smuggle a second value past a check: either is refused with
:class:`InvalidInput` (a 400), never coerced.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from .exceptions import InvalidInput

MAX_FIELD_LENGTH = 4096
_READ_SIZE = 64 * 1024


def limit_body(request: Request, limit: int) -> None:
    """Refuse a body over ``limit`` bytes with 413, whether or not it declared its length.

    A declared ``Content-Length`` is checked at once. A chunked body declares nothing,
    and Werkzeug then silently *truncates* it at the limit, so a 2 MB request was read
    as its first 64 KiB and processed, while a proxy in front saw another request. We
    read such a body ourselves, up to one byte past the limit: over it, 413; within it,
    the body is kept in memory with its now-known length, for the form parser to read.
    """
    request.max_content_length = limit
    length = request.content_length
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge()
        return
    environ = request.environ
    if "wsgi.input_terminated" not in environ:
        return  # Werkzeug reads no body of unknown length from such a server: nothing to cut
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_READ_SIZE, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)


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
