"""Passkeys (WebAuthn) as a provider: ceremonies on ``webauthn`` (py_webauthn), nothing more.

The provider makes the options a browser needs and verifies what the browser sends back:
registration yields an :class:`~flask_authjs.adapters.Authenticator` to store,
authentication (:meth:`PasskeyProvider.authenticate`) an :class:`Identity`: the user the
passkey belongs to. The challenge lives in :mod:`.passkey_challenge`; the routes in
``actions/passkey.py``; the rest of a sign-in is the pipeline's.

The relying party ID is the host of ``AUTHJS_URL`` and the only accepted origin is
``AUTHJS_URL`` itself. User verification is required by default, so a passkey proves
possession *and* a PIN or biometric: it satisfies both factors of two-factor sign-in.
A signature counter that does not move forward (a cloned authenticator, or a replay) is
refused and logged; authenticators that keep no counter (always 0) are allowed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..adapters import Authenticator, User
from ..context import AuthContext
from ..errors import TOO_MANY_ATTEMPTS, WEBAUTHN_VERIFICATION
from ..exceptions import ConfigurationError, SignInError
from . import passkey_challenge
from .base import Identity, Provider, SignInRequest

try:
    import webauthn
    from webauthn.helpers import bytes_to_base64url, options_to_json_dict
    from webauthn.helpers.exceptions import WebAuthnException
    from webauthn.helpers.parse_authentication_credential_json import (
        parse_authentication_credential_json,
    )
    from webauthn.helpers.parse_registration_credential_json import (
        parse_registration_credential_json,
    )
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )
except ImportError:  # pragma: no cover - exercised by an install without the extra
    webauthn = None  # type: ignore[assignment]

log = logging.getLogger("flask_authjs.passkey")

USER_VERIFICATION = ("required", "preferred", "discouraged")
MAX_NAME_LENGTH = 64


class PasskeyRejected(Exception):
    """The browser's answer did not verify; the message is for the log, not the user."""


@dataclass(frozen=True)
class PasskeyUse:
    """A verified authentication: whose passkey, and whether the user was verified."""

    user: dict[str, Any]
    authenticator: Authenticator
    user_verified: bool


def _b64url_bytes(value: str) -> bytes:
    return bytes(webauthn.base64url_to_bytes(value))


