"""Operator injection, end to end on both stores: only plain strings ever reach a query."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_authjs import CredentialsProvider
from flask_authjs.adapters import Adapter

from .conftest import PASSWORD, AppFactory, csrf_token, session_cookie


@pytest.fixture
def store_app(app_factory: AppFactory, adapter: Adapter) -> Flask:
    app = app_factory(providers=[CredentialsProvider()], adapter=adapter, SIGNUP=True)
    with app.app_context():
        hasher = app.extensions["authjs"].password_hasher
        adapter.create_user("ada@example.com", password_hash=hasher.hash(PASSWORD))
    return app


JSON_PAYLOADS: list[dict[str, Any]] = [
    {"email": {"$ne": None}, "password": PASSWORD},
    {"email": {"$gt": ""}, "password": {"$ne": None}},
    {"email": {"$regex": ".*"}, "password": PASSWORD},
    {"email": ["ada@example.com"], "password": PASSWORD},
    {"email": "ada@example.com", "password": [PASSWORD]},
    {"email": 1, "password": PASSWORD},
    {"email": "ada@example.com", "password": 12345678},
    {"email": "a" * 5000 + "@example.com", "password": PASSWORD},
    {"email": "ada@example.com", "password": "p" * 5000},
]


@pytest.mark.parametrize("route", ["callback/credentials", "signup"])
@pytest.mark.parametrize("payload", JSON_PAYLOADS, ids=lambda p: repr(p)[:40])
def test_non_string_or_huge_json_values_are_refused_with_400(
    store_app: Flask, payload: dict[str, Any], route: str
) -> None:
    client = store_app.test_client()
    response = client.post(
        f"/api/auth/{route}",
        json={**payload, "json": True},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "InvalidInput"
    assert session_cookie(response) is None


@pytest.mark.parametrize(
    "form",
    [
        {"email[$ne]": "1", "password": PASSWORD},
        {"email[$ne]": "1", "password[$ne]": "1"},
        {"email": "ada@example.com'--", "password": PASSWORD},
        {"email": 'ada@example.com" OR 1=1 --', "password": PASSWORD},
        {"email": "' OR '1'='1", "password": "' OR '1'='1"},
        {"email": "ada@example.com\x00", "password": PASSWORD},
    ],
    ids=repr,
)
def test_bracket_keys_and_sql_look_alikes_are_plain_wrong_credentials(
    store_app: Flask, form: dict[str, str]
) -> None:
    client = store_app.test_client()
    response = client.post(
        "/api/auth/callback/credentials",
        data={**form, "csrfToken": csrf_token(client), "json": "true"},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "CredentialsSignin"
    assert session_cookie(response) is None


def test_a_repeated_field_is_refused(store_app: Flask) -> None:
    client = store_app.test_client()
    response = client.post(
        "/api/auth/callback/credentials",
        data={
            "email": ["eve@example.com", "ada@example.com"],
            "password": PASSWORD,
            "csrfToken": csrf_token(client),
            "json": "true",
        },
    )
    assert response.status_code == 400


def test_the_genuine_user_still_signs_in(store_app: Flask) -> None:
    client = store_app.test_client()
    response = client.post(
        "/api/auth/callback/credentials",
        data={
            "email": "ADA@example.com",
            "password": PASSWORD,
            "csrfToken": csrf_token(client),
            "json": "true",
        },
    )
    assert response.status_code == 200
