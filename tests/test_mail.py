"""Mail transport: SMTP URLs, STARTTLS and TLS against a real aiosmtpd server, the
whole-conversation timeout, header injection, the development outbox."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_authjs import AuthJS, ConfigurationError, EmailProvider, EmailSendError
from flask_authjs.exceptions import InvalidInput
from flask_authjs.mail import Mailer, Outbox, SMTPTransport, build_message, parse_smtp_url

from .conftest import MailCapture, free_port


def message(to: str = "ada@example.com", subject: str = "Hello") -> Any:
    return build_message(
        sender="Site <no-reply@example.com>", to=to, subject=subject, text="hi\n", html="<p>hi</p>"
    )


@pytest.mark.parametrize(
    ("url", "host", "port", "implicit_tls", "starttls", "username", "password"),
    [
        ("smtp://smtp.example.com", "smtp.example.com", 587, False, True, None, None),
        ("smtps://smtp.example.com", "smtp.example.com", 465, True, False, None, None),
        (
            "smtp://u%40x:p%3Aw@mail.example.com:2525",
            "mail.example.com",
            2525,
            False,
            True,
            "u@x",
            "p:w",
        ),
        ("smtp://localhost:1025?tls=off", "localhost", 1025, False, False, None, None),
    ],
)
def test_smtp_urls(
    url: str,
    host: str,
    port: int,
    implicit_tls: bool,
    starttls: bool,
    username: str | None,
    password: str | None,
) -> None:
    server = parse_smtp_url(url)
    assert (server.host, server.port, server.implicit_tls, server.starttls) == (
        host,
        port,
        implicit_tls,
        starttls,
    )
    assert (server.username, server.password) == (username, password)
    assert "p:w" not in repr(server)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://smtp.example.com", "not an smtp:// or smtps:// URL"),
        ("smtp://", "not an smtp:// or smtps:// URL"),
        ("smtp://user:hunter2@smtp.example.com?tls=off", "clear text"),
        ("smtps://localhost?tls=off", "not allowed"),
        ("smtp://user:hunter2@smtp.example.com:port", "port"),
        (42, "not an smtp"),
    ],
)
def test_bad_smtp_urls_fail_at_start_up_without_the_password(url: Any, problem: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_smtp_url(url)
    assert problem in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_smtp_needs_a_sender(tmp_path: Path) -> None:
    app = Flask("mailapp", instance_path=str(tmp_path))
    app.config.update(
        TESTING=True, AUTHJS_URL="http://localhost", AUTHJS_SMTP_URL="smtp://localhost:25?tls=off"
    )
    with pytest.raises(ConfigurationError, match="AUTHJS_EMAIL_FROM"):
        AuthJS(app, providers=[EmailProvider()])


@pytest.mark.parametrize("sender", ["no at sign", "a@example.com\r\nBcc: x@example.org", 7])
def test_a_bad_sender_fails_at_start_up(tmp_path: Path, sender: Any) -> None:
    app = Flask("mailapp", instance_path=str(tmp_path))
    app.config.update(TESTING=True, AUTHJS_EMAIL_FROM=sender)
    with pytest.raises(ConfigurationError, match="AUTHJS_EMAIL_FROM"):
        AuthJS(app)


def test_an_email_provider_without_a_way_to_send_fails_at_start_up(tmp_path: Path) -> None:
    app = Flask("mailapp", instance_path=str(tmp_path))
    app.config.update(AUTHJS_SECRET="s" * 40, AUTHJS_URL="https://example.com")
    with pytest.raises(ConfigurationError, match="AUTHJS_SMTP_URL"):
        AuthJS(app, providers=[EmailProvider()])


def test_email_links_need_authjs_url(tmp_path: Path) -> None:
    app = Flask("mailapp", instance_path=str(tmp_path))
    app.config.update(TESTING=True)
    with pytest.raises(ConfigurationError, match="AUTHJS_URL"):
        AuthJS(app, providers=[EmailProvider()])


@pytest.mark.parametrize(
    ("to", "subject"),
    [("ada@example.com\r\nBcc: eve@example.org", "Hi"), ("ada@example.com", "Hi\nBcc: eve@x.org")],
)
def test_line_breaks_in_headers_are_refused(to: str, subject: str) -> None:
    with pytest.raises(InvalidInput):
        message(to, subject)


def test_plain_smtp_to_a_local_relay(smtp_server: MailCapture) -> None:
    transport = SMTPTransport(parse_smtp_url(smtp_server.url), timeout=5)
    transport(message())
    [received] = smtp_server.messages
    assert received["To"] == "ada@example.com"
    assert received["Subject"] == "Hello"
    assert received.get_body(preferencelist=("html",)).get_content().strip() == "<p>hi</p>"


def test_starttls_is_required_when_the_url_says_smtp(smtp_server: MailCapture) -> None:
    """A server (or a man in the middle) that offers no STARTTLS gets nothing."""
    port = smtp_server.url.split(":")[2].split("?")[0]
    transport = SMTPTransport(parse_smtp_url(f"smtp://localhost:{port}"), timeout=5)
    with pytest.raises(EmailSendError, match="STARTTLS"):
        transport(message())
    assert smtp_server.messages == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Authenticator:
    def __init__(self) -> None:
        self.logins: list[tuple[bytes, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth.login, auth.password))
        return AuthResult(success=auth.password == b"s3cret")


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[MailCapture, int, Authenticator]]:
    """aiosmtpd requiring STARTTLS (and TLS before AUTH), with a password."""
    from aiosmtpd.controller import Controller

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    capture, authenticator, port = MailCapture(), Authenticator(), free_port()
    controller = Controller(
        capture,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    yield capture, port, authenticator
    controller.stop()


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_starttls_then_login_then_send(
    tls_server: tuple[MailCapture, int, Authenticator], certificate: tuple[Path, Path]
) -> None:
    capture, port, authenticator = tls_server
    server = parse_smtp_url(f"smtp://ada:s3cret@localhost:{port}")
    SMTPTransport(server, timeout=5, ssl_context=trusting(certificate))(message())
    assert authenticator.logins == [(b"ada", b"s3cret")]
    assert capture.messages[0]["Subject"] == "Hello"


def test_an_untrusted_certificate_is_refused(
    tls_server: tuple[MailCapture, int, Authenticator],
) -> None:
    capture, port, authenticator = tls_server
    server = parse_smtp_url(f"smtp://ada:s3cret@localhost:{port}")
    with pytest.raises(EmailSendError, match="SSLCertVerificationError"):
        SMTPTransport(server, timeout=5)(message())
    assert authenticator.logins == [] and capture.messages == []


def test_a_refused_password_is_a_send_error(
    tls_server: tuple[MailCapture, int, Authenticator], certificate: tuple[Path, Path]
) -> None:
    capture, port, _ = tls_server
    server = parse_smtp_url(f"smtp://ada:wrong@localhost:{port}")
    with pytest.raises(EmailSendError, match=f"SMTP localhost:{port}: ") as raised:
        SMTPTransport(server, timeout=5, ssl_context=trusting(certificate))(message())
    assert "wrong" not in str(raised.value)
    assert capture.messages == []


def test_implicit_tls(certificate: tuple[Path, Path]) -> None:
    from aiosmtpd.controller import Controller

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    capture, port = MailCapture(), free_port()
    controller = Controller(
        capture,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        ssl_context=context,
    )
    controller.start()
    try:
        server = parse_smtp_url(f"smtps://localhost:{port}")
        SMTPTransport(server, timeout=5, ssl_context=trusting(certificate))(message())
    finally:
        controller.stop()
    assert capture.messages[0]["To"] == "ada@example.com"


def test_the_timeout_bounds_the_whole_conversation() -> None:
    """A server that answers a byte at a time never trips a per-read timeout; the
    deadline over the whole conversation still ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        connection, _ = listener.accept()
        with connection:
            for byte in b"220 slow.example ESMTP but very slow\r\n" * 10:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    server = parse_smtp_url(f"smtp://127.0.0.1:{listener.getsockname()[1]}?tls=off")
    started = time.monotonic()
    try:
        with pytest.raises(EmailSendError):
            SMTPTransport(server, timeout=0.6)(message())
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 1.2


def test_the_outbox_keeps_the_newest_first_and_prints(capsys: pytest.CaptureFixture[str]) -> None:
    outbox = Outbox(limit=2)
    for subject in ("one", "two", "three"):
        outbox(message(subject=subject))
    assert [m["Subject"] for m in outbox.messages] == ["three", "two"]
    assert "development outbox: to ada@example.com: three" in capsys.readouterr().err


def test_an_app_send_function_failing_is_a_send_error() -> None:
    def broken(_: Any) -> None:
        raise RuntimeError("the mail API is down")

    with pytest.raises(EmailSendError, match="send\\(\\) raised RuntimeError"):
        Mailer("no-reply@example.com", broken).send(
            to="ada@example.com", subject="Hi", text="hi", html="<p>hi</p>"
        )


def test_debug_without_smtp_uses_the_outbox(app_factory: Any) -> None:
    app = app_factory(providers=[EmailProvider()])
    mailer = app.extensions["authjs"].mailer
    assert mailer.outbox is not None and mailer.transport is mailer.outbox
