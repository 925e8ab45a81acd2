"""Read-only queries on the programme."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime

from sqlalchemy import Select, bindparam, or_, select

from eventweek.extensions import db
from eventweek.sessions.filters import ProgrammeFilters
from eventweek.sessions.models import (
    BRUSSELS,
    Activity,
    ActivityKind,
    ActivityLanguage,
    ActivityStatus,
    Audience,
    Edition,
)


def brussels_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(BRUSSELS).date()


def current_edition(today: date | None = None) -> Edition | None:
    """The next edition not yet over, or else the most recent one."""
    today = today or brussels_today()
    upcoming = db.session.execute(
        select(Edition).where(Edition.last_day >= today).order_by(Edition.first_day).limit(1)
    ).scalar_one_or_none()
    if upcoming is not None:
        return upcoming
    return db.session.execute(
        select(Edition).order_by(Edition.first_day.desc()).limit(1)
    ).scalar_one_or_none()


def publicly_visible(today: date):
    """Published activities, and cancelled ones until their edition is over.

    Cancelled activities stay visible so that people who planned to come see it;
    drafts and submissions never appear anywhere public.
    """
    still_running = select(Edition.id).where(Edition.last_day >= today)
    return or_(
        Activity.status == ActivityStatus.PUBLISHED,
        (Activity.status == ActivityStatus.CANCELLED) & Activity.edition_id.in_(still_running),
    )


def public_programme_query(
    edition: Edition, filters: ProgrammeFilters, today: date | None = None
) -> Select:
    query = (
        select(Activity)
        .where(
            Activity.edition_id == edition.id,
            publicly_visible(today or brussels_today()),
            # A stand's help slots are listed on the stand's page, not in the programme.
            Activity.parent_id.is_(None),
        )
        .order_by(Activity.start_at, Activity.id)
    )
    if filters.kind:
        query = query.where(Activity.kind == filters.kind)
    if filters.audience:
        # Activities for everyone are also for citizens and for professionals.
        query = query.where(Activity.audience.in_([filters.audience, Audience.ALL]))
    if filters.language:
        query = query.where(Activity.language_rows.any(ActivityLanguage.code == filters.language))
    if filters.venue:
        query = query.where(Activity.venue_id == filters.venue)
    return query


def public_programme(
    edition: Edition, filters: ProgrammeFilters, *, limit: int | None = None, offset: int = 0
) -> list[Activity]:
    query = public_programme_query(edition, filters).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def edition_by_year(year: int) -> Edition | None:
    return db.session.execute(select(Edition).where(Edition.year == year)).scalar_one_or_none()


def get_public_activity(activity_id: int) -> Activity | None:
    return db.session.execute(
        select(Activity).where(Activity.id == activity_id, publicly_visible(brussels_today()))
    ).scalar_one_or_none()


def public_activity_summary(activity_id: int):
    """A public activity's id, kind and what decides whether it takes registrations (the
    fields `registrations.seating.availability` reads), in one query with no join; None
    for any other id. Enough for a page served from the cache."""
    # Core execution: every form page and registration runs it, and the ORM's statement
    # handling costs more than the query itself.
    return (
        db.session.connection()
        .execute(
            activity_summary_statement(),
            {"activity_id": activity_id, "today": brussels_today()},
        )
        .one_or_none()
    )


@functools.cache
def activity_summary_statement() -> Select:
    # Built once, bound at each call: building it cost more than running it.
    return select(
        Activity.id,
        Activity.kind,
        Activity.status,
        Activity.capacity,
        Activity.waitlist_enabled,
        Activity.registration_required,
        Activity.registration_opens_at,
        Activity.registration_closes_at,
        Activity.start_at,
    ).where(Activity.id == bindparam("activity_id"), publicly_visible(bindparam("today")))


def public_help_slots(activity: Activity) -> list[Activity]:
    """A stand's bookable help slots that are public, by time."""
    if activity.kind != ActivityKind.STAND:
        return []
    return list(
        db.session.execute(
            select(Activity)
            .where(Activity.parent_id == activity.id, publicly_visible(brussels_today()))
            .order_by(Activity.start_at, Activity.id)
        ).scalars()
    )
