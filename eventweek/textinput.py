"""Text typed into forms: trimmed, refused when it holds invisible control characters, and
e-mail addresses checked the same way everywhere.

Shared by every form of the site (registration, accounts, partner and back-office forms).
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

LINE_BREAKS = {"\n", "\r", "\t"}


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(allow_line_breaks: bool = False):
    """Refuse invisible control characters (and line breaks in one-line fields)."""
    message = _l("This field contains characters that cannot be used.")

    def check(_form, field):
        for character in field.data or "":
            if allow_line_breaks and character in LINE_BREAKS:
                continue
            if unicodedata.category(character) in ("Cc", "Cs", "Co", "Cn"):
                raise ValidationError(message)

    return check


def email_field(label, description=None) -> EmailField:
    """A required e-mail address, trimmed, with the same plain messages on every form."""
    return EmailField(
        label,
        description=description,
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give an e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(
                message=_l("This e-mail address does not look right (example: name@example.be)."),
                check_deliverability=False,
            ),
        ],
    )


def long_text_field(label, max_length: int) -> TextAreaField:
    """Optional free text over several lines (descriptions, notes), trimmed and bounded."""
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=max_length, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(allow_line_breaks=True),
        ],
    )
