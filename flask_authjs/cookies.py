"""Cookie names, attributes and the chunking of large session cookies, as Auth.js has them.

All cookies are ``HttpOnly; SameSite=Lax; Path=/``. On https they are ``Secure`` and carry
the ``__Secure-`` prefix, so a subdomain or a plain-http page cannot plant them.
Values above :data:`CHUNK_SIZE` characters are split into ``name.0``, ``name.1``, ... as
Auth.js does, and every write first deletes the chunks the browser sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.http import dump_cookie

CHUNK_SIZE = 3933
MAX_CHUNKS = 4
SECURE_PREFIX = "__Secure-"
HOST_PREFIX = "__Host-"


@dataclass(frozen=True)
class CookieNames:
    session_token: str
    callback_url: str
    oauth_state: str
    oauth_pkce: str
    oauth_nonce: str
    csrf_token: str


def cookie_names(secure: bool) -> CookieNames:
    """On https every cookie is ``__Secure-``, and the CSRF cookie ``__Host-`` (as Auth.js):
    no subdomain can set a cookie of that name, so none can plant a CSRF token."""
    prefix = SECURE_PREFIX if secure else ""
    return CookieNames(
        csrf_token=f"{HOST_PREFIX if secure else ''}authjs.csrf-token",
        session_token=f"{prefix}authjs.session-token",
        callback_url=f"{prefix}authjs.callback-url",
        oauth_state=f"{prefix}authjs.state",
        oauth_pkce=f"{prefix}authjs.pkce.code_verifier",
        oauth_nonce=f"{prefix}authjs.nonce",
    )


def set_cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    """The value of one ``Set-Cookie`` header with our fixed attributes."""
    return dump_cookie(
        name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="Lax"
    )


def delete_cookie_header(name: str, *, secure: bool) -> str:
    return set_cookie_header(name, "", secure=secure, max_age=0)


@dataclass(frozen=True)
class ChunkedCookie:
    """What the browser sent under one base name: the joined value and every name seen."""

    value: str | None
    names: tuple[str, ...]


def read_chunked(cookie_header: str, base_name: str) -> ChunkedCookie:
    """Join ``base_name`` or its chunks from a raw ``Cookie`` header.

    Anything ambiguous (both the plain cookie and chunks, a gap in the numbering,
    duplicate names, too many chunks) reads as no value, so the caller clears it all.
    """
    plain: list[str] = []
    chunks: dict[int, str] = {}
    names: list[str] = []
    broken = False
    chunk_prefix = base_name + "."
    for pair in cookie_header.split(";"):
        if base_name not in pair:  # cheap skip of the app's other cookies
            continue
        name, sep, value = pair.strip().partition("=")
        if not sep:
            continue
        if name == base_name:
            plain.append(value)
        elif name.startswith(chunk_prefix):
            index = name[len(chunk_prefix) :]
            if (
                not index.isdigit()
                or (len(index) > 1 and index[0] == "0")
                or len(index) > 2
                or int(index) in chunks
            ):
                broken = True
            else:
                chunks[int(index)] = value
        else:
            continue
        names.append(name)
    seen = tuple(dict.fromkeys(names))
    if broken or len(plain) > 1 or (plain and chunks) or len(chunks) > MAX_CHUNKS:
        return ChunkedCookie(None, seen)
    if plain:
        return ChunkedCookie(plain[0] or None, seen)
    if not chunks or sorted(chunks) != list(range(len(chunks))):
        return ChunkedCookie(None, seen)
    return ChunkedCookie("".join(chunks[i] for i in range(len(chunks))), seen)


def chunked_set_cookie_headers(
    base_name: str,
    value: str | None,
    *,
    secure: bool,
    max_age: int | None,
    previous: Iterable[str] = (),
) -> list[str]:
    """``Set-Cookie`` values that replace (or, with ``value=None``, delete) a chunked cookie."""
    if value is None:
        pieces: dict[str, str] = {}
    elif len(value) <= CHUNK_SIZE:
        pieces = {base_name: value}
    else:
        pieces = {
            f"{base_name}.{i}": value[start : start + CHUNK_SIZE]
            for i, start in enumerate(range(0, len(value), CHUNK_SIZE))
        }
    headers = [delete_cookie_header(name, secure=secure) for name in previous if name not in pieces]
    if value is None and base_name not in previous:
        headers.append(delete_cookie_header(base_name, secure=secure))
    headers += [
        set_cookie_header(name, piece, secure=secure, max_age=max_age)
        for name, piece in pieces.items()
    ]
    return headers
