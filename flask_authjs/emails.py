"""Email addresses as account keys: one normal form, and a refusal for anything odd.

NFKC folds look-alikes (a full-width ``＠`` becomes ``@``); then trim and lower-case, so
``A@Example.com`` and ``a@example.com`` are one account. Quotes, commas, spaces and
anything but exactly one ``@`` between non-empty parts are refused (the Auth.js
GHSA-5jpx-9hw9-2fx4 class of parser tricks).
"""

from __future__ import annotations

import unicodedata

from .exceptions import InvalidInput

MAX_EMAIL_LENGTH = 254
_FORBIDDEN = set("\"',;:<>()[]\\ \t\r\n")


def normalize_email(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("email", "must be a string.")
    email = unicodedata.normalize("NFKC", value).strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "@" in domain
        or "." not in domain.strip(".")
        or ".." in domain
        or len(email) > MAX_EMAIL_LENGTH
        or any(c in _FORBIDDEN or ord(c) < 0x20 or ord(c) == 0x7F for c in email)
    ):
        raise InvalidInput("email", "is not a single email address.")
    return email
