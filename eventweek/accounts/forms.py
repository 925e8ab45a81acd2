"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from eventweek.accounts.operations import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from eventweek.textinput import no_control_characters, strip_text


def email_field(label) -> EmailField:
    # Only required and short enough: an address that is not an account's is simply
    # not found, with the same answer as a wrong password. Control characters (NUL above
    # all, which PostgreSQL refuses in text) are a form error, not a failed lookup.
    return EmailField(
        label,
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            no_control_characters(),
        ],
    )


class LoginForm(FlaskForm):
    email = email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Please give your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("This password is too long.")),
        ],
    )


class PasswordResetRequestForm(FlaskForm):
    email = email_field(_l("E-mail address of your account"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(min)d characters. A sentence of a few words is easy to remember.",
            min=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            InputRequired(message=_l("Please choose a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("The password must have between %(min)d and %(max)d characters."),
            ),
        ],
    )
    confirmation = PasswordField(
        _l("New password, once more"),
        validators=[
            InputRequired(message=_l("Please type the new password a second time.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
