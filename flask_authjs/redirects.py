"""Where a redirect may go: same-origin targets only, decided on the raw string.

``urlsplit`` drops tabs and newlines, browsers read ``\\`` as ``/``, Flask rewrites
``https:evil.com`` into ``https:///evil.com``: so the checks here look at the string the
browser will see, accept only two shapes (a path starting with one ``/``, or an absolute
URL on exactly our origin) and return an ASCII URL that is safe in a ``Location`` header.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

MAX_URL_LENGTH = 2048
#: Characters left as they are when non-ASCII parts of a target are percent-encoded.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def same_origin_url(target: object, origin: str) -> str | None:
    """``target`` as an absolute URL on ``origin``, or ``None`` if it leads anywhere else."""
    if not isinstance(target, str) or not target or len(target) > MAX_URL_LENGTH:
        return None
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return None
    if target.startswith("/"):
        if target.startswith("//"):
            return None
        return quote(origin + target, safe=_URL_SAFE)
    rest = _strip_origin(target, origin)
    if rest is None or rest.startswith("//") or not (rest == "" or rest[0] in "/?#"):
        return None
    return quote(origin + (rest if rest.startswith("/") else "/" + rest), safe=_URL_SAFE)


def _strip_origin(target: str, origin: str) -> str | None:
    """The part of ``target`` after its origin, if that origin is ``origin``."""
    scheme, sep, after = target.partition("://")
    if not sep:
        return None
    authority_end = len(after)
    for stop in "/?#":
        index = after.find(stop)
        if index != -1:
            authority_end = min(authority_end, index)
    authority = after[:authority_end]
    if "@" in authority:
        return None
    if normalized_origin(f"{scheme}://{authority}") != origin:
        return None
    return after[authority_end:]


def normalized_origin(url: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or str(port) == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_safe_location(url: str) -> bool:
    """Whether a URL (for instance from a ``redirect`` callback) can go in a header as is."""
    return bool(url) and len(url) <= MAX_URL_LENGTH and all(0x20 < ord(c) < 0x7F for c in url)
