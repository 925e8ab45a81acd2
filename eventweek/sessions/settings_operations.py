"""Every change to the programme's settings: editions, organisations and venues.

One function per change. Each checks what the form cannot (uniqueness, days that fit
the activities already planned, coordinates), writes, records the audit entry and
flushes; the caller commits. None of them commits. Refusals raise a `SettingsError`
naming the form field concerned, with a message for the organiser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventweek.accounts.models import User
from eventweek.audit.operations import change, record
from eventweek.extensions import db
from eventweek.sessions.demo import week_of
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityStatus,
    Edition,
    Organisation,
    OrganisationKind,
    Venue,
)

ORGANISATION_FIELDS = ("slug", "kind", "name_fr", "name_nl", "name_en", "website")
VENUE_FIELDS = (
    "name",
    "street",
    "postcode",
    "city",
    "lat",
    "lon",
    "accessibility_fr",
    "accessibility_nl",
    "accessibility_en",
    "is_demo",
)


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


# Belgium and a little around it: the week's venues are in and around Brussels, and
# these bounds catch the usual slip of swapping latitude (≈ 50.8) and longitude (≈ 4.4).
LATITUDES = Bounds(49.4, 51.6)
LONGITUDES = Bounds(2.4, 6.5)


class SettingsError(ValueError):
    """A change refused; `field` is the form field it is about."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


# Editions


def create_edition(
    year: int,
    first_day: date | None = None,
    last_day: date | None = None,
    *,
    actor: User | None,
) -> Edition:
    """A new edition; a day not given is that of `week_of(year)` (the third week of June).

    Refuses a year that already has an edition, a last day before the first, and days
    outside the year.
    """
    first_day, last_day = default_days(year, first_day, last_day)
    check_days(year, first_day, last_day)
    check_year_free(year)
    edition = Edition(year=year, first_day=first_day, last_day=last_day)
    write_unique(
        "year",
        _l("There is already an edition for %(year)d.", year=year),
        lambda: db.session.add(edition),
    )
    record(
        actor,
        "edition.created",
        "edition",
        edition.id,
        year=year,
        first_day=first_day,
        last_day=last_day,
    )
    return edition


def update_edition(
    edition: Edition,
    year: int,
    first_day: date | None,
    last_day: date | None,
    *,
    actor: User | None,
) -> None:
    """Change an edition's year or days, with the same checks as `create_edition`.

    Also refuses days that would leave some of its (not cancelled) activities outside the week.
    """
    first_day, last_day = default_days(year, first_day, last_day)
    check_days(year, first_day, last_day)
    check_year_free(year, edition)
    outside = activities_outside(edition, first_day, last_day)
    if outside:
        raise SettingsError(
            "first_day",
            lazy_ngettext(
                "%(num)d activity of this edition takes place outside these days: move it first.",
                "%(num)d activities of this edition take place outside these days: "
                "move them first.",
                outside,
            ),
        )
    changes = differences(edition, {"year": year, "first_day": first_day, "last_day": last_day})
    if not changes:
        return
    write_unique(
        "year",
        _l("There is already an edition for %(year)d.", year=year),
        lambda: apply(edition, changes),
    )
    record(actor, "edition.changed", "edition", edition.id, **changes)


def default_days(year: int, first_day: date | None, last_day: date | None) -> tuple[date, date]:
    monday, friday = week_of(year)
    return first_day or monday, last_day or friday


