"""The user callbacks: invoked with keywords, their answers checked in one place."""

from __future__ import annotations

from typing import Any

import pytest

from flask_authjs.callbacks import Callbacks
from flask_authjs.exceptions import SignInError

ARGS: dict[str, Any] = {"user": {"id": "1"}, "account": {}, "credentials": None, "profile": None}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(True, True), (False, False), (None, False), ("/elsewhere", "/elsewhere"), (1, True)],
)
def test_sign_in_answers_are_normalised(answer: Any, expected: bool | str) -> None:
    callbacks = Callbacks({"sign_in": lambda **_: answer})
    assert callbacks.sign_in(**ARGS) == expected


def test_without_callbacks_everything_passes_through() -> None:
    callbacks = Callbacks({})
    token = {"sub": "1"}
    assert callbacks.sign_in(**ARGS) is True
    assert callbacks.jwt(token) is token
    assert callbacks.session({"user": {}}, token) == {"user": {}}
    assert callbacks.redirect("/a", "http://x") == "/a"
    assert "jwt" not in callbacks


@pytest.mark.parametrize("answer", [None, {}, {"sub": 1}, ["sub"]])
def test_a_jwt_callback_must_keep_a_string_sub(answer: Any) -> None:
    callbacks = Callbacks({"jwt": lambda **_: answer})
    with pytest.raises(SignInError) as raised:
        callbacks.jwt({"sub": "1"}, trigger="signIn")
    assert raised.value.code == "Configuration" and raised.value.status == 500


def test_a_callback_registered_later_counts() -> None:
    functions: dict[str, Any] = {}
    callbacks = Callbacks(functions)
    functions["jwt"] = lambda token, **_: {**token, "role": "admin"}
    assert callbacks.jwt({"sub": "1"}) == {"sub": "1", "role": "admin"}
