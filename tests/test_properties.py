"""Properties over generated input: never an exception, never off-site, never a forged session."""

from __future__ import annotations

import string
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from flask_authjs.cookies import (
    CHUNK_SIZE,
    chunked_set_cookie_headers,
    read_chunked,
    read_every_pair,
)
from flask_authjs.emails import normalize_email
from flask_authjs.exceptions import InvalidInput
from flask_authjs.redirects import same_origin_url
from flask_authjs.tokens import TokenCodec

from .conftest import SECRET

ORIGIN = "https://app.example"
URL_ALPHABET = string.ascii_letters + string.digits + ":/\\?#@%.-_~ \t\r\n\x00[]&=+;,'\"<>"
url_parts = st.sampled_from(
    [
        "https://",
        "http://",
        "//",
        "/",
        "\\",
        "app.example",
        "evil.example",
        "@",
        ":443",
        ":8443",
        "%2F",
        "%5C",
        "javascript:",
        "\t",
        "\n",
        "..",
        "?",
        "#",
        "https:",
        "APP.EXAMPLE",
    ]
)
urls = st.one_of(
    st.text(alphabet=URL_ALPHABET, max_size=60),
    st.lists(st.one_of(url_parts, st.text(alphabet=URL_ALPHABET, max_size=5)), max_size=8).map(
        "".join
    ),
)


@settings(max_examples=3000, deadline=None)
@given(urls)
def test_redirect_resolver_never_leaves_the_origin(target: str) -> None:
    resolved = same_origin_url(target, ORIGIN)
    if resolved is not None:
        assert resolved == ORIGIN + "/" or resolved.startswith(ORIGIN + "/")
        assert all(0x20 < ord(c) < 0x7F for c in resolved)
        assert "\\" not in resolved and not resolved[len(ORIGIN) :].startswith("//")


cookie_text = st.text(alphabet=string.printable + "é", max_size=200)
cookie_names = st.sampled_from(
    [
        "authjs.session-token",
        "authjs.session-token.0",
        "authjs.session-token.1",
        "authjs.session-token.01",
        "authjs.session-token.x",
        "other",
        "authjs.session-tokenX",
    ]
)
cookie_headers = st.lists(st.tuples(cookie_names, cookie_text), max_size=6).map(
    lambda pairs: "; ".join(f"{n}={v}" for n, v in pairs)
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(cookie_text, cookie_headers))
def test_cookie_parser_never_raises_and_sees_only_its_own_names(header: str) -> None:
    cookie = read_chunked(header, "authjs.session-token")
    assert all(name.startswith("authjs.session-token") for name in cookie.names)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(cookie_text, cookie_headers, cookie_headers.map(lambda h: h.replace("; ", ";"))))
def test_the_single_cookie_shortcut_reads_what_the_long_way_reads(header: str) -> None:
    assert read_chunked(header, "authjs.session-token") == read_every_pair(
        header, "authjs.session-token"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=12000))
def test_chunking_round_trips(value: str) -> None:
    headers = chunked_set_cookie_headers("s", value, secure=False, max_age=60)
    pairs = [h.split(";", 1)[0] for h in headers if "Max-Age=0" not in h]
    assert all(len(p.split("=", 1)[1]) <= CHUNK_SIZE for p in pairs)
    assert read_chunked("; ".join(pairs), "s").value == value


codec = TokenCodec((SECRET,), "session", max_lifetime=3600)
genuine = codec.encode({"sub": "u1"}, now=int(time.time()), max_age=600)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.text(max_size=400),
        st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
        st.tuples(st.integers(0, len(genuine) - 1), st.characters()).map(
            lambda edit: genuine[: edit[0]] + edit[1] + genuine[edit[0] + 1 :]
        ),
    )
)
def test_only_tokens_we_signed_decode(token: str) -> None:
    claims = codec.decode(token, now=int(time.time()))
    if claims is not None:
        # Base64 padding bits may differ, the signed content may not.
        assert claims == codec.decode(genuine, now=int(time.time()))


@settings(max_examples=3000, deadline=None)
@given(st.text(max_size=80))
def test_email_normaliser_returns_one_plain_address_or_refuses(value: str) -> None:
    try:
        email = normalize_email(value)
    except InvalidInput:
        return
    local, _, domain = email.partition("@")
    assert local and "." in domain and "@" not in domain
    assert email == email.strip().lower()
    assert not set(email) & set("\"',;<> \t\r\n\\")
    assert normalize_email(email) == email
