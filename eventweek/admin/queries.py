"""Read-only queries of the back-office: the review queue, the activity list, the days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from eventweek.admin.filters import ActivityFilters
from eventweek.extensions import db
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityStatus,
    Edition,
    Organisation,
    Venue,
)

# What runs (or was to run) on a day: drafts and submissions are not on the programme.
ON_THE_PROGRAMME = (ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED)


def waits_for_review():
    """New submissions, and published activities with changes held for review."""
    return or_(
        Activity.status == ActivityStatus.SUBMITTED,
        (Activity.status == ActivityStatus.PUBLISHED) & Activity.pending_changes.is_not(None),
    )


def review_queue() -> list[Activity]:
    """What waits for an organiser, the longest waiting first."""
    return list(
        db.session.execute(
            select(Activity)
            .where(waits_for_review())
            .order_by(Activity.submitted_at.asc().nulls_last(), Activity.id)
        ).scalars()
    )


def activity_list(filters: ActivityFilters) -> list[Activity]:
    query = (
        select(Activity)
        .join(Activity.edition)
        .order_by(Edition.year.desc(), Activity.start_at, Activity.id)
    )
    if filters.status:
        query = query.where(Activity.status == filters.status)
    if filters.kind:
        query = query.where(Activity.kind == filters.kind)
    if filters.organisation:
        query = query.where(Activity.organisation.has(Organisation.slug == filters.organisation))
    if filters.year:
        query = query.where(Edition.year == filters.year)
    return list(db.session.execute(query).scalars())


def all_organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(Organisation.name_fr)).scalars())


def all_venues() -> list[Venue]:
    return list(db.session.execute(select(Venue).order_by(Venue.name, Venue.street)).scalars())


def venues_by_id(venue_ids: Iterable[int | None]) -> dict[int, Venue]:
    ids = {venue_id for venue_id in venue_ids if venue_id is not None}
    if not ids:
        return {}
    venues = db.session.execute(select(Venue).where(Venue.id.in_(ids))).scalars()
    return {venue.id: venue for venue in venues}


def edition_years() -> list[int]:
    return list(db.session.execute(select(Edition.year).order_by(Edition.year.desc())).scalars())


def brussels_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=BRUSSELS).astimezone(UTC)


def programme_days(days: list[date], edition: Edition | None = None) -> list[tuple]:
    """[(day, [activities…]), …] for each of `days` (in Brussels time) and for any other
    day of `edition` that has activities (one held outside the week), in one query."""
    query = (
        select(Activity)
        .where(Activity.status.in_(ON_THE_PROGRAMME))
        .order_by(Activity.start_at, Activity.id)
    )
    if edition is not None:
        query = query.where(Activity.edition_id == edition.id)
    else:
        query = query.where(
            Activity.start_at >= brussels_midnight(min(days)),
            Activity.start_at < brussels_midnight(max(days) + timedelta(days=1)),
        )
    by_day: dict[date, list[Activity]] = {day: [] for day in days}
    for activity in db.session.execute(query).scalars():
        by_day.setdefault(activity.local_start.date(), []).append(activity)
    return sorted(by_day.items())
