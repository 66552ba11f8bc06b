"""A small OAuth 2 identity provider for development and tests, served under ``{base}/stub/``.

Enabled by ``AUTHJS_STUB_OAUTH = True`` (refused outside debug and testing: it signs
anyone in as anyone). To :class:`~flask_authjs.providers.stub.StubOAuthProvider` it is a
real OAuth 2 server reached over HTTP: an authorize page where the person picks or types
an identity, one-time codes bound to the client, the ``redirect_uri`` and the PKCE
challenge, a token endpoint that checks the client secret and the ``code_verifier``, and a
userinfo endpoint.

Codes and access tokens are signed JWTs (purposes ``stub-code`` and ``stub-access``), so
any process of the app can redeem them; that a code is used only once is kept in the store
(as a verification token), so it holds across processes and app servers too.
The app must serve requests concurrently (Flask's development server does), since the
callback request waits for the token request to the same app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, current_app, render_template, request

from .adapters import StoreUnavailable
from .body import limit_body, read_body
from .context import AuthContext
from .csrf import csrf_token, csrf_valid
from .emails import normalize_email
from .exceptions import ConfigurationError, InvalidInput
from .providers.checks import pkce_challenge
from .providers.stub import STUB_PATH, StubOAuthProvider
from .responses import auth_redirect, html_response, json_response, plain_error, with_query
from .tokens import TokenCodec

CODE_MAX_AGE = 60
ACCESS_TOKEN_MAX_AGE = 3600
MAX_BODY_SIZE = 16 * 1024
#: Identities offered with one click on the authorize page.
PRESETS = (("Alice Stub", "alice@example.com"), ("Bob Stub", "bob@example.com"))
#: The authorization request parameters the authorize page carries through its forms.
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)

stub_blueprint = Blueprint("authjs_stub", __name__)


#: The store's verification-token identifier for codes not yet redeemed.
CODE_IDENTIFIER = "authjs-stub-code"


class StubServer:
    """The stub's keys."""

    def __init__(self, context: AuthContext) -> None:
        secrets = context.settings.secrets
        self.context = context
        self.codes = TokenCodec(secrets, "stub-code", max_lifetime=CODE_MAX_AGE)
        self.access_tokens = TokenCodec(secrets, "stub-access", max_lifetime=ACCESS_TOKEN_MAX_AGE)

    def client(self, client_id: object) -> StubOAuthProvider | None:
        for provider in self.context.providers.values():
            if isinstance(provider, StubOAuthProvider) and provider.client_id == client_id:
                return provider
        return None


def install_stub(app: Flask, context: AuthContext) -> None:
    """Serve the stub if enabled; refuse a ``StubOAuthProvider`` that would have no server."""
    has_stub_provider = any(isinstance(p, StubOAuthProvider) for p in context.providers.values())
    if not context.settings.stub_oauth:
        if has_stub_provider:
            raise ConfigurationError(
                "AUTHJS_STUB_OAUTH",
                "a StubOAuthProvider is configured, but the stub identity provider is off.",
                "set AUTHJS_STUB_OAUTH = True (debug and testing only), or remove the provider.",
            )
        return
    app.extensions["authjs_stub"] = StubServer(context)
    app.register_blueprint(stub_blueprint, url_prefix=context.settings.base_path + STUB_PATH)


def _server() -> StubServer:
    server: StubServer = current_app.extensions["authjs_stub"]
    return server


@stub_blueprint.before_request
def _limit_body_size() -> None:
    if request.method != "GET":
        limit_body(request, MAX_BODY_SIZE)


@stub_blueprint.errorhandler(InvalidInput)
def _invalid_input(problem: InvalidInput) -> Response:
    return plain_error(f"Stub identity provider: invalid request: {problem}", 400)


# The authorize page: GET shows it, POST issues a code (or the refusal).


@stub_blueprint.get("/authorize")
def authorize_page() -> Response:
    server = _server()
    params = {name: request.args.get(name, "") for name in AUTHORIZE_PARAMS}
    problem = _authorize_problem(server, params)
    if problem:
        return plain_error(f"Stub identity provider: {problem}", 400)
    return _render(server, params)


