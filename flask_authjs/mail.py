"""Sending mail: through SMTP as ``AUTHJS_SMTP_URL`` says, an app's own function, or the
development outbox.

``smtp://`` upgrades the connection with STARTTLS and refuses to go on without it (a
server that does not offer it, or a man in the middle stripping the offer, gets no
password and no link); ``smtps://`` is TLS from the first byte. Certificates are checked
against the system's trust store. Plain SMTP (``?tls=off``) is allowed only to a relay
on this machine (loopback), where nothing crosses a network.

``AUTHJS_SMTP_TIMEOUT`` bounds the whole conversation, not each read: a server that
answers one byte a second still ends the request in time, with :class:`EmailSendError`.
Errors name the server and the failure, never the mail: its links carry tokens.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .exceptions import ConfigurationError, EmailSendError, InvalidInput

#: What an app's own ``send`` receives: a complete message, ready for any mail service.
SendFunction = Callable[[EmailMessage], None]

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
OUTBOX_SENDER = "flask-authjs <no-reply@localhost>"


@dataclass(frozen=True)
class SMTPServer:
    host: str
    port: int
    #: ``smtps://``: TLS from the first byte.
    implicit_tls: bool
    #: ``smtp://`` without ``?tls=off``: STARTTLS, required.
    starttls: bool
    username: str | None
    password: str | None = None

    def __repr__(self) -> str:  # never the password, not even in a traceback
        return f"SMTPServer({self.host!r}, {self.port})"


def parse_smtp_url(url: object) -> SMTPServer:
    """``smtp[s]://[user:password@]host[:port][?tls=off]`` -> :class:`SMTPServer`."""
    parts = urlsplit(url) if isinstance(url, str) else None
    shown = "the value" if parts is None else f"{parts.scheme}://{parts.hostname or ''}"
    if parts is None or parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigurationError(
            "AUTHJS_SMTP_URL",
            f"{shown} is not an smtp:// or smtps:// URL.",
            'use "smtp://user:password@smtp.example.com:587" (STARTTLS) or smtps:// (TLS).',
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise ConfigurationError(
            "AUTHJS_SMTP_URL", f"{shown} has a port that is not a number.", "fix the port."
        ) from error
    tls = parse_qs(parts.query).get("tls", ["on"])[-1]
    if tls not in ("on", "off") or (tls == "off" and parts.scheme == "smtps"):
        raise ConfigurationError(
            "AUTHJS_SMTP_URL", f"tls={tls!r} is not allowed.", "leave it out, or use tls=off."
        )
    if tls == "off" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigurationError(
            "AUTHJS_SMTP_URL",
            f"tls=off would send passwords and sign-in links in clear text to {shown}.",
            "use tls=off only for a relay on this machine (localhost).",
        )
    return SMTPServer(
        host=parts.hostname,
        port=port,
        implicit_tls=parts.scheme == "smtps",
        starttls=parts.scheme == "smtp" and tls == "on",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def check_sender(value: object) -> str:
    """``AUTHJS_EMAIL_FROM``: one address, optionally with a display name."""
    if (
        not isinstance(value, str)
        or any(c in value for c in "\r\n")
        or "@" not in parseaddr(value)[1]
    ):
        raise ConfigurationError(
            "AUTHJS_EMAIL_FROM",
            f"{value!r} is not one email address.",
            'use "My Site <no-reply@example.com>".',
        )
    return value


def build_message(*, sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A ``multipart/alternative`` message; a line break in a header is refused, not folded."""
    if any(c in value for value in (to, subject) for c in "\r\n"):
        raise InvalidInput("email", "must not contain line breaks.")
    message = EmailMessage()
    message["From"] = sender
    local, _, domain = to.partition("@")
    message["To"] = Address(addr_spec=to) if local and domain else to
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class _Deadline:
    """One deadline for the whole conversation, whatever the server's pace.

    Before every command and reply the socket gets the time that is left; and a watchdog
    shuts the socket at the deadline, which also ends a reply that arrives a byte at a
    time (each byte in time for a per-read timeout, the whole far too late).
    """

    sock: Any

    def __init__(self, host: str, port: int, *, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        self._watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()
        try:
            super().__init__(host, port, **kwargs)  # type: ignore[call-arg]
        except BaseException:
            self._watchdog.cancel()
            raise

    def _expire(self) -> None:
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # the plain socket's shutdown, even under TLS
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the SMTP timeout passed")
        if self.sock is not None:
            self.sock.settimeout(left)

    def send(self, s: Any) -> None:
        self._arm()
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        self._arm()
        reply: tuple[int, bytes] = super().getreply()  # type: ignore[misc]
        return reply

    def close(self) -> None:
        self._watchdog.cancel()
        super().close()  # type: ignore[misc]


class _SMTP(_Deadline, smtplib.SMTP):
    pass


class _SMTPS(_Deadline, smtplib.SMTP_SSL):
    pass


class SMTPTransport:
    """Hands a message to an SMTP server within ``timeout`` seconds, or raises."""

    def __init__(
        self,
        server: SMTPServer,
        *,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.server = server
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def __call__(self, message: EmailMessage) -> None:
        server = self.server
        deadline = time.monotonic() + self.timeout
        smtp: smtplib.SMTP | None = None
        try:
            if server.implicit_tls:
                smtp = _SMTPS(
                    server.host,
                    server.port,
                    deadline=deadline,
                    timeout=self.timeout,
                    context=self.ssl_context,
                )
            else:
                smtp = _SMTP(server.host, server.port, deadline=deadline, timeout=self.timeout)
            if server.starttls:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise EmailSendError(
                        f"SMTP {server.host}:{server.port} does not offer STARTTLS"
                    )
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if server.username is not None:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException, EmailSendError) as error:
            if smtp is not None:
                smtp.close()
            if isinstance(error, EmailSendError):
                raise
            code = getattr(error, "smtp_code", None)
            reason = type(error).__name__ + (f" {code}" if code else "")
            raise EmailSendError(f"SMTP {server.host}:{server.port}: {reason}") from error
        try:
            smtp.quit()  # the mail is accepted; a slow goodbye does not undo that
        except (OSError, smtplib.SMTPException):
            smtp.close()


class Outbox:
    """Development only: mail kept in memory (newest first) and printed to the console.

    Used in debug or testing when no ``AUTHJS_SMTP_URL`` is set, so every mail flow
    works on a fresh machine; the demo lists it on a page.
    """

    def __init__(self, limit: int = 50) -> None:
        self._messages: deque[EmailMessage] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def __call__(self, message: EmailMessage) -> None:
        with self._lock:
            self._messages.appendleft(message)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        print(
            f"--- flask-authjs development outbox: to {message['To']}: {message['Subject']}\n"
            f"{text}---",
            file=sys.stderr,
        )

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


class Mailer:
    """The app's one way to send mail; every failure becomes :class:`EmailSendError`."""

    def __init__(self, sender: str, transport: SendFunction, outbox: Outbox | None = None) -> None:
        self.sender = sender
        self.transport = transport
        self.outbox = outbox

    def send(self, *, to: str, subject: str, text: str, html: str) -> None:
        message = build_message(sender=self.sender, to=to, subject=subject, text=text, html=html)
        try:
            self.transport(message)
        except EmailSendError:
            raise
        except Exception as error:  # an app's own send(): its failure is a send failure
            raise EmailSendError(f"send() raised {type(error).__name__}") from error


def make_mailer(
    *,
    send: SendFunction | None,
    smtp: SMTPServer | None,
    timeout: float,
    sender: str | None,
    dev_outbox: bool,
) -> Mailer | None:
    """An app's ``send`` beats ``AUTHJS_SMTP_URL``, which beats the development outbox."""
    if send is not None:
        return Mailer(sender or OUTBOX_SENDER, send)
    if smtp is not None:
        assert sender is not None  # the settings require AUTHJS_EMAIL_FROM with SMTP
        return Mailer(sender, SMTPTransport(smtp, timeout=timeout))
    if dev_outbox:
        outbox = Outbox()
        return Mailer(sender or OUTBOX_SENDER, outbox, outbox)
    return None
