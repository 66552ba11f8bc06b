"""Settings: one defaults table, read once at ``init_app`` and validated there.

An explicit keyword argument to ``AuthJS(...)`` beats ``app.config["AUTHJS_*"]``, which
beats the default. Every problem becomes a :class:`ConfigurationError` naming the setting
and the fix, so a misconfigured app fails at start-up rather than on a user's request.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from .exceptions import ConfigurationError
from .mail import SMTPServer, check_sender, parse_smtp_url
from .redirects import normalized_origin

DAY = 24 * 60 * 60

DEFAULTS: dict[str, Any] = {
    "SECRET": None,
    "URL": None,
    "BASE_PATH": "/api/auth",
    "TRUST_HOST": False,
    "DATABASE_URL": None,
    "DATABASE_SCHEMA": "flask-authjs",
    "DATABASE_SESSION_TOKENS": "hash",
    "SESSION_STRATEGY": "jwt",
    "SESSION_FORMAT": "jws",
    "ROUTES": True,
    "SESSION_MAX_AGE": 30 * DAY,
    "SESSION_UPDATE_AGE": DAY,
    "JWT_ALGORITHM": "HS256",
    "BCRYPT_ROUNDS": 12,
    "MAX_BODY_SIZE": 64 * 1024,
    "SIGNUP": False,
    "DEBUG": False,
    "STORE_TIMEOUT": 5.0,
    "RATE_LIMIT_WINDOW": 15 * 60,
    "RATE_LIMIT_PER_ACCOUNT": 10,
    "RATE_LIMIT_PER_ADDRESS": 100,
    "SIGNUP_LIMIT_PER_ADDRESS": 20,
    "STUB_OAUTH": False,
    "STORE_OAUTH_TOKENS": False,
    "SMTP_URL": None,
    "SMTP_TIMEOUT": 10.0,
    "EMAIL_FROM": None,
    "EMAIL_VERIFICATION": None,
    "MAGIC_LINK_MAX_AGE": 10 * 60,
    "PASSWORD_RESET_MAX_AGE": 30 * 60,
    "EMAIL_VERIFICATION_MAX_AGE": DAY,
    "EMAIL_LIMIT_PER_EMAIL": 5,
    "EMAIL_LIMIT_PER_ADDRESS": 30,
    "TWO_FACTOR": False,
    "TWO_FACTOR_ISSUER": None,
}

JWT_ALGORITHMS = ("HS256", "HS384", "HS512")
#: ``AUTHJS_EMAIL_VERIFICATION``: one of these, or ``None`` (off).
EMAIL_VERIFICATION_MODES = ("optional", "required")
SESSION_STRATEGIES = ("jwt", "database")
SESSION_FORMATS = ("jws", "next-auth-v4", "authjs-v5")
#: The SQL table layouts (``flask_authjs.adapters.sql_schemas.PRESETS``; MongoDB: ``authjs``).
DATABASE_SCHEMAS = ("flask-authjs", "authjs-pg", "prisma", "drizzle", "authjs")
#: How database sessions are keyed: the token's SHA-256, or the token (as Auth.js does).
SESSION_TOKEN_FORMS = ("hash", "raw")
MIN_SECRET_LENGTH = 32
#: ``sqlite:///...``, ``mongodb[+srv]://...``, or any SQLAlchemy ``dialect[+driver]://...``.
_SQLALCHEMY_URL = re.compile(r"^[a-z][a-z0-9]*(\+[a-z0-9_]+)?://")
#: ``app.run(debug=True)`` sets debug after ``AuthJS(app)`` has read the settings, too late.
NOT_RELAXED = (
    "the app was not in debug or testing mode when AuthJS(app) / init_app ran "
    "(app.run(debug=True) turns debug on only afterwards)."
)
DEVELOPMENT_FIX = (
    "for development, start with `flask --app yourapp run --debug`, or set "
    'app.config["AUTHJS_DEBUG"] = True (or app.debug = True) before AuthJS(app).'
)


@dataclass(frozen=True)
class Settings:
    secrets: tuple[str, ...]
    #: ``AUTHJS_URL``; ``None`` means the request's host is trusted instead (the loader allows
    #: that only with ``AUTHJS_TRUST_HOST`` or in debug/testing).
    origin: str | None
    base_path: str
    database_url: str
    database_schema: str
    database_session_tokens: str
    session_strategy: str
    #: ``"jws"``, or the encrypted session cookie of ``"next-auth-v4"`` / ``"authjs-v5"``.
    session_format: str
    #: ``False``: no auth routes; the app only reads the sessions another app (Next.js) writes.
    routes: bool
    session_max_age: int
    session_update_age: int
    jwt_algorithm: str
    bcrypt_rounds: int
    max_body_size: int
    signup: bool
    debug: bool
    store_timeout: float
    rate_limit_window: int
    rate_limit_per_account: int
    rate_limit_per_address: int
    signup_limit_per_address: int
    stub_oauth: bool
    #: Keep OAuth access/refresh/id tokens in the store (sealed, see ``sealing.py``).
    store_oauth_tokens: bool
    #: Mail: ``smtp`` is ``AUTHJS_SMTP_URL`` parsed; without it, debug and testing use the
    #: development outbox (``dev_outbox``).
    smtp: SMTPServer | None
    smtp_timeout: float
    email_from: str | None
    dev_outbox: bool
    email_verification: str | None
    magic_link_max_age: int
    password_reset_max_age: int
    email_verification_max_age: int
    email_limit_per_email: int
    email_limit_per_address: int
    #: TOTP two-factor sign-in (needs the ``passkeys`` extra); the issuer names the app in
    #: authenticator apps (default: ``AUTHJS_URL``'s host).
    two_factor: bool
    two_factor_issuer: str | None

    @property
    def secure_cookies(self) -> bool:
        return self.origin is not None and self.origin.startswith("https://")


def load_settings(app: Flask, overrides: dict[str, Any]) -> Settings:
    raw = {
        key: overrides.get(key, app.config.get(f"AUTHJS_{key}", default))
        for key, default in DEFAULTS.items()
    }
    relaxed = bool(app.debug or app.testing or raw["DEBUG"])
    if raw["URL"] is None and not (raw["TRUST_HOST"] or relaxed):
        raise ConfigurationError(
            "AUTHJS_URL",
            f"is not set, so the app cannot build safe absolute URLs, and {NOT_RELAXED}",
            'set it to the public origin (e.g. "https://example.com"), or set '
            "AUTHJS_TRUST_HOST = True behind a proxy that sets the Host header; " + DEVELOPMENT_FIX,
        )
    return Settings(
        secrets=_secrets(raw["SECRET"], relaxed),
        origin=_origin(raw["URL"]),
        base_path=_base_path(raw["BASE_PATH"]),
        database_url=_database_url(raw["DATABASE_URL"], app),
        database_schema=_database_schema(raw["DATABASE_SCHEMA"], raw["DATABASE_URL"]),
        database_session_tokens=_choice(
            "DATABASE_SESSION_TOKENS", raw["DATABASE_SESSION_TOKENS"], SESSION_TOKEN_FORMS
        ),
        session_strategy=_choice("SESSION_STRATEGY", raw["SESSION_STRATEGY"], SESSION_STRATEGIES),
        session_format=_choice("SESSION_FORMAT", raw["SESSION_FORMAT"], SESSION_FORMATS),
        routes=bool(raw["ROUTES"]),
        session_max_age=_seconds("SESSION_MAX_AGE", raw["SESSION_MAX_AGE"]),
        session_update_age=_seconds("SESSION_UPDATE_AGE", raw["SESSION_UPDATE_AGE"]),
        jwt_algorithm=_choice("JWT_ALGORITHM", raw["JWT_ALGORITHM"], JWT_ALGORITHMS),
        bcrypt_rounds=_bcrypt_rounds(raw["BCRYPT_ROUNDS"]),
        max_body_size=_seconds("MAX_BODY_SIZE", raw["MAX_BODY_SIZE"]),
        signup=bool(raw["SIGNUP"]),
        debug=bool(raw["DEBUG"]),
        store_timeout=_timeout(raw["STORE_TIMEOUT"]),
        rate_limit_window=_seconds("RATE_LIMIT_WINDOW", raw["RATE_LIMIT_WINDOW"]),
        rate_limit_per_account=_limit("RATE_LIMIT_PER_ACCOUNT", raw["RATE_LIMIT_PER_ACCOUNT"]),
        rate_limit_per_address=_limit("RATE_LIMIT_PER_ADDRESS", raw["RATE_LIMIT_PER_ADDRESS"]),
        signup_limit_per_address=_limit(
            "SIGNUP_LIMIT_PER_ADDRESS", raw["SIGNUP_LIMIT_PER_ADDRESS"]
        ),
        stub_oauth=_stub_oauth(raw["STUB_OAUTH"], relaxed),
        store_oauth_tokens=bool(raw["STORE_OAUTH_TOKENS"]),
        smtp=None if raw["SMTP_URL"] is None else parse_smtp_url(raw["SMTP_URL"]),
        smtp_timeout=_timeout(raw["SMTP_TIMEOUT"], "SMTP_TIMEOUT"),
        email_from=_email_from(raw["EMAIL_FROM"], raw["SMTP_URL"]),
        dev_outbox=relaxed and raw["SMTP_URL"] is None,
        email_verification=(
            None
            if raw["EMAIL_VERIFICATION"] is None
            else _choice("EMAIL_VERIFICATION", raw["EMAIL_VERIFICATION"], EMAIL_VERIFICATION_MODES)
        ),
        magic_link_max_age=_seconds("MAGIC_LINK_MAX_AGE", raw["MAGIC_LINK_MAX_AGE"]),
        password_reset_max_age=_seconds("PASSWORD_RESET_MAX_AGE", raw["PASSWORD_RESET_MAX_AGE"]),
        email_verification_max_age=_seconds(
            "EMAIL_VERIFICATION_MAX_AGE", raw["EMAIL_VERIFICATION_MAX_AGE"]
        ),
        email_limit_per_email=_limit("EMAIL_LIMIT_PER_EMAIL", raw["EMAIL_LIMIT_PER_EMAIL"]),
        email_limit_per_address=_limit("EMAIL_LIMIT_PER_ADDRESS", raw["EMAIL_LIMIT_PER_ADDRESS"]),
        two_factor=_two_factor(raw["TWO_FACTOR"]),
        two_factor_issuer=_issuer(raw["TWO_FACTOR_ISSUER"]),
    )


def _secrets(value: object, relaxed: bool) -> tuple[str, ...]:
    secrets = [value] if isinstance(value, str) else value
    if secrets is None or secrets == []:
        if relaxed:
            # Debug and testing only: a per-process secret, so sessions end on restart.
            return (os.urandom(32).hex(),)
        raise ConfigurationError(
            "AUTHJS_SECRET",
            f"no secret is set, and {NOT_RELAXED}",
            'set app.config["AUTHJS_SECRET"] to a long random string '
            f"(`python -m flask_authjs secret` prints one); {DEVELOPMENT_FIX}",
        )
    if not isinstance(secrets, (list, tuple)) or not all(isinstance(s, str) for s in secrets):
        raise ConfigurationError(
            "AUTHJS_SECRET",
            "must be a string or a list of strings.",
            "use one string, or a list whose first item signs and all items verify.",
        )
    if not relaxed and any(len(s) < MIN_SECRET_LENGTH for s in secrets):
        raise ConfigurationError(
            "AUTHJS_SECRET",
            f"every secret must be at least {MIN_SECRET_LENGTH} characters.",
            "use `python -m flask_authjs secret` to make a strong one.",
        )
    return tuple(secrets)


def _origin(value: object) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            "AUTHJS_URL",
            f"{value!r} is not an http(s) URL.",
            'give the public address of the app, e.g. "https://example.com".',
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ConfigurationError(
            "AUTHJS_URL",
            f"{value!r} must be an origin only (scheme, host and port).",
            "put the mount path of the routes in AUTHJS_BASE_PATH instead.",
        )
    origin = normalized_origin(str(value))
    assert origin is not None
    return origin


def _base_path(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or value == "/"
        or any(c in value for c in "?#\\ \t\r\n")
    ):
        raise ConfigurationError(
            "AUTHJS_BASE_PATH",
            f"{value!r} is not a URL path.",
            'use a path such as "/api/auth" (leading slash, no query).',
        )
    return value.rstrip("/")


def _database_url(value: object, app: Flask) -> str:
    """The store URL, checked as far as it can be without connecting to anything."""
    if value is None:
        os.makedirs(app.instance_path, exist_ok=True)  # Flask's own folder for such files
        return "sqlite:///" + os.path.join(app.instance_path, "authjs.sqlite3")
    if not isinstance(value, str) or not _SQLALCHEMY_URL.match(value):
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            f"{value!r} is not a supported store URL.",
            'use "sqlite:///path/to/file.sqlite3", "mongodb://host/dbname" or any SQLAlchemy '
            'URL such as "postgresql+psycopg://user:password@host/dbname".',
        )
    if value.startswith("sqlite:///"):
        directory = os.path.dirname(value[len("sqlite:///") :])
        if directory and not os.path.isdir(directory):
            raise ConfigurationError(
                "AUTHJS_DATABASE_URL",
                f"the folder {directory!r} of the SQLite store does not exist.",
                "create the folder, or fix the path (nothing is created for you, so a typo "
                "cannot start an empty user store somewhere else).",
            )
    elif value.startswith(("mongodb://", "mongodb+srv://")) and not urlsplit(value).path.strip("/"):
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            f"the MongoDB URL {_without_password(value)!r} names no database.",
            'add the database to the path: "mongodb://host:27017/dbname".',
        )
    return value


def _database_schema(value: object, url: object) -> str:
    """A layout that fits the store, whose library is installed (checked at start-up)."""
    schema = _choice("DATABASE_SCHEMA", value, DATABASE_SCHEMAS)
    url = url or "sqlite:///"
    mongodb = isinstance(url, str) and url.startswith(("mongodb://", "mongodb+srv://"))
    if schema not in (("flask-authjs", "authjs") if mongodb else DATABASE_SCHEMAS[:4]):
        raise ConfigurationError(
            "AUTHJS_DATABASE_SCHEMA",
            f"{schema!r} does not go with the store {str(url).split(':', 1)[0]!r}.",
            '"authjs" is a MongoDB layout; "authjs-pg", "prisma" and "drizzle" are SQL ones.',
        )
    sql = not mongodb and not (str(url).startswith("sqlite:///") and schema == "flask-authjs")
    if sql and importlib.util.find_spec("sqlalchemy") is None:
        raise ConfigurationError(
            "AUTHJS_DATABASE_URL",
            "is a SQL store (or a preset on SQLite), and SQLAlchemy is not installed.",
            "pip install 'flask-authjs[sql]' (SQLAlchemy and psycopg).",
        )
    return schema


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _choice(setting: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigurationError(
            f"AUTHJS_{setting}", f"{value!r} is not allowed.", f"use one of {choices}."
        )
    return str(value)


def _seconds(setting: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(
            f"AUTHJS_{setting}",
            f"{value!r} is not a positive integer.",
            "give a whole number (seconds, or bytes for sizes).",
        )
    return value


def _bcrypt_rounds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 4 <= value <= 31:
        raise ConfigurationError(
            "AUTHJS_BCRYPT_ROUNDS",
            f"{value!r} is outside bcrypt's range.",
            "use an integer from 4 to 31 (12 is the default; 4 only in tests).",
        )
    return value


def _timeout(value: object, setting: str = "STORE_TIMEOUT") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 60:
        waits_for = "the mail server" if setting == "SMTP_TIMEOUT" else "the store"
        raise ConfigurationError(
            f"AUTHJS_{setting}",
            f"{value!r} is not a number of seconds between 0 and 60.",
            f"give how long a request may wait for {waits_for}, e.g. 5 (0.2 in tests).",
        )
    return float(value)


def _email_from(value: object, smtp_url: object) -> str | None:
    if value is None:
        if smtp_url is not None:
            raise ConfigurationError(
                "AUTHJS_EMAIL_FROM",
                "is not set, and mail goes out through AUTHJS_SMTP_URL.",
                'set it to the sender, e.g. "My Site <no-reply@example.com>".',
            )
        return None
    return check_sender(value)


def _limit(setting: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"AUTHJS_{setting}",
            f"{value!r} is not a whole number of attempts.",
            "give attempts per AUTHJS_RATE_LIMIT_WINDOW (0 turns this limit off).",
        )
    return value


def _stub_oauth(value: object, relaxed: bool) -> bool:
    if value and not relaxed:
        raise ConfigurationError(
            "AUTHJS_STUB_OAUTH",
            f"the stub identity provider signs anyone in as anyone, and {NOT_RELAXED}",
            "enable it only for development and tests; " + DEVELOPMENT_FIX,
        )
    return bool(value)


def _two_factor(value: object) -> bool:
    if not value:
        return False
    try:
        import cryptography  # noqa: F401
        import pyotp  # noqa: F401
        import segno  # noqa: F401
    except ImportError as error:
        raise ConfigurationError(
            "AUTHJS_TWO_FACTOR",
            f"needs {error.name}, which is not installed.",
            "pip install 'flask-authjs[passkeys]'.",
        ) from error
    return True


def _issuer(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip() or ":" in value):
        raise ConfigurationError(
            "AUTHJS_TWO_FACTOR_ISSUER",
            f"{value!r} is not a name.",
            'give the name authenticator apps should show, e.g. "Example" (no colon).',
        )
    return value
