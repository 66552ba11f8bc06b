"""The ``/api/auth`` blueprint: one router, one module per action (as Auth.js core has).

Every action accepts every method at the routing level, so an unsupported method gets
Auth.js's plain 400 rather than a 405 from outside the blueprint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..adapters import StoreUnavailable
from ..context import current_auth
from ..errors import (
    BODY_TOO_LARGE,
    CONFIGURATION,
    INVALID_INPUT,
    STORE_RETRY_AFTER,
    STORE_UNAVAILABLE,
    STORE_UNAVAILABLE_MESSAGE,
    InvalidInput,
)
from ..responses import json_response, plain_error
from . import (
    callback,
    client,
    csrf,
    error,
    log,
    providers,
    session,
    signin,
    signout,
    signout_everywhere,
    signup,
)
from .posts import CSRFFailed, csrf_failure


def _template_folder() -> str:
    """Wheels ship the templates inside the package; a checkout keeps them at the top."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "templates"
    return str(inside if inside.is_dir() else package.parent / "templates")


blueprint = Blueprint(
    "authjs",
    __name__,
    template_folder=_template_folder(),
    static_folder=str(Path(__file__).resolve().parent.parent / "static"),
)

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _lazy(module: str, name: str) -> Callable[..., Response]:
    """A view imported on first use: passkeys and 2FA pull in optional packages
    (``webauthn``, ``pyotp``, ``segno``) that an app without them never loads."""

    def view(*args: Any) -> Response:
        function: Callable[..., Response] = getattr(
            importlib.import_module(f"{__name__}.{module}"), name
        )
        return function(*args)

    return view


ROUTES: dict[tuple[str, str], Callable[[], Response]] = {
    ("GET", "csrf"): csrf.get_csrf_token,
    ("GET", "providers"): providers.get_providers,
    ("GET", "session"): session.get_session,
    ("POST", "session"): session.update_session,
    ("GET", "signin"): signin.sign_in_page,
    ("GET", "signout"): signout.sign_out_page,
    ("POST", "signout"): signout.sign_out,
    ("GET", "error"): error.error_page,
    ("POST", "signout-everywhere"): signout_everywhere.sign_out_everywhere,
    ("GET", "signup"): signup.sign_up_page,
    ("POST", "signup"): signup.sign_up,
    ("GET", "client.js"): client.client_script,
    ("POST", "_log"): log.receive_client_log,
    ("GET", "account"): _lazy("account", "account_page"),
    ("GET", "two-factor"): _lazy("two_factor", "two_factor_page"),
    ("POST", "two-factor"): _lazy("two_factor", "submit_code"),
}
PROVIDER_ROUTES: dict[tuple[str, str], Callable[[str], Response]] = {
    ("POST", "signin"): signin.sign_in_with_provider,
    ("GET", "callback"): callback.callback,
    ("POST", "callback"): callback.callback,
    ("GET", "webauthn-options"): _lazy("passkey", "webauthn_options"),
    ("POST", "passkey"): _lazy("passkey", "manage_passkey"),
    ("POST", "two-factor"): _lazy("two_factor", "manage_two_factor"),
}


@blueprint.route("/<action>", methods=ALL_METHODS)
def dispatch(action: str) -> Response:
    view = ROUTES.get((_method(), action))
    return view() if view else _unsupported()


@blueprint.route("/<action>/<provider_id>", methods=ALL_METHODS)
def dispatch_provider(action: str, provider_id: str) -> Response:
    view = PROVIDER_ROUTES.get((_method(), action))
    return view(provider_id) if view else _unsupported()


def _method() -> str:
    return "GET" if request.method == "HEAD" else request.method


def _unsupported() -> Response:
    return plain_error(f"This action with HTTP {request.method} is not supported.", 400)


@blueprint.before_request
def limit_body_size() -> Response | None:
    """Bodies are read only by POSTs; a GET (the hot ``session`` read) skips this."""
    if request.method == "GET":
        return None
    limit = current_auth().settings.max_body_size
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return _too_large(RequestEntityTooLarge())
    return None


def _wants_json() -> bool:
    return (
        request.is_json
        or request.headers.get("X-Auth-Return-Redirect") == "1"
        or request.accept_mimetypes.best == "application/json"
    )


@blueprint.errorhandler(CSRFFailed)
def _csrf_failed(failure: CSRFFailed) -> Response:
    return csrf_failure(current_auth(), failure)


@blueprint.errorhandler(InvalidInput)
def _invalid_input(problem: InvalidInput) -> Response:
    message = f"Invalid request: {problem}"
    if _wants_json():
        return json_response({"error": INVALID_INPUT, "message": message}, 400)
    return plain_error(message, 400)


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_: RequestEntityTooLarge) -> Response:
    limit = current_auth().settings.max_body_size
    message = f"The request body is larger than {limit} bytes."
    if _wants_json():
        return json_response({"error": BODY_TOO_LARGE, "message": message}, 413)
    return plain_error(message, 413)


@blueprint.errorhandler(StoreUnavailable)
def _store_unavailable(problem: StoreUnavailable) -> Response:
    current_app.logger.error("flask-authjs: store unavailable: %s", problem)
    message = STORE_UNAVAILABLE_MESSAGE
    # The form was read before the store was asked, so ``json=true`` is known here.
    if _wants_json() or request.form.get("json") == "true":
        response = json_response({"error": STORE_UNAVAILABLE, "message": message}, 503)
    else:
        response = plain_error(message, 503)
    response.headers["Retry-After"] = STORE_RETRY_AFTER
    return response


@blueprint.errorhandler(Exception)
def _unexpected(problem: Exception) -> Response | HTTPException:
    if isinstance(problem, HTTPException):
        return problem
    current_app.logger.exception("flask-authjs: unexpected error in %r", request.path)
    message = (
        "There is a problem with the server configuration. "
        "Check the server logs for more information."
    )
    if _wants_json():
        return json_response({"error": CONFIGURATION, "message": message}, 500)
    return plain_error(message, 500)
