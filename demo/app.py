"""The demo app, on the embedded SQLite store with one seeded user.

Run it with ``python -m demo`` (``PORT=8000 python -m demo`` for another port). It themes
the built-in pages the way an app would, without copying them: ``templates/authjs/_head.html``
links its stylesheet (flask-authjs's CSS custom properties) and ``_header.html`` adds its site
header. It guards ``/dashboard`` with ``login_required`` and shows a sign-in by ``fetch``
that needs no redirect. "Sign in with Stub" goes through the built-in stub identity
provider (a real OAuth round trip, development only); with ``GITHUB_CLIENT_ID`` and
``GITHUB_CLIENT_SECRET`` in the environment, "Sign in with GitHub" appears too.

Mail (magic links, password resets, sign-up verification) goes to the development outbox
unless ``AUTHJS_SMTP_URL`` is set: ``/outbox`` lists it, so every mail flow works on a
fresh machine with nothing else installed.

Passkeys and TOTP two-factor are on: the dashboard links to the account page
(``/api/auth/account``) where a user adds passkeys and turns two-factor on. The demo runs
on ``localhost``, not ``127.0.0.1``: a passkey belongs to a domain name, never an IP.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from typing import Any

from flask import Flask, Response, abort, render_template, send_from_directory

from flask_authjs import (
    AuthJS,
    CredentialsProvider,
    EmailProvider,
    GitHubProvider,
    PasskeyProvider,
    Provider,
    StubOAuthProvider,
    login_required,
)
from flask_authjs.adapters import DuplicateEmail

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_ADDRESS = "http://localhost:5000"
DEMO_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(__file__), "instance"))
    app.config.update(
        # A fixed secret keeps demo sessions across restarts; never reuse it elsewhere.
        AUTHJS_SECRET=os.environ.get("AUTHJS_SECRET", "demo-only-secret-change-me-0123456789abc"),
        AUTHJS_URL=os.environ.get("AUTHJS_URL", DEMO_ADDRESS),
        AUTHJS_DEBUG=True,
        AUTHJS_SIGNUP=True,
        # The demo runs in AUTHJS_DEBUG, the only mode where the stub may be served.
        AUTHJS_STUB_OAUTH=True,
        # Sign-up mails a link that must be opened before the password works.
        AUTHJS_EMAIL_VERIFICATION="required",
        AUTHJS_SMTP_URL=os.environ.get("AUTHJS_SMTP_URL"),
        AUTHJS_EMAIL_FROM=os.environ.get("AUTHJS_EMAIL_FROM"),
        AUTHJS_TWO_FACTOR=True,
        AUTHJS_TWO_FACTOR_ISSUER="flask-authjs demo",
    )
    app.config.update(config or {})
    providers: list[Provider] = [
        CredentialsProvider(),
        EmailProvider(),
        PasskeyProvider(rp_name="flask-authjs demo"),
    ]
    if app.config["AUTHJS_STUB_OAUTH"]:
        providers.append(StubOAuthProvider())
    if os.environ.get("GITHUB_CLIENT_ID") and os.environ.get("GITHUB_CLIENT_SECRET"):
        providers.append(
            GitHubProvider(os.environ["GITHUB_CLIENT_ID"], os.environ["GITHUB_CLIENT_SECRET"])
        )
    auth = AuthJS(app, providers=providers)
    seed_demo_user(app.extensions["authjs"])

    @app.get("/")
    def home() -> str:
        return render_template("home.html")

    @app.get("/dashboard")
    @login_required
    def dashboard() -> str:
        return render_template("dashboard.html")

    @app.get("/fetch-sign-in")
    def fetch_sign_in() -> str:
        return render_template("fetch_signin.html")

    @app.get("/outbox")
    def outbox() -> str:
        """The development outbox: every mail the demo sent, newest first, links clickable."""
        mailer = app.extensions["authjs"].mailer
        if mailer is None or mailer.outbox is None:
            abort(404)
        return render_template("outbox.html", mails=[read_mail(m) for m in mailer.outbox.messages])

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return send_from_directory(app.static_folder or "static", "favicon.svg")

    @app.after_request
    def harden(response: Response) -> Response:
        # What any app should send on its own pages; flask-authjs does it for /api/auth.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", DEMO_POLICY)
        return response

    app.extensions["authjs_demo"] = auth
    return app


def read_mail(message: Any) -> dict[str, Any]:
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return {
        "to": message["To"],
        "subject": message["Subject"],
        "text": text,
        "links": re.findall(r"https?://\S+", text),
    }


def seed_demo_user(context: Any) -> None:
    """Create the demo account once (the SQLite file keeps it between runs)."""
    if context.adapter.get_user_by_email(DEMO_EMAIL) is not None:
        return
    with suppress(DuplicateEmail):  # another process seeded it first
        context.adapter.create_user(
            DEMO_EMAIL,
            name="Demo User",
            password_hash=context.password_hasher.hash(DEMO_PASSWORD),
            email_verified=context.now(),
        )
