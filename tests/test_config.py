"""Configuration errors stop init_app with the setting's name and the fix."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_authjs import AuthJS, ConfigurationError, CredentialsProvider


def production_app(**config: Any) -> Flask:
    app = Flask("prod")
    app.config.update(
        AUTHJS_SECRET="production-secret-that-is-long-enough-123",
        AUTHJS_URL="https://example.com",
    )
    app.config.update({f"AUTHJS_{k}": v for k, v in config.items()})
    return app


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ({"SECRET": None}, "AUTHJS_SECRET"),
        ({"SECRET": "short"}, "AUTHJS_SECRET"),
        ({"SECRET": 42}, "AUTHJS_SECRET"),
        ({"URL": None}, "AUTHJS_URL"),
        ({"URL": "example.com"}, "AUTHJS_URL"),
        ({"URL": "https://example.com/app"}, "AUTHJS_URL"),
        ({"BASE_PATH": "api/auth"}, "AUTHJS_BASE_PATH"),
        ({"BASE_PATH": "/"}, "AUTHJS_BASE_PATH"),
        ({"BASE_PATH": "/api?x"}, "AUTHJS_BASE_PATH"),
        ({"SESSION_MAX_AGE": 0}, "AUTHJS_SESSION_MAX_AGE"),
        ({"SESSION_UPDATE_AGE": "1d"}, "AUTHJS_SESSION_UPDATE_AGE"),
        ({"SESSION_STRATEGY": "cookie"}, "AUTHJS_SESSION_STRATEGY"),
        ({"JWT_ALGORITHM": "none"}, "AUTHJS_JWT_ALGORITHM"),
        ({"BCRYPT_ROUNDS": 3}, "AUTHJS_BCRYPT_ROUNDS"),
        ({"DATABASE_URL": "db.example.com/app"}, "AUTHJS_DATABASE_URL"),
        ({"DATABASE_SCHEMA": "mysql"}, "AUTHJS_DATABASE_SCHEMA"),
        ({"DATABASE_SCHEMA": "authjs"}, "AUTHJS_DATABASE_SCHEMA"),
        (
            {"DATABASE_URL": "mongodb://db/app", "DATABASE_SCHEMA": "prisma"},
            "AUTHJS_DATABASE_SCHEMA",
        ),
        ({"DATABASE_SESSION_TOKENS": "plain"}, "AUTHJS_DATABASE_SESSION_TOKENS"),
    ],
)
def test_bad_settings_name_the_setting_and_the_fix(config: dict[str, Any], setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AuthJS(production_app(**config), providers=[CredentialsProvider()])
    assert caught.value.setting == setting
    assert "Fix:" in str(caught.value)


def test_no_secret_is_fine_in_debug() -> None:
    app = production_app(SECRET=None)
    app.debug = True
    AuthJS(app)
    assert app.extensions["authjs"].settings.secrets


def test_trust_host_replaces_the_url() -> None:
    """Without ``AUTHJS_URL``, every absolute URL is built from the request's host."""
    app = production_app(URL=None, TRUST_HOST=True)
    AuthJS(app, providers=[CredentialsProvider()])
    client = app.test_client()
    for origin in ("https://shop.example", "http://other.example:8080"):
        providers = client.get("/api/auth/providers", base_url=origin).get_json()
        assert providers["credentials"]["signinUrl"] == f"{origin}/api/auth/signin/credentials"
        assert providers["credentials"]["callbackUrl"] == (
            f"{origin}/api/auth/callback/credentials"
        )


def test_keyword_settings_beat_app_config() -> None:
    app = production_app()
    AuthJS(app, base_path="/auth")
    assert app.test_client().get("/auth/csrf").status_code == 200
    assert app.test_client().get("/api/auth/csrf").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"pages": {"signin": "/x"}}, "pages"),
        ({"pages": {"sign_in": "https://evil.example/"}}, "pages"),
        ({"pages": {"sign_in": "//evil.example"}}, "pages"),
        ({"callbacks": {"jwtt": print}}, "callbacks"),
        ({"providers": [CredentialsProvider(), CredentialsProvider()]}, "providers"),
    ],
)
def test_bad_options_fail_at_construction(kwargs: dict[str, Any], setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AuthJS(production_app(), **kwargs)
    assert caught.value.setting == setting


def test_factory_pattern_registers_per_app() -> None:
    auth = AuthJS(providers=[CredentialsProvider()])
    first, second = production_app(), production_app(BASE_PATH="/auth")
    auth.init_app(first)
    auth.init_app(second)
    assert first.test_client().get("/api/auth/csrf").status_code == 200
    assert second.test_client().get("/auth/csrf").status_code == 200


@pytest.mark.parametrize(
    "url", ["mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017/", "mongodb://a,b/?x=1"]
)
def test_a_mongodb_url_without_a_database_fails_at_init_app(url: str) -> None:
    with pytest.raises(ConfigurationError, match="names no database") as raised:
        AuthJS(production_app(DATABASE_URL=url), providers=[CredentialsProvider()])
    assert raised.value.setting == "AUTHJS_DATABASE_URL"


def test_a_mongodb_password_is_not_repeated_in_the_error() -> None:
    app = production_app(DATABASE_URL="mongodb://app:hunter2-secret@db.internal:27017")
    with pytest.raises(ConfigurationError) as raised:
        AuthJS(app, providers=[CredentialsProvider()])
    assert "hunter2-secret" not in str(raised.value)


def test_a_sqlite_path_in_a_missing_folder_is_a_configuration_error(tmp_path: Any) -> None:
    missing = tmp_path / "no-such-folder" / "auth.sqlite3"
    app = production_app(DATABASE_URL=f"sqlite:///{missing}")
    with pytest.raises(ConfigurationError, match="does not exist") as raised:
        AuthJS(app, providers=[CredentialsProvider()])
    assert raised.value.setting == "AUTHJS_DATABASE_URL"
    assert not missing.parent.exists()


def test_a_sqlite_adapter_in_a_missing_folder_is_refused_at_construction(tmp_path: Any) -> None:
    from flask_authjs.adapters import SQLiteAdapter

    with pytest.raises(ConfigurationError, match="does not exist"):
        SQLiteAdapter(str(tmp_path / "nope" / "auth.sqlite3"))


def test_the_default_store_goes_in_the_instance_folder_which_is_created(tmp_path: Any) -> None:
    app = Flask("fresh", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True)
    AuthJS(app, providers=[CredentialsProvider()])
    assert (tmp_path / "instance").is_dir()
    assert app.test_client().post("/api/auth/callback/credentials").status_code == 302
    assert app.extensions["authjs"].adapter.get_user_by_email("x@example.com") is None


def test_app_run_debug_after_authjs_gets_a_message_saying_what_to_do() -> None:
    app = Flask("tutorial")  # app.run(debug=True) would come after AuthJS(app): too late
    with pytest.raises(ConfigurationError) as raised:
        AuthJS(app, providers=[CredentialsProvider()])
    message = str(raised.value)
    assert "app.run(debug=True)" in message and "flask --app yourapp run --debug" in message
    assert "AUTHJS_DEBUG" in message
