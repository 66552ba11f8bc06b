"""Auth.js's encrypted session tokens (JWE ``dir``), read and written with joserfc.

Two formats, as the JavaScript libraries write them:

- next-auth 4 (``next-auth/jwt``): ``A256GCM`` under a 32-byte key from HKDF-SHA256 of the
  secret, empty salt, info ``NextAuth.js Generated Encryption Key``; no ``kid``.
- Auth.js v5 (``@auth/core/jwt``): ``A256CBC-HS512`` (``A256GCM`` is also read) under a key
  from HKDF-SHA256 with the cookie name as salt and ``Auth.js Generated Encryption Key
  (<cookie name>)`` as info, 64 bytes for CBC-HS512, 32 for GCM. The ``kid`` header is the
  RFC 7638 thumbprint of the key (SHA-512 for 64-byte keys, SHA-256 for 32), which picks the
  secret out of a rotated list; a token without ``kid`` is tried with the first secret only.

Because the cookie name salts the v5 key, a token made for ``__Secure-authjs.session-token``
never decrypts under ``authjs.session-token``, and a v5 token never decrypts as v4.

Decoding is strict, whatever the JavaScript side would tolerate: a size cap before any
crypto, only ``dir`` with the encryptions above (so no ``zip``: no decompression bomb), only
registered header names, joserfc's constant-time tag check, and the claim checks of
:class:`~flask_authjs.tokens.VerifyingCodec` with Auth.js's 15 s clock tolerance on ``exp``.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe, jwk
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from .tokens import CLOCK_SKEW, DEFAULT_CACHE_SIZE, Claims, VerifyingCodec

CBC_HS512 = "A256CBC-HS512"
GCM = "A256GCM"
#: Key bytes for each content encryption, as ``@auth/core`` derives them.
KEY_LENGTHS = {CBC_HS512: 64, GCM: 32}
#: Seconds past ``exp`` a token still counts: ``clockTolerance`` in both libraries.
CLOCK_TOLERANCE = 15
V4_INFO = "NextAuth.js Generated Encryption Key"
V5_INFO = "Auth.js Generated Encryption Key"


def derive_key(secret: str, *, salt: str, info: str, length: int) -> bytes:
    """HKDF-SHA256, as ``@panva/hkdf`` computes it for both libraries."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt.encode(), info=info.encode())
    return hkdf.derive(secret.encode())


def thumbprint(key: bytes) -> str:
    """The ``kid`` Auth.js v5 writes: the key's RFC 7638 thumbprint, SHA-(key bits)."""
    k = base64.urlsafe_b64encode(key).rstrip(b"=").decode()
    return jwk.thumbprint({"kty": "oct", "k": k}, "sha512" if len(key) == 64 else "sha256")


class JWECodec(VerifyingCodec):
    """One session cookie's tokens in next-auth 4's (``v5=False``) or Auth.js v5's format.

    ``salt`` is the cookie name for v5 and empty for next-auth 4's session token. The first
    secret encrypts; all of them decrypt (a v5 ``kid`` says which).
    """

    expiry_leeway = CLOCK_TOLERANCE

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        salt: str,
        v5: bool,
        max_lifetime: int,
        max_size: int,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if not secrets:
            raise ValueError("at least one secret is required")
        super().__init__(max_lifetime=max_lifetime, cache_size=cache_size)
        self._v5 = v5
        self._max_size = max_size
        if v5:
            info, encryptions = f"{V5_INFO} ({salt})", [CBC_HS512, GCM]
        else:
            info, encryptions = V4_INFO + (f" ({salt})" if salt else ""), [GCM]
        self._registry = jwe.JWERegistry(algorithms=["dir", *encryptions])
        #: Per encryption: (kid, key) for each secret, in the order given.
        self._keys: dict[str, list[tuple[str, OctKey]]] = {}
        for enc in encryptions:
            raw = [derive_key(s, salt=salt, info=info, length=KEY_LENGTHS[enc]) for s in secrets]
            self._keys[enc] = [(thumbprint(key), OctKey.import_key(key)) for key in raw]
        self._enc = encryptions[0]
        kid, self._signing_key = self._keys[self._enc][0]
        self._header = {"alg": "dir", "enc": self._enc, **({"kid": kid} if v5 else {})}

    def encode(self, claims: Mapping[str, Any], *, now: int, max_age: int) -> str:
        payload = {**claims, "iat": now, "exp": now + max_age, "jti": str(uuid.uuid4())}
        plaintext = json.dumps(payload, separators=(",", ":"))
        return jwe.encrypt_compact(
            self._header, plaintext, self._signing_key, registry=self._registry
        )

    def _verify(self, token: str, now: int) -> Claims | None:
        if not isinstance(token, str) or len(token) > self._max_size or token.count(".") != 4:
            return None
        try:
            plaintext = self._decrypt(token)
            claims = json.loads(plaintext) if plaintext is not None else None
        except (JoseError, ValueError, TypeError, RecursionError):
            return None
        if not self._well_formed(claims) or claims["iat"] > now + CLOCK_SKEW:
            return None
        nbf = claims.get("nbf")
        if nbf is not None and (type(nbf) is not int or nbf > now + CLOCK_TOLERANCE):
            return None
        return claims

    def _decrypt(self, token: str) -> bytes | None:
        header = json.loads(base64.urlsafe_b64decode(_padded(token.partition(".")[0])))
        for key in self._candidates(header):
            try:
                return jwe.decrypt_compact(token, key, registry=self._registry).plaintext
            except JoseError:
                continue
        return None

    def _candidates(self, header: object) -> list[OctKey]:
        """The keys worth trying: the ``kid``'s, or the first secret's (every secret's in v4)."""
        if not isinstance(header, dict) or header.get("alg") != "dir":
            return []
        keys = self._keys.get(header.get("enc"))  # type: ignore[arg-type]
        if keys is None:
            return []
        kid = header.get("kid")
        if kid is not None:
            return [key for key_id, key in keys if key_id == kid]
        return [keys[0][1]] if self._v5 else [key for _, key in keys]


def _padded(segment: str) -> str:
    return segment + "=" * (-len(segment) % 4)
