"""Cookie names, attributes and the chunking of large session cookies, as Auth.js has them.

All cookies are ``HttpOnly; SameSite=Lax; Path=/`` with no ``Domain``. On https they are
``Secure`` and carry the ``__Host-`` prefix (:func:`cookie_prefix`), so neither a plain-http
page nor a sibling subdomain can plant them.
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
#: Cache-Control directives that let a shared cache store a response.
PUBLIC = ("public", "s-maxage")


@dataclass(frozen=True)
class CookieNames:
    session_token: str
    callback_url: str
    oauth_state: str
    oauth_pkce: str
    oauth_nonce: str
    csrf_token: str


def cookie_prefix(secure: bool, *, authjs_names: bool = False) -> str:
    """The prefix of our cookie names: the one place that chooses it.

    On https, ``__Host-``: the browser accepts such a cookie only with ``Secure``,
    ``Path=/`` and no ``Domain``, from this very host, so a hostile sibling subdomain
    cannot toss one at us. ``__Secure-`` only proves the cookie came over https and is
    still settable from ``evil.example.com`` for ``example.com``; it is the prefix only
    where a cookie must keep Auth.js's own name (``authjs_names``, e.g. a session cookie
    that Next.js reads). Plain http (development) has no prefix.
    """
    if not secure:
        return ""
    return SECURE_PREFIX if authjs_names else HOST_PREFIX


@cache
def cookie_names(
    secure: bool, *, authjs_names: bool = False, session_base: str = "authjs.session-token"
) -> CookieNames:
    """Our cookie names; the CSRF cookie is ``__Host-`` on https in every case (as in
    Auth.js), so no subdomain can plant a CSRF token. ``session_base`` is the session
    cookie's name without prefix (the session format's)."""
    prefix = cookie_prefix(secure, authjs_names=authjs_names)
    return CookieNames(
        csrf_token=f"{cookie_prefix(secure)}authjs.csrf-token",
        session_token=f"{prefix}{session_base}",
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


def is_ours(set_cookie: str) -> bool:
    """Whether a ``Set-Cookie`` value writes one of our cookies (``[prefix]authjs.*``, or
    next-auth 4's ``[prefix]next-auth.*`` in that session format)."""
    name = set_cookie.split("=", 1)[0].removeprefix(SECURE_PREFIX).removeprefix(HOST_PREFIX)
    return name.startswith(("authjs.", "next-auth."))


def private_to_the_browser(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` of a response that writes our cookies, made unstorable by shared caches.

    A CDN or proxy that stored such a response would hand one user's session cookie (or
    its deletion) to everyone (the Flask CVE-2023-30861 class). ``Cache-Control`` loses
    ``public`` and ``s-maxage`` and gains ``private`` (the browser may still cache as
    the app asked); ``Vary`` gains ``Cookie`` for caches that ignore ``private``.
    """
    directives: list[str] = []
    vary: list[str] = []
    kept: list[tuple[str, str]] = []
    for key, value in headers:
        lowered = key.lower()
        if lowered == "cache-control":
            directives += [part.strip() for part in value.split(",") if part.strip()]
        elif lowered == "vary":
            vary += [part.strip() for part in value.split(",") if part.strip()]
        else:
            kept.append((key, value))
    names = [part.split("=", 1)[0].lower() for part in directives]
    directives = [part for part, name in zip(directives, names, strict=True) if name not in PUBLIC]
    if "private" not in names and "no-store" not in names:
        directives.insert(0, "private")
    if not {"cookie", "*"} & {part.lower() for part in vary}:
        vary.append("Cookie")
    return [*kept, ("Cache-Control", ", ".join(directives)), ("Vary", ", ".join(vary))]


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
    chunk_size: int = CHUNK_SIZE,
) -> list[str]:
    """``Set-Cookie`` values that replace (or, with ``value=None``, delete) a chunked cookie."""
    if value is None:
        pieces: dict[str, str] = {}
    elif len(value) <= chunk_size:
        pieces = {base_name: value}
    else:
        pieces = {
            f"{base_name}.{i}": value[start : start + chunk_size]
            for i, start in enumerate(range(0, len(value), chunk_size))
        }
    headers = [delete_cookie_header(name, secure=secure) for name in previous if name not in pieces]
    if value is None and base_name not in previous:
        headers.append(delete_cookie_header(base_name, secure=secure))
    headers += [
        set_cookie_header(name, piece, secure=secure, max_age=max_age)
        for name, piece in pieces.items()
    ]
    return headers
