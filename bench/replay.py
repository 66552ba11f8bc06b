"""One prebuilt request replayed into a WSGI app, and the bare Flask baseline (Flask only).

This module imports nothing but Flask and Werkzeug, so a bare worker built from it
carries no flask-authjs, PyJWT or Flask-Login in its memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify
from werkzeug.test import EnvironBuilder

SECRET_KEY = "bench-flask-secret-key-0123456789abcdef"
ORIGIN = "http://localhost"
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench/1.0",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.5",
}
GREETING = "hello ada@example.com"
#: What ``GET /api/auth/session`` answers for the bench user; the bare twin returns it too.
SESSION_SHAPE = {
    "user": {"id": "u1", "name": "Ada Lovelace", "email": "ada@example.com", "image": None},
    "expires": "2030-01-01T00:00:00.000Z",
}
#: A Flask session as Flask-WTF leaves it after a CSRF token was handed out.
CSRF_SESSION = {"csrf_token": "0123456789abcdef0123456789abcdef01234567"}


def base_app(name: str) -> Flask:
    app = Flask(name)
    app.config.update(SECRET_KEY=SECRET_KEY)
    return app


def bare_app() -> Flask:
    """The baseline: no authentication at all, the same view and a JSON twin of the session."""
    app = base_app("bare")

    @app.get("/dashboard")
    def dashboard() -> str:
        return GREETING

    @app.get("/")
    def home() -> str:
        return GREETING

    @app.get("/session.json")
    def session_json() -> Any:
        return jsonify(SESSION_SHAPE)

    return app


def signed_flask_session(app: Flask, data: Mapping[str, Any]) -> str:
    """The value of Flask's ``session`` cookie holding ``data``, signed with the app's key."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value: str = serializer.dumps(dict(data))
    return value


def cookie_header(**cookies: str) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Request:
    """One prebuilt GET against one app's WSGI callable, replayed as cheaply as possible."""

    app: Flask
    path: str
    cookie: str
    extra_headers: dict[str, str] | None = None

    def __post_init__(self) -> None:
        headers = {**BROWSER_HEADERS, **(self.extra_headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        builder = EnvironBuilder(path=self.path, base_url=ORIGIN, headers=headers)
        self.environ = builder.get_environ()
        self.wsgi = self.app.wsgi_app

    def __call__(self) -> None:
        body = self.wsgi(dict(self.environ), _start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()

    def check(self, expect_status: int = 200, contains: bytes = b"") -> None:
        """Run once, asserting the status, the body and that no cookie is written back."""
        seen: list[Any] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            seen.append((status, headers))
            return _write

        body = b"".join(_iterate(self.wsgi(dict(self.environ), start)))
        status, headers = seen[0]
        if int(status.split()[0]) != expect_status or contains not in body:
            raise RuntimeError(f"{self.path}: got {status} {body[:200]!r}")
        written = [value for key, value in headers if key.lower() == "set-cookie"]
        if written:
            raise RuntimeError(f"{self.path}: unexpected Set-Cookie {written}")


def _iterate(body: Iterable[bytes]) -> Iterable[bytes]:
    try:
        yield from body
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _write(_data: bytes) -> None:
    return None


def _start_response(
    _status: str, _headers: list[tuple[str, str]], _exc_info: Any = None
) -> Callable[[bytes], None]:
    return _write
