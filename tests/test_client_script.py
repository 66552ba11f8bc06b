"""``{base}/client.js`` and ``{base}/_log``: what the browser clients fetch besides the API."""

from __future__ import annotations

import logging
from typing import Any

import pytest


def test_client_js_is_served_as_javascript_and_revalidated(client: Any) -> None:
    response = client.get("/api/auth/client.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "window.AuthJS" in response.text
    assert "no-cache" in response.headers["Cache-Control"]
    again = client.get("/api/auth/client.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_client_js_follows_the_base_path(app_factory: Any) -> None:
    client = app_factory(BASE_PATH="/auth").test_client()
    assert client.get("/auth/client.js").status_code == 200
    assert client.get("/api/auth/client.js").status_code == 404


def test_the_client_log_is_accepted_and_not_echoed(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """next-auth/react posts its fetch errors here with sendBeacon, without a CSRF token."""
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/api/auth/_log",
        data={"level": "error", "code": "CLIENT_FETCH_ERROR" + "x" * 500, "message": "a\nb"},
    )
    assert response.status_code == 204
    assert response.data == b""
    [record] = [r for r in caplog.records if "client reported" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert "a\nb" not in record.getMessage()
    assert len(record.getMessage()) < 120


def test_get_on_the_client_log_is_not_supported(client: Any) -> None:
    assert client.get("/api/auth/_log").status_code == 400
