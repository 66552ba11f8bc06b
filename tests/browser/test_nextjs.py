"""One session for a Next.js site (next-auth 4, ``next start``) and the Flask demo, in Chromium.

Both run on ``localhost`` on different ports; cookies ignore ports, so the browser sends
each app the other's ``next-auth.session-token``. The Flask demo runs with
``AUTHJS_SESSION_FORMAT = "next-auth-v4"`` and the Next.js app's secret.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from demo.app import DEMO_EMAIL, DEMO_PASSWORD, create_app
from flask_authjs.formats import NEXT_AUTH_V4, session_codecs

from .conftest import LiveServer, NextServer

SECRET = "a-secret-both-apps-share-0123456789abcdef"
COOKIE = "next-auth.session-token"


class Sites:
    """The two apps and the demo user they share."""

    def __init__(self, live_server: LiveServer, nextjs_server: NextServer, tmp_path: Path) -> None:
        apps: list[Flask] = []

        def make(base_url: str) -> Flask:
            app = create_app(
                {
                    "AUTHJS_URL": base_url,
                    "AUTHJS_SECRET": SECRET,
                    "AUTHJS_SESSION_FORMAT": "next-auth-v4",
                    "AUTHJS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                    "AUTHJS_BCRYPT_ROUNDS": 4,
                }
            )
            apps.append(app)
            return app

        self.flask = live_server(make, host="localhost")
        user = apps[0].extensions["authjs"].adapter.get_user_by_email(DEMO_EMAIL)
        self.user_id = str(user["id"])
        self.next = nextjs_server(
            {
                "NEXTAUTH_SECRET": SECRET,
                "TEST_USER": json.dumps(
                    {"id": self.user_id, "name": "Demo User", "email": DEMO_EMAIL}
                ),
                "TEST_PASSWORD": DEMO_PASSWORD,
            }
        )

    def sign_in_on_next(self, page: Any) -> None:
        page.goto(f"{self.next}/api/auth/signin?callbackUrl={self.next}/me")
        page.fill("#input-email-for-credentials-provider", DEMO_EMAIL)
        page.fill("#input-password-for-credentials-provider", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.next}/me")

    def sign_in_on_flask(self, page: Any) -> None:
        page.goto(f"{self.flask}/dashboard")
        page.fill("#email", DEMO_EMAIL)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#submit")
        page.wait_for_url(f"{self.flask}/dashboard")

    def next_session(self, page: Any) -> Any:
        page.goto(f"{self.next}/me")
        return json.loads(page.locator("#session").inner_text())

    def flask_session(self, page: Any) -> Any:
        return page.request.get(f"{self.flask}/api/auth/session").json()


@pytest.fixture
def sites(live_server: LiveServer, nextjs_server: NextServer, tmp_path: Path) -> Sites:
    return Sites(live_server, nextjs_server, tmp_path)


def session_cookie(page: Any) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "authjs.session-token" not in cookies
    return str(cookies[COOKIE])


def claims(token: str) -> dict[str, Any]:
    codec = session_codecs(NEXT_AUTH_V4, [SECRET], algorithm="HS256", max_lifetime=30 * 86400)
    decoded = codec[False].decode(token, now=int(time.time()))
    assert decoded is not None
    return decoded


def test_signed_in_on_nextjs_is_signed_in_on_flask(page: Any, sites: Sites) -> None:
    sites.sign_in_on_next(page)
    assert sites.next_session(page)["user"]["email"] == DEMO_EMAIL

    page.goto(f"{sites.flask}/dashboard")  # login_required
    assert page.url == f"{sites.flask}/dashboard"
    assert "Demo User" in page.locator("#greeting").inner_text()
    session = sites.flask_session(page)
    assert session["user"] == {
        "id": sites.user_id,
        "name": "Demo User",
        "email": DEMO_EMAIL,
        "image": None,
    }


def test_signed_in_on_flask_is_signed_in_on_nextjs(page: Any, sites: Sites) -> None:
    assert sites.next_session(page) is None
    sites.sign_in_on_flask(page)
    session = sites.next_session(page)
    assert session["user"] == {"name": "Demo User", "email": DEMO_EMAIL, "image": None}


def test_signed_out_on_nextjs_is_signed_out_on_flask(page: Any, sites: Sites) -> None:
    sites.sign_in_on_flask(page)
    page.goto(f"{sites.next}/api/auth/signout")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{sites.next}/")
    assert COOKIE not in {c["name"] for c in page.context.cookies()}
    assert sites.flask_session(page) == {}
    page.goto(f"{sites.flask}/dashboard")
    assert page.url.startswith(f"{sites.flask}/api/auth/signin")


def test_signed_out_on_flask_is_signed_out_on_nextjs(page: Any, sites: Sites) -> None:
    sites.sign_in_on_next(page)
    page.goto(f"{sites.flask}/dashboard")
    page.click("#sign-out")
    page.wait_for_url(f"{sites.flask}/")
    assert sites.next_session(page) is None


def test_a_flask_session_renewed_by_nextjs_is_still_read_by_flask(
    page: Any, sites: Sites
) -> None:
    sites.sign_in_on_flask(page)
    issued = session_cookie(page)
    time.sleep(1)  # so the renewed token's iat differs
    assert sites.next_session(page)["user"]["email"] == DEMO_EMAIL
    renewed = session_cookie(page)
    assert renewed != issued
    before, after = claims(issued), claims(renewed)
    assert after["iat"] > before["iat"] and after["jti"] != before["jti"]
    # flask-authjs's own claim went through next-auth's jwt callback and back.
    assert after["auth_time"] == before["auth_time"]
    assert after["sub"] == sites.user_id
    assert sites.flask_session(page)["user"]["id"] == sites.user_id


def test_a_nextjs_session_carries_the_claims_flask_needs(page: Any, sites: Sites) -> None:
    sites.sign_in_on_next(page)
    token = claims(session_cookie(page))
    assert token["sub"] == sites.user_id
    assert isinstance(token["auth_time"], int)  # from the Next.js app's jwt callback
    assert {"name", "email", "iat", "exp", "jti"} <= token.keys()
