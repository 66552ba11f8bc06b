"""Session cookie formats (``AUTHJS_SESSION_FORMAT``): cookie name, chunk size, token codec.

``"jws"`` is flask-authjs's own signed token. ``"next-auth-v4"`` and ``"authjs-v5"`` are
the encrypted tokens of next-auth 4 and Auth.js v5 under those libraries' own cookie names,
so a Next.js app with the same secret and the Flask app read each other's sessions. The
encrypted formats need joserfc (``pip install 'flask-authjs[nextjs]'``), imported only
when one of them is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cookies import CHUNK_SIZE, MAX_CHUNKS, cookie_prefix
from .exceptions import ConfigurationError
from .sessions import SessionCodec
from .tokens import TokenCodec


@dataclass(frozen=True)
class SessionFormat:
    id: str
    #: The session cookie's name without its https prefix.
    base_name: str
    #: Values longer than this are split into ``name.0``, ``name.1``, ... (each library's own).
    chunk_size: int
    #: Auth.js's own cookie names (``__Secure-`` on https, so that Next.js reads them);
    #: our own format takes ``__Host-`` (:func:`cookies.cookie_prefix`).
    authjs_names: bool

    def cookie_name(self, secure: bool) -> str:
        return cookie_prefix(secure, authjs_names=self.authjs_names) + self.base_name


JWS = SessionFormat("jws", "authjs.session-token", CHUNK_SIZE, authjs_names=False)
NEXT_AUTH_V4 = SessionFormat(
    "next-auth-v4", "next-auth.session-token", 4096 - 163, authjs_names=True
)
AUTHJS_V5 = SessionFormat("authjs-v5", "authjs.session-token", 4096 - 160, authjs_names=True)
FORMATS = {fmt.id: fmt for fmt in (JWS, NEXT_AUTH_V4, AUTHJS_V5)}


def session_codecs(
    fmt: SessionFormat, secrets: Sequence[str], *, algorithm: str, max_lifetime: int
) -> dict[bool, SessionCodec]:
    """The codec for the plain (``False``) and the https (``True``) session cookie.

    Only Auth.js v5 salts the key with the cookie name, so only it needs two codecs.
    """
    if fmt is JWS:
        codec: SessionCodec = TokenCodec(
            secrets, "session", algorithm=algorithm, max_lifetime=max_lifetime
        )
        return {False: codec, True: codec}
    try:
        from .jwe import JWECodec
    except ImportError as error:
        raise ConfigurationError(
            "AUTHJS_SESSION_FORMAT",
            f"{fmt.id!r} needs joserfc, which is not installed ({error}).",
            "pip install 'flask-authjs[nextjs]'.",
        ) from None
    max_size = MAX_CHUNKS * fmt.chunk_size
    if fmt is NEXT_AUTH_V4:
        codec = JWECodec(secrets, salt="", v5=False, max_lifetime=max_lifetime, max_size=max_size)
        return {False: codec, True: codec}
    return {
        secure: JWECodec(
            secrets,
            salt=fmt.cookie_name(secure),
            v5=True,
            max_lifetime=max_lifetime,
            max_size=max_size,
        )
        for secure in (False, True)
    }
