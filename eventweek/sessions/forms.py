"""The activity form, shared by the partner area and the organiser back-office."""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from eventweek.sessions import labels
from eventweek.sessions.models import BRUSSELS, ActivityKind, Audience, Edition
from eventweek.textinput import long_text_field, no_control_characters, strip_text

NEW_VENUE = 0
ONLINE = -1


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def title_field(label):
    return StringField(
        label,
        filters=[strip_text],
        validators=[
            # Not InputRequired: that checks the raw input, so spaces alone would pass.
            DataRequired(message=_l("Please give the title in this language.")),
            Length(max=200, message=_l("Please keep the title under %(max)d characters.")),
            no_control_characters(),
        ],
    )


def description_field(label):
    return long_text_field(label, 5000)


class ActivityForm(FlaskForm):
    """Set `edition`, `confirmed_count` and the choices of `kind` and `venue_id` before
    validating (see `prepare`)."""

    kind = SelectField(_l("Kind of activity"))
    audience = SelectField(
        _l("Audience"),
        choices=[SelectChoice(a.value, labels.AUDIENCES[a]) for a in Audience],
    )
    title_fr = title_field(_l("Title in French"))
    title_nl = title_field(_l("Title in Dutch"))
    title_en = title_field(_l("Title in English"))
    description_fr = description_field(_l("Description in French"))
    description_nl = description_field(_l("Description in Dutch"))
    description_en = description_field(_l("Description in English"))
    languages = CheckboxesField(
        _l("Languages spoken"),
        choices=[SelectChoice(code, name) for code, name in labels.LANGUAGES.items()],
        validators=[InputRequired(message=_l("Please tick at least one language."))],
    )
    day = DateField(_l("Day"), validators=[InputRequired(message=_l("Please give the day."))])
    start_time = TimeField(
        _l("Start (Brussels time)"),
        validators=[InputRequired(message=_l("Please give the start time."))],
    )
    end_time = TimeField(
        _l("End (Brussels time)"),
        validators=[InputRequired(message=_l("Please give the end time."))],
    )
    confirm_outside_week = BooleanField(_l("Yes, this activity takes place outside the week."))
    venue_id = SelectField(_l("Place"), coerce=int)
    venue_name = StringField(
        _l("Name of the new place"),
        filters=[strip_text],
        validators=[Optional(), Length(max=200), no_control_characters()],
    )
    venue_street = StringField(
        _l("Street and number"),
        filters=[strip_text],
        validators=[Optional(), Length(max=200), no_control_characters()],
    )
    venue_postcode = StringField(
        _l("Postcode"),
        filters=[strip_text],
        validators=[Optional(), Length(max=10), no_control_characters()],
    )
    venue_city = StringField(
        _l("Municipality"),
        filters=[strip_text],
        validators=[Optional(), Length(max=100), no_control_characters()],
    )
    online_url = URLField(
        _l("Link to join online"),
        filters=[strip_text],
        validators=[
            Optional(),
            URL(message=_l("Please give a full web address (https://…).")),
            Length(max=500),
        ],
    )
    registration_required = BooleanField(_l("Registration required"))
    capacity = IntegerField(
        _l("Number of seats (leave empty for no limit)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000, message=_l("Please give a number of seats from 0.")),
        ],
    )
    waitlist_enabled = BooleanField(_l("Keep a waiting list when it is full"), default=True)
    registration_opens_day = DateField(
        _l("Registration opens on (optional)"), validators=[Optional()]
    )
    registration_closes_day = DateField(
        _l("Registration closes on (optional)"), validators=[Optional()]
    )

    edition: Edition | None = None
    confirmed_count: int = 0

    def prepare(self, *, edition: Edition, kinds, venues, confirmed_count: int = 0) -> ActivityForm:
        self.edition = edition
        self.confirmed_count = confirmed_count
        self.kind.choices = [SelectChoice(k.value, labels.KINDS[k]) for k in kinds]
        self.venue_id.choices = [
            SelectChoice(ONLINE, _l("Online (no venue)")),
            *[SelectChoice(v.id, f"{v.name}, {v.full_address}") for v in venues],
            SelectChoice(NEW_VENUE, _l("A new place (fill in below)")),
        ]
        return self

    def start_at(self) -> datetime:
        return datetime.combine(self.day.data, self.start_time.data, tzinfo=BRUSSELS)

    def end_at(self) -> datetime:
        return datetime.combine(self.day.data, self.end_time.data, tzinfo=BRUSSELS)

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_day(self, field):
        edition = self.edition
        if not (edition and field.data) or self.confirm_outside_week.data:
            return
        if not edition.first_day <= field.data <= edition.last_day:
            raise ValidationError(
                _l(
                    "This day is outside the week (%(first)s – %(last)s). Tick the box below "
                    "to confirm.",
                    first=edition.first_day.isoformat(),
                    last=edition.last_day.isoformat(),
                )
            )

    def validate_capacity(self, field):
        if field.errors:  # a negative number: "0 people already have a place" says nothing
            return
        if field.data is not None and field.data < self.confirmed_count:
            raise ValidationError(
                _l(
                    "%(count)d people already have a confirmed place: the number of seats "
                    "cannot be lower.",
                    count=self.confirmed_count,
                )
            )

    def validate_venue_id(self, field):
        if field.data == ONLINE and not self.online_url.data:
            raise ValidationError(_l("An online activity needs its link below."))
        if field.data == NEW_VENUE and not all(
            (
                self.venue_name.data,
                self.venue_street.data,
                self.venue_postcode.data,
                self.venue_city.data,
            )
        ):
            raise ValidationError(_l("Please fill in the name and full address of the new place."))

    def validate_registration_closes_day(self, field):
        if field.data and self.day.data and field.data > self.day.data:
            raise ValidationError(_l("Registration must close before the activity ends."))
        opens = self.registration_opens_day.data
        if field.data and opens and field.data < opens:
            raise ValidationError(_l("Registration must open before it closes."))

    def new_venue(self) -> dict | None:
        if self.venue_id.data != NEW_VENUE:
            return None
        return {
            "name": self.venue_name.data,
            "street": self.venue_street.data,
            "postcode": self.venue_postcode.data,
            "city": self.venue_city.data,
        }

    def values(self, venue_id: int | None) -> dict:
        """The activity's fields as the operations take them (`venue_id` resolved by the
        caller: an existing venue, a venue just created, or None for online)."""
        opens, closes = self.registration_opens_day.data, self.registration_closes_day.data
        return {
            "kind": ActivityKind(self.kind.data),
            "audience": Audience(self.audience.data),
            "title_fr": self.title_fr.data,
            "title_nl": self.title_nl.data,
            "title_en": self.title_en.data,
            "description_fr": self.description_fr.data or "",
            "description_nl": self.description_nl.data or "",
            "description_en": self.description_en.data or "",
            "languages": sorted(self.languages.data),
            "start_at": self.start_at(),
            "end_at": self.end_at(),
            "venue_id": venue_id,
            "online_url": self.online_url.data or None,
            "registration_required": self.registration_required.data,
            "capacity": self.capacity.data,
            "waitlist_enabled": self.waitlist_enabled.data,
            "registration_opens_at": (
                datetime.combine(opens, time(0, 0), tzinfo=BRUSSELS) if opens else None
            ),
            # Closing "on" a day means at the end of that day, or when the activity starts.
            "registration_closes_at": (
                min(datetime.combine(closes, time(23, 59), tzinfo=BRUSSELS), self.start_at())
                if closes
                else None
            ),
        }

    def fill_from(self, activity) -> None:
        """Show an existing activity in the form (GET of the edit page)."""
        self.kind.data = activity.kind.value
        self.audience.data = activity.audience.value
        for name in (
            "title_fr",
            "title_nl",
            "title_en",
            "description_fr",
            "description_nl",
            "description_en",
            "online_url",
            "capacity",
            "waitlist_enabled",
            "registration_required",
        ):
            getattr(self, name).data = getattr(activity, name)
        self.languages.data = activity.languages
        self.day.data = activity.local_start.date()
        # Already accepted outside the week: saving again need not ask once more.
        self.confirm_outside_week.data = bool(
            self.edition and not self.edition.first_day <= self.day.data <= self.edition.last_day
        )
        self.start_time.data = activity.local_start.time()
        self.end_time.data = activity.local_end.time()
        self.venue_id.data = activity.venue_id if activity.venue_id else ONLINE
        opens, closes = activity.registration_opens_at, activity.registration_closes_at
        self.registration_opens_day.data = opens.astimezone(BRUSSELS).date() if opens else None
        self.registration_closes_day.data = closes.astimezone(BRUSSELS).date() if closes else None
