"""Read-only queries on registrations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventweek.extensions import db
from eventweek.registrations.checkin import CODE_LENGTH
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.registrations.seating import Availability, availability, seat_counts
from eventweek.sessions.models import Activity, ActivityStatus


def availabilities(activities: Iterable[Activity]) -> dict[int, Availability]:
    """Availability of each activity, keyed by id, computed with one query."""
    activities = list(activities)
    counts = seat_counts(activity.id for activity in activities)
    now = datetime.now(UTC)
    return {
        activity.id: availability(activity, counts[activity.id], now) for activity in activities
    }


def similar_open_activities(activity: Activity, limit: int = 3) -> list[Activity]:
    """Other activities of the same kind in the same edition that still take registrations."""
    candidates = db.session.execute(
        select(Activity)
        .where(
            Activity.edition_id == activity.edition_id,
            Activity.kind == activity.kind,
            Activity.id != activity.id,
            Activity.status == ActivityStatus.PUBLISHED,
            Activity.registration_required.is_(True),
            Activity.start_at > datetime.now(UTC),
        )
        .order_by(Activity.start_at)
    ).scalars()
    candidates = list(candidates)
    open_now = availabilities(candidates)
    return [a for a in candidates if open_now[a.id].registration_open][:limit]


def state_counts(activity_id: int) -> dict[RegistrationState, int]:
    """How many registrations of the activity are in each state (every state, 0 included)."""
    rows = db.session.execute(
        select(Registration.state, func.count())
        .where(Registration.activity_id == activity_id)
        .group_by(Registration.state)
    )
    counts = dict.fromkeys(RegistrationState, 0)
    counts.update({state: count for state, count in rows})
    return counts


def activity_registrations(activity_id: int) -> list[Registration]:
    """Every registration of the activity, in the order they came (the waiting list's)."""
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.activity_id == activity_id)
            .options(selectinload(Registration.registrant))
            .order_by(Registration.id)
        ).scalars()
    )


def find_by_checkin_code(code: str, organisation_id: int) -> Registration | None:
    """The registration with this (normalised) check-in code, for an activity of the
    organisation; None for any other, so that a code's existence elsewhere does not leak."""
    if len(code) != CODE_LENGTH:
        return None
    # Found through the database's index, not compared in Python: no early-exit string
    # comparison whose timing a caller could measure character by character.
    return db.session.execute(
        select(Registration)
        .join(Activity, Registration.activity_id == Activity.id)
        .where(Registration.checkin_code == code, Activity.organisation_id == organisation_id)
    ).scalar_one_or_none()
