"""``sign_in()`` and ``sign_out()`` for Flask views: the response that starts or ends a session.

A view returns one of them instead of building auth URLs by hand::

    @app.get("/login/github")
    def login_with_github():
        return sign_in("github", callback_url="/dashboard")

With no provider, or a credentials provider, ``sign_in`` redirects to the sign-in page
(``pages["sign_in"]`` or ``{base}/signin``), where the form is. An OAuth start is a
CSRF-protected POST to ``{base}/signin/<id>``, which no redirect can make, so for such a
provider ``sign_in`` answers with a small page holding that form; it submits itself at
once, and its button does the same where scripts are blocked. ``sign_out`` redirects to the
sign-out confirmation page, whose form makes the POST that ends the session.

``sign_in("github", link=True)`` from a signed-in user's page starts an explicit "link
account" flow: the GitHub account comes back linked to that user. A plain ``sign_in``
never links: it replaces whatever session the browser has.
"""

from __future__ import annotations

from flask import Response, render_template, request

from .context import current_auth
from .csrf import csrf_token
from .decorators import requested_path
from .responses import page_result, redirect_result, to_response, with_query

#: Provider types whose sign-in starts with a form on the sign-in page.
FORM_TYPES = ("credentials", "email")


def sign_in(
    provider: str | None = None, callback_url: str | None = None, *, link: bool = False
) -> Response:
    """Start a sign-in; afterwards the user lands on ``callback_url`` (default: this page).

    ``callback_url`` follows the same-origin rule (and your ``redirect`` callback). An
    unknown ``provider`` id is a programming error and raises :class:`ValueError`.
    """
    context = current_auth()
    target = context.resolve_callback_url(
        requested_path(request) if callback_url is None else callback_url
    )
    chosen = None if provider is None else context.providers.get(provider)
    if provider is not None and chosen is None:
        known = ", ".join(sorted(context.providers)) or "none"
        raise ValueError(f"sign_in(): no provider {provider!r} (configured: {known})")
    if chosen is None or chosen.type in FORM_TYPES:
        url = context.sign_in_page_url(callback_url=target)
        return to_response(redirect_result(url, as_json=False))
    html = render_template(
        "authjs/start.html",
        provider=chosen,
        action=context.action_url(f"signin/{chosen.id}"),
        csrf_token=csrf_token(),
        callback_url=target,
        link=link,
    )
    return to_response(page_result(html))


def sign_out(callback_url: str | None = None) -> Response:
    """Send the user to the sign-out confirmation; afterwards to ``callback_url`` (or ``/``)."""
    context = current_auth()
    target = None if callback_url is None else context.resolve_callback_url(callback_url)
    url = with_query(context.page_url("sign_out", "signout"), {"callbackUrl": target})
    return to_response(redirect_result(url, as_json=False))
