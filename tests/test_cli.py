"""``flask authjs secret`` and ``flask authjs create-user``."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import bcrypt
import pytest
from flask import Flask

from flask_authjs import CredentialsProvider
from flask_authjs.adapters import Adapter

from .conftest import AppFactory, sign_in


@pytest.fixture
def cli_app(app_factory: AppFactory, adapter: Adapter) -> Flask:
    return app_factory(providers=[CredentialsProvider()], adapter=adapter)


def test_secret_prints_a_new_long_random_value(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["authjs", "secret"])
    second = runner.invoke(args=["authjs", "secret"])
    assert first.exit_code == 0
    assert len(first.output.strip()) >= 64
    assert first.output != second.output


def test_create_user_asks_for_the_password_twice_and_the_user_can_sign_in(
    cli_app: Flask, adapter: Adapter
) -> None:
    result = cli_app.test_cli_runner().invoke(
        args=["authjs", "create-user", " Grace@Example.com", "--name", "Grace"],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "grace@example.com" in result.output
    assert "a long password" not in result.output
    user = adapter.get_user_by_email("grace@example.com")
    assert user is not None and user["name"] == "Grace"
    assert user["password_hash"] and bcrypt.checkpw(
        b"a long password", user["password_hash"].encode()
    )
    assert sign_in(cli_app.test_client(), "grace@example.com", "a long password").status_code == 200


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "a long password", "EMAIL"),
        ("a@example.com,b@example.com", "a long password", "EMAIL"),
        ("grace@example.com", "short", "at least 8"),
        ("grace@example.com", "x" * 73, "72 bytes"),
    ],
)
def test_create_user_refuses_bad_input(
    cli_app: Flask, adapter: Adapter, email: str, password: str, message: str
) -> None:
    result = cli_app.test_cli_runner().invoke(
        args=["authjs", "create-user", email], input=f"{password}\n{password}\n"
    )
    assert result.exit_code != 0
    assert message in result.output
    assert adapter.get_user_by_email("grace@example.com") is None


def test_create_user_refuses_a_taken_email(cli_app: Flask, adapter: Adapter) -> None:
    adapter.create_user("grace@example.com")
    result = cli_app.test_cli_runner().invoke(
        args=["authjs", "create-user", "GRACE@example.com", "--password", "a long password"]
    )
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_create_user_needs_matching_passwords(cli_app: Flask, adapter: Adapter) -> None:
    result = cli_app.test_cli_runner().invoke(
        args=["authjs", "create-user", "grace@example.com"],
        input="a long password\nanother password\n",
    )
    assert result.exit_code != 0
    assert adapter.get_user_by_email("grace@example.com") is None


def test_create_user_rejects_a_bad_email_before_asking_for_a_password(cli_app: Flask) -> None:
    result = cli_app.test_cli_runner().invoke(args=["authjs", "create-user", "not-an-email"])
    assert result.exit_code == 2
    assert "Password" not in result.output  # no prompt was shown
    assert "'not-an-email' is not a single email address" in result.output


def test_python_m_flask_authjs_secret_needs_no_app(tmp_path: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask_authjs", "secret"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "FLASK_APP"},
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) >= 64
