"""``{base}/callback/<id>``: where every sign-in ends, one path for every provider.

The provider authenticates (credentials posted here from our form, CSRF-checked; an
OAuth provider's redirect back, checked by state and PKCE instead) and returns an
identity; the sign-in pipeline does the rest. The answer carries the session in its
JSON body, so a ``fetch`` client has the user id at once.
"""

from __future__ import annotations

from typing import Any

from flask import request

from ..context import current_auth
from ..cookies import read_chunked
from ..emails import MAX_EMAIL_LENGTH
from ..errors import CREDENTIALS_SIGNIN
from ..exceptions import SignInError
from ..pipeline import current_pipeline
from ..providers import EmailProvider, Provider, SignInRequest
from ..responses import Result, text_result, wants_json, with_query
from .email_signin import confirmation_page
from .outcomes import outcome_result, sign_in_error_result
from .posts import checked_post


def callback(provider_id: str) -> Result:
    context = current_auth()
    provider = context.providers.get(provider_id)
    if not isinstance(provider, Provider):
        return text_result(f"Unknown provider {provider_id!r}.", 400)
    params: dict[str, Any]
    if provider.form_callback:
        if request.method != "POST":
            if isinstance(provider, EmailProvider):  # a link opened: one button, nothing spent
                return confirmation_page(context, provider)
            return text_result("Credentials are accepted by POST only.", 400)
        params, as_json = checked_post(context, failure_page="signin")
        if provider.type == "webauthn" and params.get("action") == "register":
            from .passkey import register_passkey  # imports webauthn: only when used

            return register_passkey(context, provider, params, as_json=as_json)
        cookie_callback = read_chunked(
            request.headers.get("Cookie", ""), context.cookie_names().callback_url
        ).value
        fallback = context.resolve_callback_url(params.get("callbackUrl") or cookie_callback)
    else:
        params = (request.form if request.method == "POST" else request.args).to_dict()
        as_json = wants_json(request.environ)
        fallback = None
    sign_in = SignInRequest(
        params,
        cookies=request.headers.get("Cookie", ""),
        remote_addr=request.remote_addr,
        request=request,
    )
    spent = provider.cleanup_cookies(context)
    callback_url = fallback
    try:
        identity = provider.authenticate(context, sign_in)
        if identity.callback_url is not None:
            callback_url = context.resolve_callback_url(identity.callback_url)
        outcome = current_pipeline().sign_in(
            identity, callback_url=callback_url or context.resolve_callback_url(None)
        )
    except SignInError as error:
        if callback_url is None and error.callback_url is not None:
            callback_url = context.resolve_callback_url(error.callback_url)
        result = sign_in_error_result(context, error, callback_url=callback_url, as_json=as_json)
        email = params.get("email")
        if (
            error.code == CREDENTIALS_SIGNIN
            and result.redirect is not None
            and not as_json
            and isinstance(email, str)
            and len(email) <= MAX_EMAIL_LENGTH
        ):
            # The form comes back with the email filled in (Auth.js's ``email`` parameter).
            result.redirect = with_query(result.redirect, {"email": email})
        return result.with_cookies(spent)
    return outcome_result(outcome, as_json=as_json).with_cookies(spent)
