"""The recipe of docs/pages-and-clients.md: a user field (``_id``) carried into the session."""

from __future__ import annotations

from typing import Any

from flask import g

from flask_authjs import AuthJS, CredentialsProvider

from .conftest import USER, AppFactory, authorize, sign_in


def authorize_with_id(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    user = authorize(credentials, request)
    return None if user is None else {**user, "_id": "64f0c0ffee", "role": "admin"}


def jwt(token: dict[str, Any], user: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
    if user is not None:
        token["_id"] = user["_id"]
        token["role"] = user["role"]
    return token


def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
    session["user"]["_id"] = token.get("_id")
    session["user"]["role"] = token.get("role")
    return session


def test_a_field_set_by_the_jwt_and_session_callbacks_is_there_at_once(
    app_factory: AppFactory,
) -> None:
    app = app_factory(
        providers=[CredentialsProvider(authorize=authorize_with_id)],
        callbacks={"jwt": jwt, "session": session},
    )

    @app.get("/me")
    def me() -> Any:
        return g.session["user"]

    client = app.test_client()
    answer = sign_in(client).get_json()
    assert answer["session"]["user"]["_id"] == "64f0c0ffee"  # right after sign-in
    assert client.get("/api/auth/session").get_json()["user"]["role"] == "admin"
    assert client.get("/me").get_json() == {**USER, "_id": "64f0c0ffee", "role": "admin"}


def test_the_callbacks_work_as_decorators_too() -> None:
    auth = AuthJS(providers=[CredentialsProvider(authorize=authorize_with_id)])
    auth.jwt_callback(jwt)
    auth.session_callback(session)
    assert auth.callbacks == {"jwt": jwt, "session": session}
