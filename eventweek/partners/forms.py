"""Forms of the partner area (the activity itself uses the shared `ActivityForm`)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from eventweek.partners.slots import fits_in_stand
from eventweek.sessions.models import BRUSSELS, Activity


class HelpSlotForm(FlaskForm):
    """A bookable help slot on the stand's day; set `stand` before validating."""

    start_time = TimeField(
        _l("Start (Brussels time)"),
        validators=[InputRequired(message=_l("Please give the start time."))],
    )
    minutes = IntegerField(
        _l("Duration in minutes"),
        default=20,
        validators=[
            InputRequired(message=_l("Please give the duration in minutes.")),
            NumberRange(
                min=5, max=240, message=_l("Please give a duration from 5 to 240 minutes.")
            ),
        ],
    )
    seats = IntegerField(
        _l("Seats"),
        default=1,
        validators=[
            InputRequired(message=_l("Please give the number of seats.")),
            NumberRange(min=1, max=100, message=_l("Please give a number of seats from 1 to 100.")),
        ],
    )

    stand: Activity | None = None

    def __init__(self, *args, **kwargs):
        # Prefixed: the stand's own form on the same page has a start time too.
        super().__init__(*args, prefix="slot", **kwargs)

    def start_at(self) -> datetime:
        return datetime.combine(
            self.stand.local_start.date(), self.start_time.data, tzinfo=BRUSSELS
        )

    def validate_start_time(self, field):
        minutes = self.minutes.data
        if self.stand is None or field.data is None or not minutes or minutes <= 0:
            return
        if not fits_in_stand(self.stand, self.start_at(), minutes):
            raise ValidationError(
                _l(
                    "The slot must lie within the stand's hours (%(start)s – %(end)s).",
                    start=self.stand.local_start.strftime("%H:%M"),
                    end=self.stand.local_end.strftime("%H:%M"),
                )
            )
