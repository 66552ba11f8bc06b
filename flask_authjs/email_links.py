"""The mails of the account lifecycle: links built from ``AUTHJS_URL``, rendered from
templates, sent within the send limits, and never left usable when sending fails.

Links are built from ``AUTHJS_URL`` only, never from the request's ``Host`` header: a
forged ``Host`` would otherwise put an attacker's domain in a genuine mail and collect
the token when the user clicks.

Every mail is two templates under ``authjs/email/``: ``<name>.txt`` (whose first line is
``Subject: ...``, then a blank line, then the text) and ``<name>.html``. An app overrides
them like the pages, by putting files of the same name in its own templates folder.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import current_app, render_template

from .context import AuthContext
from .exceptions import EmailSendError
from .ratelimit import limit_key


def link(context: AuthContext, action: str, params: dict[str, str]) -> str:
    """``{AUTHJS_URL}{base}/{action}[?...]``; mail is configured only with ``AUTHJS_URL`` set."""
    origin = context.settings.origin
    if origin is None:  # refused at init_app; a guard, not a fallback to the Host header
        raise RuntimeError("email links need AUTHJS_URL")
    query = f"?{urlencode(params)}" if params else ""
    return f"{origin}{context.settings.base_path}/{action}{query}"


def send_mail(context: AuthContext, to: str, template: str, **values: Any) -> None:
    """Render ``authjs/email/<template>.txt|html`` and send it; :class:`EmailSendError` on
    failure (logged with the reason, never with the mail)."""
    mailer = context.mailer
    if mailer is None:
        raise EmailSendError("no mail transport is configured")
    origin = context.settings.origin or ""
    values = {"site": urlsplit(origin).netloc, "origin": origin, "email": to, **values}
    subject_line, _, text = render_template(f"authjs/email/{template}.txt", **values).partition(
        "\n"
    )
    subject = subject_line.removeprefix("Subject:").strip()
    html = render_template(f"authjs/email/{template}.html", subject=subject, **values)
    try:
        mailer.send(to=to, subject=subject, text=text.lstrip("\n"), html=html)
    except EmailSendError as error:
        current_app.logger.error("flask-authjs: the %s mail was not sent: %s", template, error)
        raise


def send_link(
    context: AuthContext,
    *,
    purpose: str,
    email: str,
    action: str,
    template: str,
    max_age: int,
    params: dict[str, str] | None = None,
    replace: bool = False,
) -> None:
    """Issue a token for ``purpose`` and mail its link; if the mail fails, the token dies."""
    tokens = context.email_tokens
    token = tokens.issue(purpose, email, max_age, replace=replace)
    url = link(context, action, {**(params or {}), "token": token, "email": email})
    try:
        send_mail(context, email, template, url=url, minutes=max(1, max_age // 60))
    except EmailSendError:
        tokens.discard(purpose, email, token)
        raise


def send_notice(
    context: AuthContext, *, purpose: str, email: str, template: str, **values: Any
) -> None:
    """A mail without a link, sent where a link would go to an account ("no account
    here", "you have one already"), after the store work of a link (a token issued and
    voided at once), so the time of the answer does not tell one from the other."""
    tokens = context.email_tokens
    tokens.discard(purpose, email, tokens.issue(purpose, email, 60))
    send_mail(context, email, template, **values)


def notify(context: AuthContext, email: str, template: str, **values: Any) -> None:
    """A mail about something already done (a password changed): sent if it can be; a
    failure is logged by :func:`send_mail` and undoes nothing. Without mail, nothing."""
    if context.mailer is None or context.settings.origin is None:
        return
    with contextlib.suppress(EmailSendError):
        send_mail(context, email, template, **values)


def notify_security_change(context: AuthContext, email: str, template: str, **values: Any) -> None:
    """:func:`notify` about a change to how the account is protected (a passkey added,
    two-factor sign-in turned off), with ``account_url``: whoever holds a session can make
    such a change, so the mailbox hears of it and a takeover does not go unnoticed."""
    if context.settings.origin is None:
        return
    notify(context, email, template, account_url=link(context, "account", {}), **values)


def reserve_send(context: AuthContext, email: str, address: str | None) -> int | None:
    """Count one mail against the send limits; the seconds to wait if over one (then
    nothing is counted and nothing may be sent).

    Limits per ``AUTHJS_RATE_LIMIT_WINDOW``: per recipient and per client address. Every
    request that would send counts, whether or not an account exists, so the limits say
    nothing about accounts, and a flood cannot make the app send unbounded mail.
    """
    settings = context.settings
    limits = {
        limit_key("mail-recipient", email): settings.email_limit_per_email,
        limit_key("mail-address", address or "-"): settings.email_limit_per_address,
    }
    # One atomic reservation: racing requests cannot send past the limit either.
    return context.rate_limiter.reserve(limits).retry_after
