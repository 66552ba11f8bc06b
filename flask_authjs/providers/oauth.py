"""Sign-in with an OAuth 2 provider: the authorization code flow with state and PKCE (S256).

Two steps, and only authentication in either. :meth:`OAuthProvider.authorization`
(``POST {base}/signin/<id>``) gives the provider's URL with a fresh ``state``, a PKCE
``code_challenge`` (and an OIDC ``nonce``), and the signed check cookies (:mod:`.checks`)
that keep their secrets and the sign-in's intent. :meth:`OAuthProvider.authenticate`
(``GET {base}/callback/<id>``) verifies them, exchanges the code at the token URL, reads
the profile and returns an :class:`~.base.Identity`; which user that is (linking,
creating) is the sign-in pipeline's business. Every failure is a
:class:`~flask_authjs.exceptions.SignInError` with an Auth.js code; logs say why, never
with a secret, a code or a token.
"""

from __future__ import annotations

import base64
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..context import AuthContext
from ..emails import normalize_email
from ..errors import ACCESS_DENIED, CALLBACK, OAUTH_CALLBACK
from ..exceptions import (
    CheckFailed,
    InvalidInput,
    ProfileInvalid,
    ProviderError,
    SignInError,
)
from ..responses import with_query
from .backchannel import get_json, post_form
from .base import Authorization, Identity, Provider, SignInRequest
from .checks import CHECK_MAX_AGE, CHECKS, PURPOSE, CheckCookies, new_check_value, pkce_challenge
from .oidc import IdTokenValidator

logger = logging.getLogger("flask_authjs")

TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
#: Token response fields kept in the account (and the store), as Auth.js keeps them.
ACCOUNT_TOKEN_FIELDS = ("access_token", "token_type", "refresh_token", "scope", "id_token")
MAX_NAME_LENGTH = 256
MAX_IMAGE_LENGTH = 2048

ProfileFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]


def default_profile(raw: Mapping[str, Any], tokens: Mapping[str, Any]) -> dict[str, Any]:
    """OpenID Connect claims (``sub``, ``name``, ``email``, ``picture``); ``id`` if no ``sub``."""
    return {
        "id": raw.get("sub", raw.get("id")),
        "name": raw.get("name"),
        "email": raw.get("email"),
        "image": raw.get("picture"),
    }


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str | None


