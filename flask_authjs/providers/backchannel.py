"""Server-to-server HTTP for OAuth: the token exchange and the userinfo request.

Standard library only (``urllib.request``): every call has a timeout, follows no
redirect (a token endpoint that redirects is misconfigured or hostile, and following it
could carry the code elsewhere), reads at most :data:`MAX_RESPONSE_SIZE` bytes and must
answer JSON. Every failure becomes :class:`ProviderError`, whose message names the URL
and the cause but never a secret, a code or a token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..exceptions import ProviderError as ProviderError

MAX_RESPONSE_SIZE = 1024 * 1024
USER_AGENT = "flask-authjs"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_form(
    url: str, fields: Mapping[str, str], *, headers: Mapping[str, str], timeout: float
) -> dict[str, Any]:
    body = urlencode(fields).encode("ascii")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked in _send)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    data: dict[str, Any] = _send(request, timeout)
    return data


def get_json(url: str, *, headers: Mapping[str, str], timeout: float) -> Any:
    request = urllib.request.Request(url, method="GET", headers=dict(headers))  # noqa: S310
    return _send(request, timeout, want_object=False)


def _send(request: urllib.request.Request, timeout: float, *, want_object: bool = True) -> Any:
    where = _safe_url(request.full_url)
    if urlsplit(request.full_url).scheme not in ("http", "https"):
        raise ProviderError(f"{where}: only http(s) URLs are allowed")
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read(MAX_RESPONSE_SIZE + 1)
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        raise ProviderError(f"{where} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ProviderError(f"{where} could not be reached: {reason}") from None
    if len(raw) > MAX_RESPONSE_SIZE:
        raise ProviderError(f"{where} answered more than {MAX_RESPONSE_SIZE} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ProviderError(f"{where} answered HTTP {status}, not with JSON") from None
    if want_object and not isinstance(data, dict):
        raise ProviderError(f"{where} answered JSON that is not an object")
    return data


def _safe_url(url: str) -> str:
    """The URL without its query string (which could carry a token) for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
