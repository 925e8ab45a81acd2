"""The organisers' forms: loading figures from a CSV file, and setting the goal."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField
from wtforms.validators import InputRequired, NumberRange, ValidationError


class ImportForm(FlaskForm):
    figures = FileField(
        _l("CSV file of figures"),
        description=_l(
            "UTF-8, with the first line date,scope,key,value,unit,source (see the example below)."
        ),
        validators=[FileRequired(message=_l("Please choose a CSV file."))],
    )

    def validate_figures(self, field):
        field.data.stream.seek(0, 2)
        size = field.data.stream.tell()
        field.data.stream.seek(0)
        limit = current_app.config["METRICS_IMPORT_MAX_BYTES"]
        if size > limit:
            raise ValidationError(
                _l("The file is too large (at most %(size)d MB).", size=limit // 1_000_000)
            )


class GoalForm(FlaskForm):
    target = DecimalField(
        _l("Goal: share of consenting citizens who consult their record (%)"),
        places=1,
        validators=[
            InputRequired(message=_l("Please give the goal, as a percentage.")),
            NumberRange(0, 100, message=_l("The goal is a percentage from 0 to 100.")),
        ],
    )