def check_days(year: int, first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise SettingsError("last_day", _l("The last day cannot come before the first day."))
    if first_day.year != year or last_day.year != year:
        raise SettingsError(
            "first_day", _l("The days of the %(year)d edition must fall in %(year)d.", year=year)
        )


def check_year_free(year: int, edition: Edition | None = None) -> None:
    query = select(Edition.id).where(Edition.year == year)
    if edition is not None:
        query = query.where(Edition.id != edition.id)
    if db.session.execute(query).first() is not None:
        raise SettingsError("year", _l("There is already an edition for %(year)d.", year=year))


def activities_outside(edition: Edition, first_day: date, last_day: date) -> int:
    """How many of the edition's activities (not cancelled) start or end outside the days."""
    week_starts = datetime.combine(first_day, time.min, BRUSSELS)
    week_ends = datetime.combine(last_day + timedelta(days=1), time.min, BRUSSELS)
    return db.session.execute(
        select(func.count())
        .select_from(Activity)
        .where(
            Activity.edition_id == edition.id,
            Activity.status != ActivityStatus.CANCELLED,
            (Activity.start_at < week_starts) | (Activity.end_at > week_ends),
        )
    ).scalar_one()


# Organisations


def create_organisation(values: dict[str, Any], *, actor: User | None) -> Organisation:
    """A new organisation from `values` (the ORGANISATION_FIELDS); refuses a slug in use."""
    values = organisation_values(values)
    check_slug_free(values["slug"])
    organisation = Organisation(**values)
    write_unique("slug", slug_taken(values["slug"]), lambda: db.session.add(organisation))
    record(actor, "organisation.created", "organisation", organisation.id, **values)
    return organisation


def update_organisation(
    organisation: Organisation, values: dict[str, Any], *, actor: User | None
) -> None:
    """Change an organisation; refuses a slug another organisation uses."""
    values = organisation_values(values)
    check_slug_free(values["slug"], organisation)
    changes = differences(organisation, values)
    if not changes:
        return
    write_unique("slug", slug_taken(values["slug"]), lambda: apply(organisation, changes))
    record(actor, "organisation.changed", "organisation", organisation.id, **changes)


def organisation_values(values: dict[str, Any]) -> dict[str, Any]:
    values = {name: values[name] for name in ORGANISATION_FIELDS}
    values["kind"] = OrganisationKind(values["kind"])
    values["website"] = values["website"] or None
    values["name_nl"] = values["name_nl"] or ""
    values["name_en"] = values["name_en"] or ""
    return values


def check_slug_free(slug: str, organisation: Organisation | None = None) -> None:
    query = select(Organisation.id).where(Organisation.slug == slug)
    if organisation is not None:
        query = query.where(Organisation.id != organisation.id)
    if db.session.execute(query).first() is not None:
        raise SettingsError("slug", slug_taken(slug))


def slug_taken(slug: str):
    return _l("Another organisation already uses the short name “%(slug)s”.", slug=slug)


# Venues


def create_venue(values: dict[str, Any], *, actor: User | None) -> Venue:
    """A new venue from `values` (the VENUE_FIELDS).

    Refuses coordinates outside Belgium's surroundings, a latitude without a longitude
    (or the reverse) and a second venue of the same name at the same street address.
    """
    values = venue_values(values)
    check_venue_free(values["name"], values["street"])
    venue = Venue(**values)
    write_unique("name", venue_taken(), lambda: db.session.add(venue))
    record(actor, "venue.created", "venue", venue.id, **values)
    return venue


def update_venue(venue: Venue, values: dict[str, Any], *, actor: User | None) -> None:
    """Change a venue, with the same checks as `create_venue`."""
    values = venue_values(values)
    check_venue_free(values["name"], values["street"], venue)
    changes = differences(venue, values)
    if not changes:
        return
    write_unique("name", venue_taken(), lambda: apply(venue, changes))
    record(actor, "venue.changed", "venue", venue.id, **changes)


def venue_values(values: dict[str, Any]) -> dict[str, Any]:
    values = {name: values[name] for name in VENUE_FIELDS}
    for name in ("accessibility_fr", "accessibility_nl", "accessibility_en"):
        values[name] = values[name] or ""
    values["is_demo"] = bool(values["is_demo"])
    check_coordinates(values["lat"], values["lon"])
    return values


def check_coordinates(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        field = "lon" if lon is None else "lat"
        raise SettingsError(
            field, _l("Please give both the latitude and the longitude, or neither.")
        )
    if lat is not None and lat not in LATITUDES:
        raise SettingsError(
            "lat",
            _l(
                "The latitude must be between %(low)s and %(high)s (Belgium). "
                "Were latitude and longitude swapped?",
                low=LATITUDES.low,
                high=LATITUDES.high,
            ),
        )
    if lon is not None and lon not in LONGITUDES:
        raise SettingsError(
            "lon",
            _l(
                "The longitude must be between %(low)s and %(high)s (Belgium). "
                "Were latitude and longitude swapped?",
                low=LONGITUDES.low,
                high=LONGITUDES.high,
            ),
        )


def check_venue_free(name: str, street: str, venue: Venue | None = None) -> None:
    query = select(Venue.id).where(Venue.name == name, Venue.street == street)
    if venue is not None:
        query = query.where(Venue.id != venue.id)
    if db.session.execute(query).first() is not None:
        raise SettingsError("name", venue_taken())


def venue_taken():
    return _l("A venue with this name already exists at this street address.")


# Shared


def differences(row: Any, values: dict[str, Any]) -> dict[str, dict]:
    """The values that differ from the row's, as audit changes."""
    return {
        name: change(getattr(row, name), value)
        for name, value in values.items()
        if getattr(row, name) != value
    }


def apply(row: Any, changes: dict[str, dict]) -> None:
    for name, values in changes.items():
        setattr(row, name, values["new"])


def write_unique(field: str, message, write: Callable[[], None]) -> None:
    """Make the change and flush it in a savepoint: a unique value that another request
    took between the check and the write is refused with `message`, not a crash."""
    try:
        with db.session.begin_nested():
            write()
    except IntegrityError:
        raise SettingsError(field, message) from None
