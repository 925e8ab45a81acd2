"""The back-office's activity forms: the shared activity form with the organisation to
create it for, and the comments that go with sending back and cancelling."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eventweek.sessions.forms import ActivityForm
from eventweek.textinput import no_control_characters, strip_text


class NewActivityForm(ActivityForm):
    """An organiser creates an activity for any organisation: call `with_organisations`
    as well as `prepare`."""

    organisation_id = SelectField(
        _l("Organisation"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose the organisation."))],
    )

    def with_organisations(self, organisations) -> NewActivityForm:
        self.organisation_id.choices = [
            SelectChoice(organisation.id, organisation.text("name"))
            for organisation in organisations
        ]
        return self


class SendBackForm(FlaskForm):
    comment = TextAreaField(
        _l("What should the partner change?"),
        description=_l("The partner receives this comment by e-mail."),
        filters=[strip_text],
        validators=[
            DataRequired(message=_l("Please tell the partner what to change.")),
            Length(max=5000, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(allow_line_breaks=True),
        ],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        description=_l("Kept in the audit log; the e-mail to participants does not include it."),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=2000, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(allow_line_breaks=True),
        ],
    )
