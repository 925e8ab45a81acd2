"""The award's forms: a nomination, a juror's scores, an organiser's decisions."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from eventweek.awards.attachments import is_pdf
from eventweek.awards.models import MetricTransform
from eventweek.metrics.keys import METRIC_KEYS
from eventweek.textinput import long_text_field, no_control_characters, strip_text


def text_field(label, max_length: int = 200, required: str | None = None) -> StringField:
    """One line of text, trimmed and bounded; `required` is the message when it is empty."""
    validators = [
        Length(max=max_length, message=_l("Please keep this under %(max)d characters.")),
        no_control_characters(),
    ]
    if required:
        validators.insert(0, InputRequired(message=required))
    return StringField(label, filters=[strip_text], validators=validators)


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
    contact = text_field(
        _l("Contact person (name and e-mail or phone)"),
        required=_l("Please give a contact person."),
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
    reason = text_field(_l("Reason"), 500, required=_l("Please give the reason."))


class ConflictForm(FlaskForm):
    reason = text_field(
        _l("Why (seen by the organisers only)"), 500, required=_l("Please give the reason.")
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
    reason = text_field(_l("Reason"), 500, required=_l("Please give the reason."))


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


class CycleForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Please give the year.")),
            NumberRange(2016, 2100, message=_l("Please give a year from 2016 to 2100.")),
        ],
    )
    reference_start = DateField(
        _l("Reference period: first day"),
        validators=[InputRequired(message=_l("Please give a date."))],
    )
    reference_end = DateField(
        _l("Reference period: last day"),
        validators=[InputRequired(message=_l("Please give a date."))],
    )
    min_jurors = IntegerField(
        _l("Minimum jury scores per criterion"),
        default=2,
        validators=[
            InputRequired(message=_l("Please give a number.")),
            NumberRange(1, 50, message=_l("Please give a number from 1 to 50.")),
        ],
    )
    normalisation = BooleanField(_l("Normalise each juror's scores"))

    def validate_reference_end(self, field):
        if self.reference_start.data and field.data and field.data < self.reference_start.data:
            raise ValidationError(_l("The period must end on or after its first day."))


class CategoryForm(FlaskForm):
    key = text_field(
        _l("Identifier (letters, digits and dashes)"), 64, required=_l("Please fill in this field.")
    )
    name_fr = text_field(_l("Name in French"), required=_l("Please fill in this field."))
    name_nl = text_field(_l("Name in Dutch"))
    name_en = text_field(_l("Name in English"))
    outcome_mode = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("ranking", _l("Ranking: a winner and runners-up")),
            SelectChoice("medals", _l("Medals: gold, silver or bronze by level reached")),
        ],
    )
    gold_threshold = DecimalField(
        _l("Gold from (total)"), validators=[Optional(), NumberRange(0, 10)]
    )
    silver_threshold = DecimalField(
        _l("Silver from (total)"), validators=[Optional(), NumberRange(0, 10)]
    )
    bronze_threshold = DecimalField(
        _l("Bronze from (total)"), validators=[Optional(), NumberRange(0, 10)]
    )

    def validate_key(self, field):
        if not re.fullmatch(r"[a-z0-9-]+", field.data or ""):
            raise ValidationError(_l("Use lower-case letters, digits and dashes only."))


class CriterionForm(FlaskForm):
    category_id = SelectField(
        _l("Category"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose the category."))],
    )
    name_fr = text_field(_l("Name in French"), required=_l("Please fill in this field."))
    name_nl = text_field(_l("Name in Dutch"))
    name_en = text_field(_l("Name in English"))
    description_fr = long_text_field(_l("Description in French"), 1000)
    description_nl = long_text_field(_l("Description in Dutch"), 1000)
    description_en = long_text_field(_l("Description in English"), 1000)
    weight = DecimalField(
        _l("Weight"),
        validators=[
            InputRequired(message=_l("Please give a weight.")),
            NumberRange(min=0.001, max=1000, message=_l("The weight is a positive number.")),
        ],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("jury", _l("Scored by the jury (0 to 10)")),
            SelectChoice("metric", _l("Measured from the network's figures")),
        ],
    )
    # Checked below, and only for measured criteria: a jury criterion sends neither.
    metric_key = SelectField(_l("Figure (measured criteria)"), validate_choice=False)
    metric_transform = SelectField(
        _l("Computed as (measured criteria)"),
        choices=[
            SelectChoice("period_value", _l("The figure over the reference period")),
            SelectChoice("growth", _l("Its growth against the previous period (%)")),
            SelectChoice("per_100_beds", _l("Per 100 beds")),
        ],
        validate_choice=False,
    )

    def validate_metric_key(self, field):
        if self.kind.data != "metric":
            return
        if field.data not in METRIC_KEYS:
            raise ValidationError(_l("Please choose the figure a measured criterion reads."))

    def validate_metric_transform(self, field):
        if self.kind.data == "metric" and field.data not in set(MetricTransform):
            raise ValidationError(_l("Please choose how the figure is computed."))


class JurorForm(FlaskForm):
    user_id = SelectField(_l("Juror"), coerce=int, validators=[InputRequired()])
    organisation_ids = SelectMultipleField(
        _l("Organisations the juror is affiliated with (they will not see their nominations)"),
        coerce=int,
    )