class PasskeyProvider(Provider):
    """Sign in with a passkey (discoverable credential); add passkeys to an account.

    ``user_verification="required"`` (the default) refuses an authenticator that did not
    check a PIN or biometric; ``timeout`` is how many seconds a ceremony may take.
    """

    type = "webauthn"
    #: Posted by our own script from our pages: POST only, CSRF-checked.
    form_callback = True

    def __init__(
        self,
        *,
        id: str = "passkey",
        name: str = "Passkey",
        rp_name: str | None = None,
        user_verification: str = "required",
        timeout: int = 300,
    ) -> None:
        if webauthn is None:
            raise ConfigurationError(
                "PasskeyProvider",
                "needs the webauthn package.",
                "pip install 'flask-authjs[passkeys]'",
            )
        if user_verification not in USER_VERIFICATION:
            raise ConfigurationError(
                "PasskeyProvider",
                f"user_verification={user_verification!r} is not allowed.",
                f"use one of {USER_VERIFICATION}.",
            )
        super().__init__(id=id, name=name)
        self.rp_name = rp_name
        self.user_verification = user_verification
        self.timeout = timeout

    @property
    def requires_user_verification(self) -> bool:
        return self.user_verification == "required"

    def rp_id(self, context: AuthContext) -> str:
        host = urlsplit(context.origin()).hostname
        assert host is not None  # origins are validated at start-up or per request
        return host

    # Options.

    def registration_options(
        self, context: AuthContext, user: User, existing: list[Authenticator], challenge: bytes
    ) -> dict[str, Any]:
        options = webauthn.generate_registration_options(
            rp_id=self.rp_id(context),
            rp_name=self.rp_name or self.rp_id(context),
            user_name=user["email"],
            user_display_name=user["name"] or user["email"],
            user_id=user["id"].encode(),
            challenge=challenge,
            timeout=self.timeout * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement(self.user_verification),
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=_b64url_bytes(a["credential_id"]))
                for a in existing
            ],
        )
        return dict(options_to_json_dict(options))

    def authentication_options(self, context: AuthContext, challenge: bytes) -> dict[str, Any]:
        """No ``allowCredentials``: the browser offers the user's discoverable passkeys."""
        options = webauthn.generate_authentication_options(
            rp_id=self.rp_id(context),
            challenge=challenge,
            timeout=self.timeout * 1000,
            user_verification=UserVerificationRequirement(self.user_verification),
        )
        return dict(options_to_json_dict(options))

    # Signing in: the pipeline's provider interface.

    def authenticate(self, context: AuthContext, sign_in: SignInRequest) -> Identity:
        """``POST {base}/callback/<id>`` with ``action=authenticate`` and ``data``."""
        limiter = context.rate_limiter
        reservation = limiter.reserve(limiter.sign_in_limits(None, sign_in.remote_addr))
        if reservation.retry_after is not None:
            raise SignInError(
                TOO_MANY_ATTEMPTS, "rate limited", status=429, retry_after=reservation.retry_after
            )
        data = sign_in.params.get("data")
        try:
            if sign_in.params.get("action") != "authenticate" or not isinstance(data, str):
                raise PasskeyRejected("send action=authenticate and the credential as data")
            challenge = passkey_challenge.take(
                context, sign_in.cookies, action="authenticate", max_age=self.timeout
            )
            if challenge is None:
                raise PasskeyRejected("no valid challenge (missing, expired, or used)")
            use = self.verify_authentication(context, data, challenge.value)
        except PasskeyRejected as rejected:  # the attempt stays counted
            raise SignInError(WEBAUTHN_VERIFICATION, f"passkey refused: {rejected}") from None
        limiter.release(reservation)
        account = {
            "provider": self.id,
            "type": "webauthn",
            "providerAccountId": use.authenticator["credential_id"],
            # Read by the two-factor gate: a verified passkey is both factors.
            "userVerified": use.user_verified,
        }
        return Identity(account=account, user=use.user)

    def cleanup_cookies(self, context: AuthContext) -> list[str]:
        return [passkey_challenge.clear(context)]

    # Verification.

    def verify_registration(
        self, context: AuthContext, data: str, challenge: bytes, user_id: str, name: str
    ) -> Authenticator:
        try:
            credential = parse_registration_credential_json(_json_object(data))
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id(context),
                expected_origin=context.origin(),
                require_user_verification=self.requires_user_verification,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError) as error:
            raise PasskeyRejected(f"registration did not verify: {error}") from error
        transports = credential.response.transports or []
        return Authenticator(
            credential_id=bytes_to_base64url(verified.credential_id),
            user_id=user_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            counter=verified.sign_count,
            transports=[t.value for t in transports],
            device_type=verified.credential_device_type.value,
            backed_up=verified.credential_backed_up,
            name=name.strip()[:MAX_NAME_LENGTH] or "Passkey",
            created_at=context.now(),
            last_used_at=None,
        )

    def verify_authentication(
        self, context: AuthContext, data: str, challenge: bytes
    ) -> PasskeyUse:
        try:
            credential = parse_authentication_credential_json(_json_object(data))
        except (WebAuthnException, ValueError, TypeError, KeyError) as error:
            raise PasskeyRejected(f"unreadable assertion: {error}") from error
        store = context.adapter
        stored = store.get_authenticator(credential.id)
        if stored is None:
            raise PasskeyRejected("unknown credential")
        handle = credential.response.user_handle
        if handle is not None and handle != stored["user_id"].encode():
            raise PasskeyRejected("the user handle does not match the credential's user")
        try:
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id(context),
                expected_origin=context.origin(),
                credential_public_key=_b64url_bytes(stored["public_key"]),
                credential_current_sign_count=stored["counter"],
                require_user_verification=self.requires_user_verification,
            )
        except (WebAuthnException, ValueError, TypeError) as error:
            if "sign count" in str(error):
                log.warning(
                    "flask-authjs: passkey %s… of user %s: signature counter did not advance "
                    "(stored %d); possibly a cloned authenticator. Refused.",
                    stored["credential_id"][:8],
                    stored["user_id"],
                    stored["counter"],
                )
            raise PasskeyRejected(f"assertion did not verify: {error}") from error
        if not store.update_authenticator_counter(
            stored["credential_id"],
            stored["counter"],
            verified.new_sign_count,
            backed_up=verified.credential_backed_up,
            used_at=context.now(),
        ):
            raise PasskeyRejected("the counter moved while this assertion was checked (a replay)")
        user = store.get_user(stored["user_id"])
        if user is None:
            raise PasskeyRejected("the passkey's user no longer exists")
        return PasskeyUse(
            user={key: user[key] for key in ("id", "name", "email", "image")},
            authenticator=stored,
            user_verified=verified.user_verified,
        )


def _json_object(data: str) -> dict[str, Any]:
    value = json.loads(data)
    if not isinstance(value, dict):
        raise ValueError("the credential is not a JSON object")
    return value
