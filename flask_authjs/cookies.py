"""Cookie names, attributes and the chunking of large session cookies, as Auth.js has them.

All cookies are ``HttpOnly; SameSite=Lax; Path=/``. On https they are ``Secure`` and carry
the ``__Secure-`` prefix, so a subdomain or a plain-http page cannot plant them.
Values above :data:`CHUNK_SIZE` characters are split into ``name.0``, ``name.1``, ... as
Auth.js does, and every write first deletes the chunks the browser sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

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


@cache
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


class ChunkedCookie(tuple[str | None, tuple[str, ...]]):
    """What the browser sent under one base name: the joined value and every name seen.

    A bare tuple underneath (``ChunkedCookie((value, names))``): the middleware reads one
    per signed-in request, and a tuple is the cheapest object Python builds.
    """

    __slots__ = ()

    @property
    def value(self) -> str | None:
        return self[0]

    @property
    def names(self) -> tuple[str, ...]:
        return self[1]


def read_chunked(cookie_header: str, base_name: str) -> ChunkedCookie:
    """Join ``base_name`` or its chunks from a raw ``Cookie`` header.

    Anything ambiguous (both the plain cookie and chunks, a gap in the numbering,
    duplicate names, too many chunks) reads as no value, so the caller clears it all.
    """
    return _read_single(cookie_header, base_name) or read_every_pair(cookie_header, base_name)


def read_every_pair(cookie_header: str, base_name: str) -> ChunkedCookie:
    """:func:`read_chunked` the long way, pair by pair (chunks, duplicates, odd spacing)."""
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
        return ChunkedCookie((None, seen))
    if plain:
        return ChunkedCookie((plain[0] or None, seen))
    if not chunks or sorted(chunks) != list(range(len(chunks))):
        return ChunkedCookie((None, seen))
    return ChunkedCookie(("".join(chunks[i] for i in range(len(chunks))), seen))


def _read_single(cookie_header: str, base_name: str) -> ChunkedCookie | None:
    """The common case, read without splitting the header: ``base_name`` occurs once, as
    a whole cookie name with a plain value. ``None`` means "take the general path"."""
    if cookie_header.count(base_name) != 1:
        return None
    start = cookie_header.index(base_name)
    end = start + len(base_name)
    if start and cookie_header[start - 1] not in "; \t":
        return None
    if cookie_header[end : end + 1] != "=":
        return None
    before = cookie_header[:start].rstrip()
    if before and before[-1] != ";":
        return None
    stop = cookie_header.find(";", end)
    value = cookie_header[end + 1 : stop if stop >= 0 else None].rstrip()
    return ChunkedCookie((value or None, (base_name,)))


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
