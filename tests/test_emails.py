"""Email normalisation: one account per address, and parser tricks refused."""

from __future__ import annotations

import pytest

from flask_authjs.emails import normalize_email
from flask_authjs.exceptions import InvalidInput


@pytest.mark.parametrize(
    ("sent", "normal"),
    [
        ("a@example.com", "a@example.com"),
        ("A@Example.COM", "a@example.com"),
        ("  ada@example.com\t", "ada@example.com"),
        ("ada＠example.com", "ada@example.com"),  # full-width at sign, folded by NFKC
        ("ＡＤＡ@example.com", "ada@example.com"),  # full-width letters
        ("ada+tag@sub.example.co.uk", "ada+tag@sub.example.co.uk"),
    ],
)
def test_equivalent_spellings_become_one_address(sent: str, normal: str) -> None:
    assert normalize_email(sent) == normal


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "ada",
        "@example.com",
        "ada@",
        "ada@@example.com",
        "a@b@example.com",
        '"ada"@example.com',
        '"attacker@evil.com"@victim.com',
        "ada@example.com,eve@evil.com",
        "ada@example.com;eve@evil.com",
        "ada smith@example.com",
        "ada@localhost",
        "ada@example..com",
        "ada@.",
        "<ada@example.com>",
        "ada@example.com\x00",
        "ada\n@example.com",
        "a" * 250 + "@example.com",
    ],
)
def test_anything_but_one_plain_address_is_refused(sent: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_email(sent)


@pytest.mark.parametrize("sent", [None, 1, ["a@example.com"], {"$ne": None}])
def test_non_strings_are_refused(sent: object) -> None:
    with pytest.raises(InvalidInput):
        normalize_email(sent)