@stub_blueprint.post("/authorize")
def authorize() -> Response:
    server = _server()
    context = server.context
    body = read_body(request)
    params = {name: body.get(name, "") for name in AUTHORIZE_PARAMS}
    problem = _authorize_problem(server, params)
    if problem:
        return plain_error(f"Stub identity provider: {problem}", 400)
    if not csrf_valid(request, body, context.origin()):
        return _render(server, params, error="The form expired. Please try again.", status=403)
    redirect_uri, state = params["redirect_uri"], params["state"] or None
    if body.get("decision") == "deny":
        return auth_redirect(
            with_query(redirect_uri, {"error": "access_denied", "state": state}), as_json=False
        )
    try:
        email = normalize_email(body.get("email", ""))
    except InvalidInput:
        return _render(server, params, error="Type a single email address.", status=400)
    name = (body.get("name") or "").strip()[:100] or None
    now = server.context.now()
    code = server.codes.encode(
        {
            "sub": "stub-" + hashlib.sha256(email.encode()).hexdigest()[:20],
            "name": name,
            "email": email,
            **{key: params[key] for key in ("client_id", "redirect_uri", "scope", "nonce")},
            "code_challenge": params["code_challenge"],
        },
        now=now,
        max_age=CODE_MAX_AGE,
    )
    issued = server.codes.decode(code, now=now)
    assert issued is not None
    server.context.adapter.create_verification_token(
        CODE_IDENTIFIER, issued["jti"], now + CODE_MAX_AGE
    )
    return auth_redirect(with_query(redirect_uri, {"code": code, "state": state}), as_json=False)


def _authorize_problem(server: StubServer, params: dict[str, str]) -> str | None:
    """Why this authorization request is refused; the redirect_uri is never trusted blindly."""
    client = server.client(params["client_id"])
    if client is None:
        return "unknown client_id."
    if params["redirect_uri"] != client.redirect_uri(server.context):
        return "redirect_uri is not the one registered for this client."
    if params["response_type"] != "code":
        return "only response_type=code is supported."
    if params["code_challenge"] and params["code_challenge_method"] != "S256":
        return "only code_challenge_method=S256 is supported."
    return None


def _render(
    server: StubServer, params: dict[str, str], *, error: str | None = None, status: int = 200
) -> Response:
    client = server.client(params["client_id"])
    html = render_template(
        "authjs/stub_authorize.html",
        params=params,
        client_name=client.name if client else "",
        presets=PRESETS,
        csrf_token=csrf_token(),
        error=error,
        action=server.context.base_url() + STUB_PATH + "/authorize",
    )
    return html_response(html, status)


# The back channel: token and userinfo, as a provider class calls them.


def _pkce_holds(challenge: object, verifier: str | None) -> bool:
    """A verifier only for a code issued with a challenge, and then the matching one.

    A verifier for a code issued *without* a challenge is refused too (RFC 9700 section
    4.8.2): accepting it would let an attacker who strips the challenge from the
    authorization request pass a downgraded flow off as a PKCE one.
    """
    if not challenge:
        return verifier is None
    return bool(verifier) and hmac.compare_digest(
        pkce_challenge(str(verifier)).encode(), str(challenge).encode()
    )


@stub_blueprint.post("/token")
def token() -> Response:
    server = _server()
    fields = request.form
    client_id, client_secret = _client_credentials(fields)
    client = server.client(client_id)
    if client is None or not hmac.compare_digest(
        client_secret.encode(), client.client_secret.encode()
    ):
        return _oauth_error("invalid_client", 401)
    if fields.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", 400)
    now = server.context.now()
    claims = server.codes.decode(fields.get("code", ""), now=now)
    if claims is None or claims.get("client_id") != client_id:
        return _oauth_error("invalid_grant", 400)
    if server.context.adapter.use_verification_token(CODE_IDENTIFIER, claims["jti"]) is None:
        return _oauth_error("invalid_grant", 400)  # redeemed before: one use only
    if fields.get("redirect_uri") != claims.get("redirect_uri"):
        return _oauth_error("invalid_grant", 400)
    if not _pkce_holds(claims.get("code_challenge"), fields.get("code_verifier")):
        return _oauth_error("invalid_grant", 400)
    identity = {key: claims.get(key) for key in ("sub", "name", "email", "scope")}
    access_token = server.access_tokens.encode(identity, now=now, max_age=ACCESS_TOKEN_MAX_AGE)
    return json_response(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_MAX_AGE,
            "scope": claims.get("scope") or "",
        }
    )


@stub_blueprint.get("/userinfo")
def userinfo() -> Response:
    server = _server()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    claims = (
        server.access_tokens.decode(value, now=server.context.now())
        if scheme.lower() == "bearer"
        else None
    )
    if claims is None:
        return _oauth_error("invalid_token", 401)
    return json_response(
        {
            "sub": claims["sub"],
            "name": claims.get("name"),
            "email": claims.get("email"),
            "email_verified": True,
            "picture": None,
        }
    )


def _client_credentials(fields: Any) -> tuple[str, str]:
    """``client_secret_basic`` (RFC 6749 section 2.3.1) or ``client_secret_post``."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(encoded, validate=True).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = pair.partition(":")
        return unquote(client_id), unquote(secret)
    return fields.get("client_id", ""), fields.get("client_secret", "")


@stub_blueprint.errorhandler(StoreUnavailable)
def _store_unavailable(_: StoreUnavailable) -> Response:
    return _oauth_error("temporarily_unavailable", 503)


def _oauth_error(error: str, status: int) -> Response:
    return json_response({"error": error}, status)
