"""Cookie names, attributes, and chunks read back from a raw ``Cookie`` header."""

from __future__ import annotations

import pytest

from flask_authjs.cookies import (
    CHUNK_SIZE,
    chunked_set_cookie_headers,
    cookie_names,
    read_chunked,
    set_cookie_header,
)

NAME = "authjs.session-token"


@pytest.mark.parametrize(
    ("header", "value", "names"),
    [
        ("session=abc; authjs.session-token=tok", "tok", (NAME,)),
        ("authjs.session-token=tok", "tok", (NAME,)),
        ("authjs.session-token=tok;other=1", "tok", (NAME,)),
        ("other=1;\tauthjs.session-token=tok  ", "tok", (NAME,)),
        ("authjs.session-token=", None, (NAME,)),
        ("authjs.session-token=a=b", "a=b", (NAME,)),
        ("x-authjs.session-token=evil; other=1", None, ()),
        ("__Secure-authjs.session-token=evil", None, ()),
        ("a=authjs.session-token=evil", None, ()),
        ("authjs.session-tokenX=evil", None, ()),
        ("authjs.session-token=a; authjs.session-token=b", None, (NAME,)),
        (
            "authjs.session-token.0=a; k=v; authjs.session-token.1=b",
            "ab",
            ("authjs.session-token.0", "authjs.session-token.1"),
        ),
        ("authjs.session-token.1=b", None, ("authjs.session-token.1",)),
        ("authjs.session-token=a; authjs.session-token.0=b", None, (NAME, f"{NAME}.0")),
    ],
)
def test_read_chunked_reads_only_its_own_names(
    header: str, value: str | None, names: tuple[str, ...]
) -> None:
    cookie = read_chunked(header, NAME)
    assert (cookie.value, cookie.names) == (value, names)


def test_https_names_carry_the_host_prefix_and_auth_js_names_the_secure_one() -> None:
    assert cookie_names(False).session_token == NAME
    assert cookie_names(True).session_token == f"__Host-{NAME}"
    assert cookie_names(True).callback_url.startswith("__Host-")
    assert cookie_names(True, authjs_names=True).session_token == f"__Secure-{NAME}"
    assert cookie_names(True, authjs_names=True).csrf_token.startswith("__Host-")


def test_every_cookie_is_httponly_lax_on_the_whole_site() -> None:
    header = set_cookie_header(NAME, "v", secure=True, max_age=60)
    assert header.startswith(f"{NAME}=v;")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=60"):
        assert attribute in header
    assert "Secure" not in set_cookie_header(NAME, "v", secure=False)


def test_a_long_value_is_split_and_a_shorter_one_clears_the_old_chunks() -> None:
    long_value = "x" * (CHUNK_SIZE * 2 + 5)
    written = chunked_set_cookie_headers(NAME, long_value, secure=False, max_age=60)
    assert [h.split("=", 1)[0] for h in written] == [f"{NAME}.0", f"{NAME}.1", f"{NAME}.2"]
    joined = "; ".join(h.split(";", 1)[0] for h in written)
    assert read_chunked(joined, NAME).value == long_value
    replaced = chunked_set_cookie_headers(
        NAME, "short", secure=False, max_age=60, previous=(f"{NAME}.0", f"{NAME}.1")
    )
    assert [h.split(";", 1)[0] for h in replaced] == [f"{NAME}.0=", f"{NAME}.1=", f"{NAME}=short"]
    assert all("Max-Age=0" in h for h in replaced[:2])


def test_deleting_clears_the_plain_name_even_if_only_chunks_were_seen() -> None:
    cleared = chunked_set_cookie_headers(
        NAME, None, secure=False, max_age=None, previous=(f"{NAME}.0",)
    )
    assert [h.split(";", 1)[0] for h in cleared] == [f"{NAME}.0=", f"{NAME}="]
