"""Flask-WTF forms of the built-in pages: sign-up.

The form validates and normalises; CSRF is checked by the route itself with
:func:`flask_authjs.csrf.csrf_valid` (the Auth.js ``csrfToken`` field, or the header), the
same way as every other auth route, so a ``fetch`` client posting JSON works too.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from .emails import MAX_EMAIL_LENGTH, normalize_email
from .exceptions import InvalidInput
from .passwords import password_problem

MAX_NAME_LENGTH = 100


class SignUpForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    email = EmailField(
        "Email", validators=[DataRequired("Enter your email."), Length(max=MAX_EMAIL_LENGTH)]
    )
    name = StringField("Name", validators=[Optional(), Length(max=MAX_NAME_LENGTH)])
    password = PasswordField("Password", validators=[DataRequired("Choose a password.")])

    #: The email in its one normal form, once :meth:`validate` has passed.
    normalized_email: str = ""

    def validate_email(self, field: Any) -> None:
        try:
            self.normalized_email = normalize_email(field.data)
        except InvalidInput as error:
            raise ValidationError("Enter a single valid email address.") from error

    def validate_password(self, field: Any) -> None:
        problem = password_problem(field.data, for_new_password=True)
        if problem:
            raise ValidationError(problem)
