"""``AuthJSTestClient``: Flask's test client, already signed in (for your own test suites).

In the spirit of Flask-Login's ``FlaskLoginClient``::

    app.test_client_class = AuthJSTestClient
    client = app.test_client(user={"id": "1", "email": "ada@example.com"})
    assert client.get("/dashboard").status_code == 200

The session is a real one, made by the app's own session strategy (a signed JWT, or a
row in the store for the database strategy) after your ``jwt`` callback, so the views
under test see exactly what they see in production. No sign-in signal is sent: the test
did not sign anyone in through the app. This module is for tests only; nothing in the
package imports it (an import-linter contract checks that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from .context import AuthContext
from .sessions import claims_for_user


class AuthJSTestClient(FlaskClient):
    """``app.test_client(user={...})``: a client carrying that user's session cookie.

    ``user`` needs an ``"id"``; ``provider`` is what the ``jwt`` callback sees as
    ``account["provider"]``. Without ``user`` it is Flask's plain test client.
    """

    def __init__(
        self,
        *args: Any,
        user: Mapping[str, Any] | None = None,
        provider: str = "credentials",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.sign_in_as(user, provider=provider)

    def sign_in_as(self, user: Mapping[str, Any], *, provider: str = "credentials") -> str:
        """Give this client a session for ``user``; return the session cookie's value."""
        if "id" not in user:
            raise ValueError('AuthJSTestClient: the user needs an "id"')
        app = self.application
        context: AuthContext = app.extensions["authjs"]
        account = {"provider": provider, "type": "credentials", "providerAccountId": user["id"]}
        with app.test_request_context():
            token = context.callbacks.jwt(
                claims_for_user(user),
                user=dict(user),
                account=account,
                profile=None,
                trigger="signIn",
                is_new_user=False,
            )
            issued = context.issue_session(token)
            name = context.cookie_names().session_token
        for domain in self._domains(context):
            self.set_cookie(name, issued.token, domain=domain)
        return issued.token

    def sign_out(self) -> None:
        """Drop the session cookie (the session itself is left to expire)."""
        context: AuthContext = self.application.extensions["authjs"]
        with self.application.test_request_context():
            name = context.cookie_names().session_token
        for domain in self._domains(context):
            self.delete_cookie(name, domain=domain)

    def _domains(self, context: AuthContext) -> list[str]:
        """Where the client's requests go: Flask's default host, ``SERVER_NAME``, and the
        host of ``AUTHJS_URL``, so the cookie is sent whichever one a test uses."""
        hosts = ["localhost", self.application.config.get("SERVER_NAME") or ""]
        if context.settings.origin:
            hosts.append(urlsplit(context.settings.origin).hostname or "")
        return [host.split(":")[0] for host in dict.fromkeys(hosts) if host]
