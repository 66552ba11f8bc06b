"""``StubOAuthProvider``: the real OAuth class, pointed at the stub identity provider.

The stub (:mod:`flask_authjs.stub_idp`) is served by the app itself under
``{base}/stub/`` when ``AUTHJS_STUB_OAUTH = True``, so its URLs are built per request
from ``AUTHJS_URL``; everything else (state, PKCE, the token exchange over HTTP, the
userinfo request, account linking) is the code path a real provider takes.
"""

from __future__ import annotations

from ..context import AuthContext
from .oauth import Endpoints, OAuthProvider

STUB_PATH = "/stub"


class StubOAuthProvider(OAuthProvider):
    def __init__(
        self,
        *,
        id: str = "stub",
        name: str = "Stub",
        client_id: str = "stub-client",
        client_secret: str = "stub-secret",  # noqa: S107 (the stub's, public by design)
        allow_dangerous_email_account_linking: bool = False,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(
            id=id,
            name=name,
            client_id=client_id,
            client_secret=client_secret,
            authorization_url=f"{STUB_PATH}/authorize",
            token_url=f"{STUB_PATH}/token",
            userinfo_url=f"{STUB_PATH}/userinfo",
            scope="openid profile email",
            allow_dangerous_email_account_linking=allow_dangerous_email_account_linking,
            timeout=timeout,
        )

    def endpoints(self, context: AuthContext) -> Endpoints:
        base = context.base_url()
        assert self.userinfo_url is not None
        return Endpoints(
            base + self.authorization_url, base + self.token_url, base + self.userinfo_url
        )
