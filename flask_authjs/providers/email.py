"""Sign-in with a link sent by mail (the Auth.js Email provider), safer than the original.

The provider's part is the proof: :meth:`EmailProvider.authenticate` spends a link's
token (posted by the button of the page the link opens, CSRF-checked: a
``form_callback``) and says whose mailbox it proved. Sending the link and the page are
the actions' part (``actions/email_signin.py``); the user (created, or marked verified)
is the pipeline's (``pipeline/linking.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import AuthContext
from ..email_tokens import MAGIC_LINK
from ..emails import normalize_email
from ..errors import VERIFICATION
from ..exceptions import InvalidInput, SignInError
from ..mail import SendFunction
from .base import Identity, Provider, SignInRequest


class EmailProvider(Provider):
    """``EmailProvider(max_age=600, send=None)``: magic links, valid ``max_age`` seconds.

    ``send(message)`` (an :class:`email.message.EmailMessage`) replaces SMTP for every
    mail of the app, so a site may use its own mail service; without it, mail goes
    through ``AUTHJS_SMTP_URL`` (or, in debug and testing, the development outbox).
    ``normalize(email) -> str`` replaces the normal form of addresses; it must raise
    :class:`ValueError` for an address it refuses.
    """

    type = "email"
    form_callback = True

    def __init__(
        self,
        *,
        id: str = "email",
        name: str = "Email",
        max_age: int | None = None,
        send: SendFunction | None = None,
        normalize: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(id=id, name=name)
        if max_age is not None and (isinstance(max_age, bool) or max_age <= 0):
            raise ValueError("max_age must be a positive number of seconds")
        self.max_age = max_age
        self.send = send
        self._normalize = normalize

    def link_max_age(self, context: AuthContext) -> int:
        return self.max_age or context.settings.magic_link_max_age

    def normalize(self, value: object) -> str:
        """The address in its normal form, or :class:`InvalidInput`."""
        email = normalize_email(value)
        if self._normalize is None:
            return email
        try:
            custom = self._normalize(email)
        except ValueError as error:
            raise InvalidInput("email", "is not accepted.") from error
        return normalize_email(custom)

    def authenticate(self, context: AuthContext, sign_in: SignInRequest) -> Identity:
        """Spend the link's token: the email it proved, or ``Verification`` (unknown,
        used, expired, or made for another purpose)."""
        try:
            email = self.normalize(sign_in.params.get("email"))
        except InvalidInput:
            email = ""
        if not email or not context.email_tokens.consume(
            MAGIC_LINK, email, sign_in.params.get("token")
        ):
            raise SignInError(VERIFICATION, "the link is not valid", status=403, page="error")
        account = {"provider": self.id, "type": "email", "providerAccountId": email}
        return Identity(account=account, profile={"email": email})