class OAuthProvider(Provider):
    """A provider speaking OAuth 2 (and, with ``issuer`` + ``jwks_url``, OpenID Connect).

    ``profile(raw, tokens)`` maps the userinfo response (or the ``id_token`` claims when
    there is no ``userinfo_url``) to ``{"id", "name", "email", "image"}``.
    ``checks`` is a subset of ``("state", "pkce", "nonce")``; ``nonce`` turns on
    ``id_token`` validation and needs ``issuer`` and ``jwks_url``.
    ``allow_dangerous_email_account_linking`` lets this provider sign in to an existing
    user with the same email: only for providers that verify every email they report.
    """

    type = "oauth"

    def __init__(
        self,
        *,
        id: str,
        name: str,
        client_id: str,
        client_secret: str,
        authorization_url: str,
        token_url: str,
        userinfo_url: str | None = None,
        scope: str = "",
        profile: ProfileFunction = default_profile,
        checks: tuple[str, ...] = ("state", "pkce"),
        authorization_params: Mapping[str, str] | None = None,
        token_auth_method: str = "client_secret_basic",  # noqa: S107 (a method name)
        issuer: str | tuple[str, ...] | None = None,
        jwks_url: str | None = None,
        allow_dangerous_email_account_linking: bool = False,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(id=id, name=name)
        checks = tuple(checks)
        if not set(checks) <= set(CHECKS) or not {"state", "pkce"} & set(checks):
            raise ValueError(f"checks {checks!r} must include 'state' or 'pkce', from {CHECKS}")
        if token_auth_method not in TOKEN_AUTH_METHODS:
            raise ValueError(f"token_auth_method must be one of {TOKEN_AUTH_METHODS}")
        if "nonce" in checks and not (issuer and jwks_url):
            raise ValueError("the 'nonce' check validates the id_token: give issuer and jwks_url")
        if userinfo_url is None and "nonce" not in checks:
            raise ValueError("give userinfo_url, or an OpenID Connect setup with the 'nonce' check")
        self.client_id = client_id
        self.client_secret = client_secret
        self.authorization_url = authorization_url
        self.token_url = token_url
        self.userinfo_url = userinfo_url
        self.scope = scope
        self.profile = profile
        self.checks = checks
        self.authorization_params = dict(authorization_params or {})
        self.token_auth_method = token_auth_method
        self.allow_dangerous_email_account_linking = allow_dangerous_email_account_linking
        self.timeout = timeout
        self.id_token_validator = (
            IdTokenValidator(issuer=issuer, jwks_url=jwks_url, client_id=client_id, timeout=timeout)
            if issuer and jwks_url and "nonce" in checks
            else None
        )

    def endpoints(self, context: AuthContext) -> Endpoints:
        """The provider's URLs (the stub's depend on the app, hence the context)."""
        return Endpoints(self.authorization_url, self.token_url, self.userinfo_url)

    def redirect_uri(self, context: AuthContext) -> str:
        return context.action_url(f"callback/{self.id}")

    # POST {base}/signin/<id>

    def authorization(
        self,
        context: AuthContext,
        *,
        callback_url: str,
        params: Mapping[str, str],
        link_user_id: str | None = None,
    ) -> Authorization:
        values = {check: new_check_value() for check in self.checks}
        query: dict[str, str | None] = {
            **self.authorization_params,
            # The client's ``authorizationParams`` (``signIn(id, options, params)``) arrive as
            # the POST's query string; they cannot replace the protocol's own parameters below.
            **params,
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri(context),
            "scope": self.scope or None,
            "state": values.get("state"),
            "nonce": values.get("nonce"),
        }
        if "pkce" in values:
            query["code_challenge"] = pkce_challenge(values["pkce"])
            query["code_challenge_method"] = "S256"
        url = with_query(self.endpoints(context).authorization, query)
        cookies = self._cookies(context).set(
            self.id, values, callback_url, now=context.now(), link_user_id=link_user_id
        )
        return Authorization(url, cookies)

    # GET|POST {base}/callback/<id>

    def authenticate(self, context: AuthContext, sign_in: SignInRequest) -> Identity:
        params = sign_in.params
        cookies = self._cookies(context)
        if "error" in params:
            logger.warning(
                "flask-authjs: %r answered the sign-in with error %r",
                self.id,
                _printable(params.get("error")),
            )
            if params.get("error") == "access_denied":  # the person pressed "Deny"
                raise SignInError(ACCESS_DENIED, "denied at the provider", status=403, page="error")
            raise SignInError(
                CALLBACK,
                "the provider answered with an error",
                callback_url=self._callback_url(context, cookies, sign_in.cookies),
            )
        try:
            checked = cookies.read(sign_in.cookies, self.id, self.checks, now=context.now())
            state = checked.values.get("state")
            sent_state = params.get("state", "")
            if state is not None and not (
                isinstance(sent_state, str)
                and hmac.compare_digest(sent_state.encode(), state.encode())
            ):
                raise CheckFailed("the state parameter does not match the state cookie")
            code = params.get("code")
            if not code or not isinstance(code, str):
                raise CheckFailed("the provider sent no code")
            tokens = self.exchange_code(context, code, checked.values.get("pkce"))
            claims = None
            if self.id_token_validator is not None:
                claims = self.id_token_validator.validate(
                    tokens.get("id_token"), checked.values["nonce"]
                )
            if self.userinfo_url is None:
                raw = claims or {}
            else:
                raw = self.fetch_userinfo(context, tokens)
                if claims is not None and raw.get("sub") != claims["sub"]:
                    raise ProviderError("the userinfo 'sub' differs from the id_token 'sub'")
            profile = self._map_profile(context, raw, tokens)
        except ProviderError as problem:
            logger.warning("flask-authjs: OAuth callback of %r failed: %s", self.id, problem)
            raise SignInError(OAUTH_CALLBACK, str(problem)) from None
        account = {
            "provider": self.id,
            "type": "oauth",
            "providerAccountId": profile["id"],
            **account_tokens(tokens, context.now()),
        }
        return Identity(
            account=account,
            profile=profile,
            raw_profile=raw,
            allow_email_linking=self.allow_dangerous_email_account_linking,
            link_user_id=checked.link_user_id,
            callback_url=checked.callback_url,
        )

    def cleanup_cookies(self, context: AuthContext) -> list[str]:
        """The check cookies are spent once the provider has come back, whatever happened."""
        return self._cookies(context).delete()

    # The back channel; overridable for providers with extra steps (GitHub's emails).

    def exchange_code(
        self, context: AuthContext, code: str, verifier: str | None
    ) -> dict[str, Any]:
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri(context),
        }
        if verifier is not None:
            fields["code_verifier"] = verifier
        headers: dict[str, str] = {}
        if self.token_auth_method == "client_secret_basic":
            pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            fields.update(client_id=self.client_id, client_secret=self.client_secret)
        tokens = post_form(
            self.endpoints(context).token, fields, headers=headers, timeout=self.timeout
        )
        if "error" in tokens:
            raise ProviderError(
                f"the token endpoint refused the code: {_printable(tokens.get('error'))}"
            )
        access_token = tokens.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ProviderError("the token response has no access_token")
        token_type = tokens.get("token_type", "bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise ProviderError(f"unsupported token_type {_printable(token_type)}")
        return tokens

    def fetch_userinfo(self, context: AuthContext, tokens: Mapping[str, Any]) -> dict[str, Any]:
        url = self.endpoints(context).userinfo
        assert url is not None
        data = get_json(url, headers=bearer(tokens), timeout=self.timeout)
        if not isinstance(data, dict):
            raise ProviderError("the userinfo response is not a JSON object")
        return data

    # Helpers.

    def _map_profile(
        self, context: AuthContext, raw: Mapping[str, Any], tokens: Mapping[str, Any]
    ) -> dict[str, Any]:
        try:
            mapped = self.profile(raw, tokens)
        except Exception as error:
            logger.error(
                "flask-authjs: profile() of %r raised %s",
                self.id,
                type(error).__name__,
                exc_info=context.settings.debug,
            )
            raise ProfileInvalid("profile() raised") from None
        if not isinstance(mapped, Mapping) or mapped.get("id") in (None, ""):
            raise ProfileInvalid("profile() must return a dict with an 'id'")
        email = mapped.get("email")
        try:
            email = normalize_email(email) if email not in (None, "") else None
        except InvalidInput:
            raise ProfileInvalid("the profile's email is not a single email address") from None
        name, image = mapped.get("name"), mapped.get("image")
        return {
            "id": str(mapped["id"]),
            "name": name[:MAX_NAME_LENGTH] if isinstance(name, str) and name else None,
            "email": email,
            "image": image
            if isinstance(image, str)
            and image.startswith(("https://", "http://"))
            and len(image) <= MAX_IMAGE_LENGTH
            else None,
        }

    def _cookies(self, context: AuthContext) -> CheckCookies:
        codec = context.codec(PURPOSE, max_lifetime=CHECK_MAX_AGE)
        return CheckCookies(codec, context.cookie_names(), secure=context.secure())

    def _callback_url(self, context: AuthContext, cookies: CheckCookies, header: str) -> str | None:
        """Where the user was going, if the cookies still say so (for an error's page)."""
        try:
            return cookies.read(header, self.id, self.checks, now=context.now()).callback_url
        except CheckFailed:
            return None


def bearer(tokens: Mapping[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def account_tokens(tokens: Mapping[str, Any], now: int) -> dict[str, Any]:
    """The token response as Auth.js puts it in the account: ``expires_in`` -> ``expires_at``."""
    kept: dict[str, Any] = {
        key: tokens[key] for key in ACCOUNT_TOKEN_FIELDS if isinstance(tokens.get(key), str)
    }
    expires_in = tokens.get("expires_in")
    if isinstance(expires_in, int) and not isinstance(expires_in, bool):
        kept["expires_at"] = now + expires_in
    return kept


def _printable(value: object) -> str:
    """A provider-sent code for a log line: short, ASCII, no control characters."""
    text = str(value)[:64]
    return "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text)
