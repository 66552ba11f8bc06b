"""The ``/api/auth`` blueprint: one router, one module per action (as Auth.js core has).

Every action returns a :class:`~flask_authjs.responses.Result`; the router turns it into
the response, and so do the error handlers below, so every answer is shaped in one place.
Every action accepts every method at the routing level, so an unsupported method gets
Auth.js's plain 400 rather than a 405 from outside the blueprint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..body import limit_body
from ..context import current_auth
from ..errors import (
    BODY_TOO_LARGE,
    CONFIGURATION,
    INVALID_INPUT,
    STORE_RETRY_AFTER,
    STORE_UNAVAILABLE,
)
from ..exceptions import CSRFFailed, InvalidInput, SignInError, StoreUnavailable
from ..redirects import same_origin_url
from ..responses import (
    STORE_UNAVAILABLE_MESSAGE,
    Result,
    json_result,
    page_result,
    text_result,
    to_response,
    wants_json,
)
from . import (
    callback,
    change_password,
    client,
    csrf,
    error,
    log,
    password_reset,
    providers,
    session,
    signin,
    signout,
    signout_everywhere,
    signup,
    verify_email,
    verify_request,
)
from .outcomes import sign_in_error_result
from .posts import csrf_failure


def _template_folder() -> str:
    """Wheels ship the templates inside the package; a checkout keeps them at the top."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "templates"
    return str(inside if inside.is_dir() else package.parent / "templates")


STATIC_FOLDER = str(Path(__file__).resolve().parent.parent / "static")


