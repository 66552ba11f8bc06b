"""A software WebAuthn authenticator for tests: real P-256 keys, real CBOR, real signatures;
and the helpers that walk it through the passkey routes.

It answers the options our server sends exactly as a browser plus a platform authenticator
would (``PublicKeyCredential.toJSON()`` shape), and each answer can be bent on purpose
(another origin, another RP ID, no user verification, a counter going backwards) so the
hostile tests exercise the server's checks rather than a mock's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import post_json_true

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    id: bytes
    key: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    counter: int = 0


def _public_key_credential(
    credential: Credential, response: dict[str, str | list[str]]
) -> dict[str, Any]:
    """``PublicKeyCredential.toJSON()`` of a platform authenticator's answer."""
    return {
        "id": b64url(credential.id),
        "rawId": b64url(credential.id),
        "type": "public-key",
        "response": response,
        "clientExtensionResults": {},
        "authenticatorAttachment": "platform",
    }


@dataclass
class SoftAuthenticator:
    origin: str = "http://localhost"
    user_verified: bool = True
    credentials: list[Credential] = field(default_factory=list)

    def create(self, options: dict[str, Any], **bend: Any) -> dict[str, Any]:
        """Answer ``navigator.credentials.create()`` for ``options`` (the server's JSON)."""
        rp_id = bend.get("rp_id", options["rp"]["id"])
        credential = Credential(
            id=os.urandom(16),
            key=ec.generate_private_key(ec.SECP256R1()),
            user_handle=unb64url(options["user"]["id"]),
            rp_id=rp_id,
        )
        self.credentials.append(credential)
        numbers = credential.key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        attested = bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + cose_key
        auth_data = self._auth_data(rp_id, AT | BE | BS, 0) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], bend)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return _public_key_credential(
            credential,
            {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
        )

    def get(
        self, options: dict[str, Any], credential: Credential | None = None, **bend: Any
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.get()``: sign the challenge with a stored passkey."""
        credential = credential or self.credentials[-1]
        credential.counter += 1
        counter = bend.get("counter", credential.counter)
        auth_data = self._auth_data(bend.get("rp_id", credential.rp_id), BE | BS, counter)
        client_data = self._client_data("webauthn.get", options["challenge"], bend)
        signature = credential.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if "tamper" in bend:
            client_data = client_data.replace(b'"crossOrigin":false', b'"crossOrigin":true ')
        return _public_key_credential(
            credential,
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(bend.get("user_handle", credential.user_handle)),
            },
        )

    def _auth_data(self, rp_id: str, flags: int, counter: int) -> bytes:
        flags |= UP | (UV if self.user_verified else 0)
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", counter)

    def _client_data(self, kind: str, challenge: str, bend: dict[str, Any]) -> bytes:
        data = {
            "type": kind,
            "challenge": bend.get("challenge", challenge),
            "origin": bend.get("origin", self.origin),
            "crossOrigin": False,
        }
        return json.dumps(data, separators=(",", ":")).encode()


# Driving the routes with it.


def options(client: FlaskClient, action: str) -> dict[str, Any]:
    response = client.get(f"/api/auth/webauthn-options/passkey?action={action}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["action"] == action
    return dict(body["options"])


def post_credential(
    client: FlaskClient, action: str, credential: dict[str, Any], **fields: str
) -> Any:
    return post_json_true(
        client, "/api/auth/callback/passkey", action=action, data=json.dumps(credential), **fields
    )


def authenticate(app: Flask, device: SoftAuthenticator, **bend: Any) -> Any:
    """A fresh browser signs in with ``device``'s passkey (bent as asked)."""
    client = app.test_client()
    return post_credential(
        client, "authenticate", device.get(options(client, "authenticate"), **bend)
    )


def register(client: FlaskClient, device: SoftAuthenticator, **fields: str) -> Any:
    return post_credential(client, "register", device.create(options(client, "register")), **fields)
