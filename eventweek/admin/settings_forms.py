"""The forms of the organisers' settings and records: editions, organisations, venues,
accounts, and the audit log's filters."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from eventweek.accounts import labels as account_labels
from eventweek.accounts import operations as accounts
from eventweek.accounts.models import Role
from eventweek.i18n import LANGUAGE_NAMES
from eventweek.sessions import labels
from eventweek.sessions.models import Organisation, OrganisationKind
from eventweek.textinput import email_field, long_text_field, no_control_characters, strip_text

NO_ORGANISATION = 0


def text_field(label, max_length: int, *, required: bool = True, description=None):
    # DataRequired, not InputRequired: it sees the value once stripped, so spaces are refused.
    presence = DataRequired(message=_l("Please fill in this field.")) if required else Optional()
    return StringField(
        label,
        description=description,
        filters=[strip_text],
        validators=[
            presence,
            Length(max=max_length, message=_l("Please keep this under %(max)d characters.")),
            no_control_characters(),
        ],
    )


def notes_field(label):
    return long_text_field(label, 2000)


class CommaFloatField(FloatField):
    """A number that may be written with a decimal comma, as in Belgium (50,8467)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class EditionForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Please give the year.")),
            NumberRange(
                min=2000, max=2100, message=_l("Please give a year between %(min)s and %(max)s.")
            ),
        ],
    )
    first_day = DateField(
        _l("First day"),
        description=_l("Leave empty for the Monday of the third week of June."),
        validators=[Optional()],
    )
    last_day = DateField(
        _l("Last day"),
        description=_l("Leave empty for the Friday of that week."),
        validators=[Optional()],
    )


class OrganisationForm(FlaskForm):
    slug = StringField(
        _l("Short name"),
        description=_l(
            "Used in addresses and on the command line: lower-case letters, digits and "
            "hyphens (example: mutualite-libre)."
        ),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give a short name.")),
            Length(max=64, message=_l("Please keep this under %(max)d characters.")),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l(
                    "Use only lower-case letters, digits and single hyphens between them "
                    "(example: mutualite-libre)."
                ),
            ),
        ],
    )
    kind = SelectField(
        _l("Kind of organisation"),
        choices=[
            SelectChoice(kind.value, labels.ORGANISATION_KINDS[kind]) for kind in OrganisationKind
        ],
    )
    name_fr = text_field(_l("Name in French"), 200)
    name_nl = text_field(
        _l("Name in Dutch"),
        200,
        required=False,
        description=_l("If empty, the French name is shown."),
    )
    name_en = text_field(
        _l("Name in English"),
        200,
        required=False,
        description=_l("If empty, the French name is shown."),
    )
    website = URLField(
        _l("Website (optional)"),
        description=_l("The full address, starting with https://"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=300, message=_l("Please keep this under %(max)d characters.")),
            URL(
                message=_l(
                    "This does not look like a web address (example: https://www.example.be)."
                )
            ),
        ],
    )

    def validate_website(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("The address must start with https:// or http://."))


class VenueForm(FlaskForm):
    name = text_field(_l("Name of the place"), 200)
    street = text_field(_l("Street and number"), 200)
    postcode = StringField(
        _l("Postcode"),
        filters=[strip_text],
        validators=[
            InputRequired(message=_l("Please give the postcode.")),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$",
                message=_l("Please give a postcode of letters and digits (example: 1000)."),
            ),
        ],
    )
    city = text_field(_l("Municipality"), 100)
    lat = CommaFloatField(
        _l("Latitude (optional)"),
        description=_l("For the map, in decimal degrees (example: 50.8467)."),
        validators=[Optional()],
    )
    lon = CommaFloatField(
        _l("Longitude (optional)"),
        description=_l("In decimal degrees (example: 4.3525)."),
        validators=[Optional()],
    )
    accessibility_fr = notes_field(_l("Accessibility in French"))
    accessibility_nl = notes_field(_l("Accessibility in Dutch"))
    accessibility_en = notes_field(_l("Accessibility in English"))
    is_demo = BooleanField(_l("Invented for the demo (shown as demo data)"))


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, account_labels.ROLES[role]) for role in Role]


class AccountForm(FlaskForm):
    """Role, organisation and (when editing) whether the account may sign in.

    Call `offer(organisations)` before validating."""

    role = SelectField(_l("Role"), choices=role_choices())
    organisation_id = SelectField(
        _l("Organisation"),
        description=_l("Required for a partner: it sees and edits only this one's activities."),
        coerce=int,
    )

    def offer(self, organisations: Iterable[Organisation]) -> AccountForm:
        self.organisation_id.choices = [
            SelectChoice(NO_ORGANISATION, _l("None")),
            *(SelectChoice(o.id, o.text("name")) for o in organisations),
        ]
        return self

    def validate_organisation_id(self, field) -> None:
        if self.role.data == Role.PARTNER and field.data == NO_ORGANISATION:
            raise ValidationError(_l("A partner account must belong to an organisation."))


class NewAccountForm(AccountForm):
    email = email_field(_l("E-mail address"))
    language = SelectField(
        _l("Language of the e-mail"),
        description=_l("The person receives a link to choose their own password."),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
    )


class EditAccountForm(AccountForm):
    is_active = BooleanField(_l("Active: may sign in"))


# Where each refused account change shows its message, and what it says.
ACCOUNT_REFUSALS = {
    accounts.DuplicateEmail: ("email", _l("An account already exists for this address.")),
    accounts.InvalidEmail: (
        "email",
        _l("This e-mail address does not look right (example: name@example.be)."),
    ),
    accounts.OrganisationRequired: (
        "organisation_id",
        _l("A partner account must belong to an organisation."),
    ),
    accounts.UnknownOrganisation: ("organisation_id", _l("Please choose an organisation.")),
    accounts.InvalidRole: ("role", _l("Please choose a role.")),
    accounts.OwnRoleKept: (
        "role",
        _l("You cannot take the organiser role away from your own account."),
    ),
    accounts.OwnAccountKept: ("is_active", _l("You cannot deactivate your own account.")),
}


class AuditFilterForm(FlaskForm):
    """Filters read from the query string. Call `offer(actions, subject_types)` first."""

    class Meta:
        csrf = False  # a GET that changes nothing

    action = SelectField(_l("Action"), default="")
    subject_type = SelectField(_l("Kind of subject"), default="")
    subject_id = IntegerField(
        _l("Subject number"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Please give a number of 1 or more.")),
        ],
    )

    def offer(self, actions: Iterable[str], subject_types: Iterable[str]) -> AuditFilterForm:
        self.action.choices = [SelectChoice("", _l("All")), *map(SelectChoice, actions)]
        self.subject_type.choices = [
            SelectChoice("", _l("All")),
            *map(SelectChoice, subject_types),
        ]
        return self
