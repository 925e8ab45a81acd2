"""The registration form: short, forgiving, and clear about what is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from eventweek.i18n import LANGUAGE_NAMES
from eventweek.registrations.operations import RegistrationRequest
from eventweek.textinput import email_field, no_control_characters, strip_text


class RegistrationForm(FlaskForm):
    full_name = StringField(
        _l("Your full name"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give your name.")),
            Length(max=120, message=_l("Please keep the name under %(max)d characters.")),
            no_control_characters(),
        ],
    )
    email = email_field(
        _l("Your e-mail address"),
        description=_l("We send your confirmation and your personal link there."),
    )
    phone = TelField(
        _l("Phone number (optional)"),
        description=_l("Only to reach you if the session changes at the last minute."),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=40, message=_l("This phone number is too long.")),
            Regexp(
                r"^\+?[0-9 ./()-]{6,}$",
                message=_l(
                    "Please write the phone number with digits only (example: 02 123 45 67)."
                ),
            ),
        ],
    )
    language = SelectField(
        _l("Language for our e-mails"),
        choices=[
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in LANGUAGE_NAMES.items()
        ],
        validators=[InputRequired(message=_l("Please choose a language."))],
    )
    accessibility_needs = TextAreaField(
        _l("Do you need anything to take part? (optional)"),
        description=_l("For example: wheelchair access, hearing loop, someone to help you."),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=1000, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(allow_line_breaks=True),
        ],
    )
    on_behalf_of = StringField(
        _l("Registering someone else? Your name (optional)"),
        description=_l("Fill this in if you are a trusted person registering someone else."),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=120, message=_l("Please keep the name under %(max)d characters.")),
            no_control_characters(),
        ],
    )
    consent = BooleanField(
        _l(
            "I agree that my data is used to organise this session, as the privacy notice explains."
        ),
        validators=[InputRequired(message=_l("Please tick this box to register."))],
    )
    confirm_overlap = BooleanField(_l("Yes, register me for this session as well."))

    def to_request(self, activity_id: int) -> RegistrationRequest:
        return RegistrationRequest(
            activity_id=activity_id,
            full_name=self.full_name.data,
            email=self.email.data,
            language=self.language.data,
            phone=self.phone.data or None,
            accessibility_needs=self.accessibility_needs.data or None,
            on_behalf_of=self.on_behalf_of.data or None,
            confirm_overlap=bool(self.confirm_overlap.data),
        )
