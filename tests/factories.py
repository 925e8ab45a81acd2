"""Plain functions that build rows for tests; each flushes and returns what it made."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from eventweek.accounts.models import Role
from eventweek.accounts.operations import create_user
from eventweek.extensions import db
from eventweek.registrations import operations as registration_operations
from eventweek.registrations.models import Registration
from eventweek.registrations.operations import RegistrationRequest
from eventweek.sessions.demo import week_of
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Audience,
    Edition,
    Organisation,
    OrganisationKind,
    Venue,
)
from eventweek.sessions.queries import brussels_today

_numbers = itertools.count(1)


def make_edition(year: int | None = None, *, days_from_today: int | None = None) -> Edition:
    """An edition of `year`, or one whose Monday is `days_from_today` away (negative: past)."""
    if days_from_today is not None:
        # Brussels' date, as the app counts days: the machine's clock is UTC.
        first_day = brussels_today() + timedelta(days=days_from_today)
        year = first_day.year + 1000 + next(_numbers)  # years must be unique
        last_day = first_day + timedelta(days=4)
    else:
        year = year or 2100 + next(_numbers)
        first_day, last_day = week_of(year)
    edition = Edition(year=year, first_day=first_day, last_day=last_day)
    db.session.add(edition)
    db.session.flush()
    return edition


def make_organisation(**values) -> Organisation:
    number = next(_numbers)
    organisation = Organisation(
        **{
            "slug": f"org-{number}",
            "kind": OrganisationKind.MUTUALITY,
            "name_fr": f"Organisation {number}",
            "name_nl": f"Organisatie {number}",
            "name_en": f"Organisation {number}",
            **values,
        }
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_venue(**values) -> Venue:
    number = next(_numbers)
    venue = Venue(
        **{
            "name": f"Salle {number}",
            "street": f"Rue de la Loi {number}",
            "postcode": "1000",
            "city": "Bruxelles",
            **values,
        }
    )
    db.session.add(venue)
    db.session.flush()
    return venue


def make_activity(
    edition: Edition | None = None, *, day: int = 0, hour: int = 10, **values
) -> Activity:
    """A published info session on `day` (0 = the edition's Monday) at `hour`, Brussels time."""
    edition = edition or make_edition()
    languages = values.pop("languages", ["fr"])
    start = datetime.combine(edition.first_day + timedelta(days=day), datetime.min.time())
    start = start.replace(hour=hour, tzinfo=BRUSSELS)
    number = next(_numbers)
    fields = {
        "edition": edition,
        "organisation": values.pop("organisation", None) or make_organisation(),
        "venue": values.pop("venue", None) if "venue" in values else make_venue(),
        "kind": ActivityKind.INFO_SESSION,
        "audience": Audience.CITIZENS,
        "status": ActivityStatus.PUBLISHED,
        "title_fr": f"Séance {number}",
        "title_nl": f"Sessie {number}",
        "title_en": f"Session {number}",
        "description_fr": "Description en français.",
        "description_nl": "Beschrijving in het Nederlands.",
        "description_en": "Description in English.",
        "start_at": start,
        "end_at": start + timedelta(hours=2),
        "capacity": 20,
        "registration_required": True,
        **values,
    }
    activity = Activity(**fields)
    activity.languages = languages
    db.session.add(activity)
    db.session.flush()
    return activity


# Accounts. Hashing is deliberately slow (scrypt), so tests reuse one password.
USER_PASSWORD = "un mot de passe de test"


def make_user(role="organiser", organisation=None, **values):
    """An active account with `USER_PASSWORD`; a partner gets a new organisation if none."""

    role = Role(role)
    if role == Role.PARTNER and organisation is None:
        organisation = make_organisation()
    number = next(_numbers)
    user = create_user(
        values.pop("email", f"{role.value}{number}@example.org"),
        role,
        values.pop("password", USER_PASSWORD),
        organisation=organisation,
        is_demo=values.pop("is_demo", False),
    )
    for name, value in values.items():  # e.g. is_active=False
        setattr(user, name, value)
    db.session.flush()
    return user


def registered(activity: Activity, name: str, email: str, **values) -> Registration:
    """A registration made while the activity took them (whatever the time now)."""
    result = registration_operations.register(
        RegistrationRequest(activity.id, name, email, "fr", **values),
        activity.start_at - timedelta(days=1),
    )
    assert result.registration is not None, result.outcome
    return result.registration
