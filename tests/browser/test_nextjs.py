"""One session for a Next.js site (``next start``) and the Flask demo, in Chromium.

Both run on ``localhost`` on different ports; cookies ignore ports, so the browser sends
each app the other's session cookie. Twice: a next-auth 4 app (tests/nextauth/nextapp,
pages router, ``getServerSession``) with ``AUTHJS_SESSION_FORMAT = "next-auth-v4"``, and an
Auth.js v5 app (tests/nextauth/nextapp5, next-auth 5 beta, app router, ``auth()``) with
``"authjs-v5"``; the Flask demo has the Next.js app's secret.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from demo.app import DEMO_EMAIL, DEMO_PASSWORD, create_app
from flask_authjs.formats import FORMATS, session_codecs

from .conftest import LiveServer, NextServer

SECRET = "a-secret-both-apps-share-0123456789abcdef"


@dataclass(frozen=True)
class Flavor:
    format: str
    app: str
    secret_variable: str
    #: Where the Next.js app re-issues the session cookie on a read.
    renewing_path: str

    @property
    def cookie(self) -> str:
        return FORMATS[self.format].cookie_name(False)


FLAVORS = [
    Flavor("next-auth-v4", "nextapp", "NEXTAUTH_SECRET", "/me"),
    Flavor("authjs-v5", "nextapp5", "AUTH_SECRET", "/api/auth/session"),
]


class Sites:
    """The two apps and the demo user they share."""

    def __init__(
        self, flavor: Flavor, live_server: LiveServer, nextjs_server: NextServer, tmp_path: Path
    ) -> None:
        self.flavor = flavor
        apps: list[Flask] = []

        def make(base_url: str) -> Flask:
            app = create_app(
                {
                    "AUTHJS_URL": base_url,
                    "AUTHJS_SECRET": SECRET,
                    "AUTHJS_SESSION_FORMAT": flavor.format,
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
            flavor.app,
            {
                flavor.secret_variable: SECRET,
                "TEST_USER": json.dumps(
                    {"id": self.user_id, "name": "Demo User", "email": DEMO_EMAIL}
                ),
                "TEST_PASSWORD": DEMO_PASSWORD,
            },
        )

    def sign_in_on_next(self, page: Any) -> None:
        page.goto(f"{self.next}/api/auth/signin?callbackUrl={self.next}/me")
        fill_credentials(page)
        page.wait_for_url(f"{self.next}/me")

    def sign_in_on_flask(self, page: Any) -> None:
        page.goto(f"{self.flask}/dashboard")
        fill_credentials(page)
        page.wait_for_url(f"{self.flask}/dashboard")

    def next_session(self, page: Any) -> Any:
        page.goto(f"{self.next}/me")
        return json.loads(page.locator("#session").inner_text())

    def flask_session(self, page: Any) -> Any:
        return page.request.get(f"{self.flask}/api/auth/session").json()

    def session_cookie(self, page: Any) -> str:
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert [name for name in cookies if "session-token" in name] == [self.flavor.cookie]
        return str(cookies[self.flavor.cookie])

    def claims(self, token: str) -> dict[str, Any]:
        codecs = session_codecs(
            FORMATS[self.flavor.format], [SECRET], algorithm="HS256", max_lifetime=30 * 86400
        )
        decoded = codecs[False].decode(token, now=int(time.time()))
        assert decoded is not None
        return decoded


def fill_credentials(page: Any) -> None:
    """Both sign-in pages, Auth.js's and flask-authjs's, have the same credentials form."""
    page.fill("#input-email-for-credentials-provider", DEMO_EMAIL)
    page.fill("#input-password-for-credentials-provider", DEMO_PASSWORD)
    page.click("form:has(#input-password-for-credentials-provider) button[type=submit]")


@pytest.fixture(params=FLAVORS, ids=[flavor.format for flavor in FLAVORS])
def sites(
    request: Any, live_server: LiveServer, nextjs_server: NextServer, tmp_path: Path
) -> Sites:
    return Sites(request.param, live_server, nextjs_server, tmp_path)


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
    user = sites.next_session(page)["user"]
    assert (user["name"], user["email"]) == ("Demo User", DEMO_EMAIL)


def csrf_cookies(page: Any) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies() if "csrf-token" in c["name"]}


def test_signed_out_on_nextjs_is_signed_out_on_flask(page: Any, sites: Sites) -> None:
    sites.sign_in_on_flask(page)
    flask_csrf = csrf_cookies(page)
    page.goto(f"{sites.next}/api/auth/signout")
    if sites.flavor.format == "authjs-v5":
        # One cookie name, one token|hash form, one secret: Auth.js kept Flask's CSRF cookie.
        assert csrf_cookies(page) == flask_csrf
    else:
        assert set(csrf_cookies(page)) == {"authjs.csrf-token", "next-auth.csrf-token"}
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{sites.next}/")
    assert sites.flavor.cookie not in {c["name"] for c in page.context.cookies()}
    assert sites.flask_session(page) == {}
    page.goto(f"{sites.flask}/dashboard")
    assert page.url.startswith(f"{sites.flask}/api/auth/signin")


def test_signed_out_on_flask_is_signed_out_on_nextjs(page: Any, sites: Sites) -> None:
    sites.sign_in_on_next(page)
    page.goto(f"{sites.flask}/dashboard")
    page.click("#sign-out")
    page.wait_for_url(f"{sites.flask}/")
    assert sites.next_session(page) is None


def test_a_flask_session_renewed_by_nextjs_is_still_read_by_flask(page: Any, sites: Sites) -> None:
    sites.sign_in_on_flask(page)
    issued = sites.session_cookie(page)
    time.sleep(1)  # so the renewed token's iat differs
    page.goto(f"{sites.next}{sites.flavor.renewing_path}")
    renewed = sites.session_cookie(page)
    assert renewed != issued
    before, after = sites.claims(issued), sites.claims(renewed)
    assert after["iat"] > before["iat"] and after["jti"] != before["jti"]
    # flask-authjs's own claim went through next-auth's jwt callback and back.
    assert after["auth_time"] == before["auth_time"]
    assert after["sub"] == sites.user_id
    assert sites.flask_session(page)["user"]["id"] == sites.user_id


def test_a_nextjs_session_carries_the_claims_flask_needs(page: Any, sites: Sites) -> None:
    sites.sign_in_on_next(page)
    token = sites.claims(sites.session_cookie(page))
    assert token["sub"] == sites.user_id
    assert isinstance(token["auth_time"], int)  # from the Next.js app's jwt callback
    assert {"name", "email", "iat", "exp", "jti"} <= token.keys()