class _AuthBlueprint(Blueprint):
    """Our static files (the stylesheet, the page scripts) are ``nosniff`` like every other
    answer of ours; set where they are served, not in an ``after_request`` hook."""

    def send_static_file(self, filename: str) -> Response:
        response = super().send_static_file(filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


blueprint = _AuthBlueprint(
    "authjs",
    __name__,
    template_folder=_template_folder(),
    static_folder=STATIC_FOLDER,
)

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _lazy(module: str, name: str) -> Callable[..., Result]:
    """A view imported on first use: passkeys and 2FA pull in optional packages
    (``webauthn``, ``pyotp``, ``segno``) that an app without them never loads."""

    def view(*args: Any) -> Result:
        function: Callable[..., Result] = getattr(
            importlib.import_module(f"{__name__}.{module}"), name
        )
        return function(*args)

    return view


ROUTES: dict[tuple[str, str], Callable[[], Result]] = {
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
    ("GET", "verify-request"): verify_request.verify_request_page,
    ("GET", "forgot-password"): password_reset.forgot_password_page,
    ("POST", "forgot-password"): password_reset.forgot_password,
    ("GET", "reset-password"): password_reset.reset_password_page,
    ("POST", "reset-password"): password_reset.reset_password,
    ("GET", "change-password"): change_password.change_password_page,
    ("POST", "change-password"): change_password.change_password,
    ("GET", "verify-email"): verify_email.verify_email_page,
    ("POST", "verify-email"): verify_email.verify_email,
    ("POST", "resend-verification"): verify_email.resend_verification,
    ("GET", "account"): _lazy("account", "account_page"),
    ("GET", "two-factor"): _lazy("two_factor", "two_factor_page"),
    ("POST", "two-factor"): _lazy("two_factor", "submit_code"),
}
PROVIDER_ROUTES: dict[tuple[str, str], Callable[[str], Result]] = {
    # A link to signin/<id> shows the sign-in page, as Auth.js does (a GET starts nothing).
    ("GET", "signin"): lambda _provider_id: signin.sign_in_page(),
    ("POST", "signin"): signin.sign_in_with_provider,
    ("GET", "callback"): callback.callback,
    ("POST", "callback"): callback.callback,
    ("GET", "webauthn-options"): _lazy("passkey", "webauthn_options"),
    ("POST", "passkey"): _lazy("passkey", "manage_passkey"),
    ("POST", "two-factor"): _lazy("two_factor", "manage_two_factor"),
}


@blueprint.route("/<action>", methods=ALL_METHODS)
def dispatch(action: str) -> Response:
    return _route(ROUTES, action)


@blueprint.route("/<action>/<provider_id>", methods=ALL_METHODS)
def dispatch_provider(action: str, provider_id: str) -> Response:
    return _route(PROVIDER_ROUTES, action, provider_id)


def _route(
    routes: Mapping[tuple[str, str], Callable[..., Result]], action: str, *args: str
) -> Response:
    method = request.method
    if method != "GET":
        # Bodies are read only by POSTs: the limit is set before any action reads one.
        # (Here rather than in a ``before_request`` hook, which Flask would run, and check
        # for a coroutine, on every auth request, the hot ``GET session`` among them.)
        limit_body(request, current_auth().settings.max_body_size)
    # ``HEAD`` answers as ``GET`` without a body (HTTP's rule; Auth.js answers 400): a link
    # checker or uptime probe sees what a browser would.
    view = routes.get(("GET" if method == "HEAD" else method, action))
    return respond(view(*args) if view else _unsupported())


def respond(result: Result) -> Response:
    return to_response(result, STATIC_FOLDER)


def _unsupported() -> Result:
    return text_result(f"This action with HTTP {request.method} is not supported.", 400)


def _error(code: str, message: str, status: int, *, as_json: bool | None = None) -> Result:
    if as_json is None:
        as_json = wants_json(request.environ)
    if as_json:
        return json_result({"error": code, "message": message}, status)
    return text_result(message, status)


@blueprint.errorhandler(CSRFFailed)
def _csrf_failed(failure: CSRFFailed) -> Response:
    return respond(csrf_failure(current_auth(), failure))


@blueprint.errorhandler(SignInError)
def _sign_in_failed(failure: SignInError) -> Response:
    """A refusal no action caught (e.g. a ``jwt`` callback that broke a session update)."""
    current_app.logger.error("flask-authjs: %s", failure)
    context = current_auth()
    result = sign_in_error_result(
        context, failure, callback_url=None, as_json=wants_json(request.environ)
    )
    return respond(result)


@blueprint.errorhandler(InvalidInput)
def _invalid_input(problem: InvalidInput) -> Response:
    return respond(_error(INVALID_INPUT, f"Invalid request: {problem}", 400))


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_: RequestEntityTooLarge) -> Response:
    limit = current_auth().settings.max_body_size
    message = f"The request body is larger than {limit} bytes."
    return respond(_error(BODY_TOO_LARGE, message, 413))


@blueprint.errorhandler(StoreUnavailable)
def _store_unavailable(problem: StoreUnavailable) -> Response:
    current_app.logger.error("flask-authjs: store unavailable: %s", problem)
    # The form was read before the store was asked, so ``json=true`` is known here.
    as_json = wants_json(request.environ, request.form)
    if as_json:
        result = _error(STORE_UNAVAILABLE, STORE_UNAVAILABLE_MESSAGE, 503, as_json=True)
    else:
        result = _unavailable_page(STORE_UNAVAILABLE_MESSAGE)
    result.headers.append(("Retry-After", STORE_RETRY_AFTER))
    return respond(result)


def _unavailable_page(message: str) -> Result:
    """A person gets a page with a way to retry: back to the page the form was on."""
    context = current_auth()
    retry_url = same_origin_url(request.referrer, context.origin()) or context.action_url("signin")
    html = render_template("authjs/unavailable.html", message=message, retry_url=retry_url)
    return page_result(html, 503)


@blueprint.errorhandler(Exception)
def _unexpected(problem: Exception) -> Response:
    if isinstance(problem, HTTPException):  # a 404 for a static file, a 405, ...
        response = current_app.make_response(problem)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    current_app.logger.exception("flask-authjs: unexpected error in %r", request.path)
    message = (
        "There is a problem with the server configuration. "
        "Check the server logs for more information."
    )
    return respond(_error(CONFIGURATION, message, 500))
