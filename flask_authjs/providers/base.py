"""What every provider has: an id for URLs, a name for buttons, a type for the protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response

if TYPE_CHECKING:
    from ..context import AuthContext


class Provider:
    type: str = ""

    def __init__(self, *, id: str, name: str) -> None:
        if not id or not id.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"provider id {id!r} must be letters, digits, '-' or '_'")
        self.id = id
        self.name = name

    def describe(self, base_url: str) -> dict[str, Any]:
        """The provider's entry in ``GET {base}/providers``."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "signinUrl": f"{base_url}/signin/{self.id}",
            "callbackUrl": f"{base_url}/callback/{self.id}",
        }

    def start_sign_in(
        self, context: AuthContext, *, callback_url: str, as_json: bool
    ) -> Response | None:
        """``POST {base}/signin/<id>``: a response that starts the flow, or ``None``.

        ``None`` (credentials) sends the user to the sign-in page, where the form is.
        """
        return None

    def handle_callback(self, context: AuthContext) -> Response:
        """``GET|POST {base}/callback/<id>``: finish the flow and sign the user in."""
        raise NotImplementedError
