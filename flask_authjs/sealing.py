"""OAuth tokens at rest: left out of the store by default, sealed when the app keeps them.

An account's ``access_token``, ``refresh_token`` and ``id_token`` act for the user at
the provider; Auth.js writes them to the database in plain text, where a backup or a
read-only SQL injection hands them out. Here they are not stored at all, unless the app
sets ``AUTHJS_STORE_OAUTH_TOKENS = True`` (it calls the provider's API later); then
each is sealed with AES-256-GCM under a key derived from ``AUTHJS_SECRET`` for this one
purpose. The sealed form names its key, so after a rotation (a new secret first in the
list) old tokens still open, and new ones are sealed with the new key. The callbacks
(``sign_in``, ``jwt``) and the ``account_linked`` signal still see the tokens in the
clear: only what reaches the store changes.

AES-GCM comes from the ``cryptography`` package (``pip install flask-authjs[oidc]``),
asked for only when tokens are kept.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any

from .exceptions import ConfigurationError
from .tokens import derive_key, key_id

#: The account fields that are credentials at the provider.
SECRET_TOKEN_FIELDS = ("access_token", "refresh_token", "id_token")
SEALED_PREFIX = "sealed.v1."
PURPOSE = "account-tokens"
_NONCE_SIZE = 12


class TokenSealer:
    """Seals and opens account tokens with the keys of every configured secret.

    ``purpose`` derives keys of their own for another kind of secret (TOTP secrets use
    ``"totp-secret"``); ``bound_to`` ties a sealed value to its owner (a user id), so a
    value copied to another row does not open there.
    """

    def __init__(self, secrets: tuple[str, ...] | list[str], purpose: str = PURPOSE) -> None:
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError as error:
            raise ConfigurationError(
                "AUTHJS_STORE_OAUTH_TOKENS",
                "keeps OAuth tokens sealed with AES-GCM, which needs the cryptography package.",
                "pip install 'flask-authjs[oidc]', or leave the setting off.",
            ) from error
        keys = [derive_key(secret, purpose) for secret in secrets]
        self._sealing_kid = key_id(keys[0])
        self._ciphers = {key_id(key): AESGCM(key) for key in reversed(keys)}

    def seal(self, value: str, bound_to: str = "") -> str:
        nonce = os.urandom(_NONCE_SIZE)
        kid = self._sealing_kid
        sealed = self._ciphers[kid].encrypt(nonce, value.encode(), _aad(kid, bound_to))
        return f"{SEALED_PREFIX}{kid}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, bound_to: str = "") -> str | None:
        """The token, or ``None`` if this is not a token we sealed with a current secret."""
        if not sealed.startswith(SEALED_PREFIX):
            return None
        kid, _, body = sealed[len(SEALED_PREFIX) :].partition(".")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            return None
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(body.encode(), altchars=b"-_", validate=True)
            opened: bytes = cipher.decrypt(
                raw[:_NONCE_SIZE], raw[_NONCE_SIZE:], _aad(kid, bound_to)
            )
            return opened.decode()
        except (binascii.Error, InvalidTag, ValueError):
            return None


def _aad(kid: str, bound_to: str) -> bytes:
    """The authenticated data: the key id, and the owner when the value has one."""
    return f"{kid}|{bound_to}".encode() if bound_to else kid.encode()


def account_to_store(account: Mapping[str, Any], sealer: TokenSealer | None) -> dict[str, Any]:
    """``account`` as the store gets it: its provider tokens sealed, or left out."""
    stored = {key: value for key, value in account.items() if key not in SECRET_TOKEN_FIELDS}
    if sealer is not None:
        for key in SECRET_TOKEN_FIELDS:
            value = account.get(key)
            if isinstance(value, str):
                stored[key] = sealer.seal(value)
    return stored
