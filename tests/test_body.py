"""read_body: forms and JSON become one flat dict of strings, or a clear InvalidInput."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, request

from flask_authjs.body import MAX_FIELD_LENGTH, read_body
from flask_authjs.exceptions import InvalidInput

app = Flask("body")


def read(objects: frozenset[str] = frozenset(), **environ: Any) -> dict[str, Any]:
    with app.test_request_context(method="POST", **environ):
        return read_body(request, objects=objects)


def test_a_form_and_its_json_twin_read_the_same() -> None:
    form = read(data={"email": "a@example.com", "json": "true"})
    as_json = read(json={"email": "a@example.com", "json": True})
    assert form == as_json == {"email": "a@example.com", "json": "true"}


def test_json_nulls_are_left_out_and_objects_only_where_allowed() -> None:
    assert read(json={"a": None, "b": "x"}) == {"b": "x"}
    assert read(frozenset({"data"}), json={"data": {"k": [1]}}) == {"data": {"k": [1]}}


@pytest.mark.parametrize(
    ("environ", "field"),
    [
        ({"data": {"email": ["a", "b"]}}, "email"),  # a repeated form key
        ({"json": {"email": {"$ne": None}}}, "email"),  # an operator object
        ({"json": {"email": 1}}, "email"),
        ({"json": ["email"]}, "body"),
        ({"data": "{not json", "content_type": "application/json"}, "body"),
        ({"data": {"email": "x" * (MAX_FIELD_LENGTH + 1)}}, "email"),
        (
            {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
            "body",
        ),
    ],
)
def test_what_cannot_be_a_flat_string_field_is_refused(environ: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        read(**environ)
    assert field in str(raised.value)


def test_the_json_body_is_not_re_encoded() -> None:
    text = json.dumps({"name": "Zoë", "csrfToken": "t"})
    assert read(data=text, content_type="application/json") == {"name": "Zoë", "csrfToken": "t"}
