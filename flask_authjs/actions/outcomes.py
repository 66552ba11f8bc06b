"""How the actions answer what the sign-in pipeline returns or raises, in one place."""

from __future__ import annotations

from ..context import AuthContext
from ..exceptions import SignInError
from ..pipeline import Halted, SignedIn
from ..responses import Result, redirect_result, with_query


def outcome_result(outcome: SignedIn | Halted, *, as_json: bool) -> Result:
    """A finished sign-in: to the callbackUrl with the new session (and, for scripts, the
    session in the JSON body); a halted one: to the gate's page."""
    if isinstance(outcome, Halted):
        result = redirect_result(
            outcome.url, as_json=as_json, status=outcome.status, error=outcome.error
        )
        return result.with_cookies(outcome.cookies)
    result = redirect_result(outcome.callback_url, as_json=as_json, session=outcome.session)
    return result.with_cookies(outcome.cookies)


def sign_in_error_result(
    context: AuthContext, error: SignInError, *, callback_url: str | None, as_json: bool
) -> Result:
    """Back to the sign-in page (or the error page) with ``?error=<code>``; ``Retry-After``
    when the refusal says when to come back."""
    if error.page == "error":
        url = with_query(context.page_url("error", "error"), {"error": error.code})
    else:
        url = context.sign_in_page_url(callback_url=callback_url, error=error.code)
    result = redirect_result(url, as_json=as_json, status=error.status, error=error.code)
    if error.retry_after is not None:
        result.headers.append(("Retry-After", str(error.retry_after)))
    return result
