"""Helpers for the OAuth tests: serve an app on a real socket, and walk a browser's steps.

The browser side goes through Flask's test client (it keeps the cookies); the provider
class reaches the stub's token and userinfo endpoints over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from .conftest import csrf_token


def _not_ready(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"not ready"]


@contextmanager
def serving(make_app: Callable[[str], Flask]) -> Iterator[Flask]:
    """``make_app(origin)`` served on a free port of 127.0.0.1 while the block runs."""
    server = make_server("127.0.0.1", 0, _not_ready, threaded=True)
    app = make_app(f"http://127.0.0.1:{server.server_port}")
    server.app = app
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def local(url: str) -> str:
    """The path and query of one of our URLs, as the test client wants them."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def start(
    client: FlaskClient,
    provider: str = "stub",
    callback_url: str = "/dashboard",
    *,
    link: bool = False,
) -> Any:
    """``POST {base}/signin/<provider>``: the 302 to the provider's authorize URL; with
    ``link``, the explicit "link account" start."""
    data = {"csrfToken": csrf_token(client), "callbackUrl": callback_url}
    if link:
        data["link"] = "true"
    return client.post(f"/api/auth/signin/{provider}", data=data)


def authorize(
    client: FlaskClient, authorize_url: str, *, email: str, name: str = "", deny: bool = False
) -> str:
    """Fill in the stub's authorize page; the URL it sends the browser back to."""
    page = client.get(local(authorize_url))
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.get_data(as_text=True)))
    form = {key: fields[key] for key in query(authorize_url)}
    form["csrfToken"] = fields["csrfToken"]
    if deny:
        form["decision"] = "deny"
    else:
        form.update(email=email, name=name)
    answer = client.post("/api/auth/stub/authorize", data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    location: str = answer.headers["Location"]
    return location


def stub_sign_in(
    client: FlaskClient, email: str, *, name: str = "", provider: str = "stub", link: bool = False
) -> Any:
    """The whole round trip; the response of ``GET {base}/callback/<provider>``."""
    started = start(client, provider, link=link)
    back = authorize(client, started.headers["Location"], email=email, name=name)
    return client.get(local(back))


def cookie_value(client: FlaskClient, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None
