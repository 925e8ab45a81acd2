"""The award's forms: a nomination, a juror's scores, an organiser's decisions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from eventweek.awards.attachments import is_pdf
from eventweek.textinput import long_text_field, no_control_characters, strip_text


class NominationForm(FlaskForm):
    organisation_id = SelectField(
        _l("Hospital"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose the hospital."))],
    )
    category_id = SelectField(
        _l("Category"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose the category."))],
    )
    motivation = TextAreaField(
        _l("Motivation"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please say why this hospital deserves the award.")),
            no_control_characters(allow_line_breaks=True),
        ],
    )
    projects = long_text_field(_l("Data-sharing projects to consider"), 3000)
    contact = StringField(
        _l("Contact person (name and e-mail or phone)"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give a contact person.")),
            Length(max=200, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(),
        ],
    )

    attachments = MultipleFileField(
        _l("Attachments (PDF, optional)"),
    )

    def validate_attachments(self, field):
        limit = current_app.config["AWARD_ATTACHMENT_MAX_BYTES"]
        self.attachment_files = []
        for upload in field.data or []:
            if not getattr(upload, "filename", ""):
                continue  # the empty part browsers send when no file is chosen
            data = upload.read(limit + 1)
            if len(data) > limit:
                raise ValidationError(
                    _l(
                        "%(name)s is too large (at most %(size)d MB).",
                        name=upload.filename,
                        size=limit // 1_000_000,
                    )
                )
            if not is_pdf(data):
                raise ValidationError(_l("%(name)s is not a PDF file.", name=upload.filename))
            self.attachment_files.append((upload.filename, data))

    def prepare(self, organisations, categories, max_length: int) -> NominationForm:
        self.organisation_id.choices = [SelectChoice(o.id, o.text("name")) for o in organisations]
        self.category_id.choices = [SelectChoice(c.id, c.text("name")) for c in categories]
        self.attachments.description = _l(
            "PDF files only, each at most %(size)d MB; seen by the jury and the organisers only.",
            size=current_app.config["AWARD_ATTACHMENT_MAX_BYTES"] // 1_000_000,
        )
        self.motivation.validators = [
            *self.motivation.validators,
            Length(max=max_length, message=_l("Please keep this under %(max)d characters.")),
        ]
        return self


class EligibilityForm(FlaskForm):
    eligible = SelectField(
        _l("Decision"),
        choices=[SelectChoice("yes", _l("Eligible")), SelectChoice("no", _l("Not eligible"))],
        validators=[InputRequired()],
    )
    reason = StringField(
        _l("Reason"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give the reason.")),
            Length(max=500, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(),
        ],
    )


class ConflictForm(FlaskForm):
    reason = StringField(
        _l("Why (seen by the organisers only)"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give the reason.")),
            Length(max=500, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(),
        ],
    )
    confirm = BooleanField(
        _l("I have a conflict of interest with this nomination and will not score it."),
        validators=[InputRequired(message=_l("Please confirm."))],
    )


class TieForm(FlaskForm):
    order = StringField(
        _l("Order decided by the jury (nomination numbers, first placed highest, comma-separated)"),
        filters=[strip_text],
        validators=[InputRequired(message=_l("Please give the order."))],
    )
    reason = StringField(
        _l("Reason"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give the reason.")),
            Length(max=500, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(),
        ],
    )


def parse_score(raw: str | None) -> Decimal | None:
    """A score typed by a juror: empty is "not yet"; "7,5" and "7.5" are both 7.5.

    Raises ValidationError with the reason for anything else.
    """
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_l("Please give a number from 0 to 10.")) from None
    if not value.is_finite() or not 0 <= value <= 10:
        raise ValidationError(_l("Please give a number from 0 to 10."))
    if (value * 2) % 1 != 0:
        raise ValidationError(_l("Scores go by whole or half points (7 or 7.5)."))
    return value
