"""Read-only queries on registrations."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from eventweek.extensions import db
from eventweek.registrations.checkin import CODE_LENGTH
from eventweek.registrations.models import SEAT_HOLDING_STATES, Registration, RegistrationState
from eventweek.registrations.seating import Availability, SeatCount, availability
from eventweek.sessions.models import Activity, ActivityStatus


def seat_counts(
    activity_ids: Iterable[int], *, selected_by: Select | None = None
) -> dict[int, SeatCount]:
    """Seats given, waiting list and check-ins per activity, in one query.

    `selected_by`, a statement that selects these ids, is sent instead of the ids: a list
    of 500 bound parameters costs more to build than the database takes to run it.
    """
    activity_ids = list(activity_ids)
    if not activity_ids:
        return {}
    if selected_by is not None:
        rows = db.session.execute(seat_count_statement(Registration.activity_id.in_(selected_by)))
    elif len(activity_ids) == 1:
        # The form page and the registration count one activity: an equality, where a
        # list of ids is expanded into the SQL again at every execution.
        rows = db.session.connection().execute(
            seat_count_by_id_statement(), {"activity_id": activity_ids[0]}
        )
    else:
        # Core execution of a statement built once: building it cost more than running it.
        rows = db.session.connection().execute(
            seat_count_by_ids_statement(), {"activity_ids": activity_ids}
        )
    confirmed: dict[int, int] = {}
    waitlisted: dict[int, int] = {}
    attended: dict[int, int] = {}
    for activity_id, state, count in rows:
        target = waitlisted if state == RegistrationState.WAITLISTED else confirmed
        target[activity_id] = target.get(activity_id, 0) + count
        if state == RegistrationState.ATTENDED:
            attended[activity_id] = count
    return {
        activity_id: SeatCount(
            confirmed.get(activity_id, 0),
            waitlisted.get(activity_id, 0),
            attended.get(activity_id, 0),
        )
        for activity_id in activity_ids
    }


def seat_count_statement(which_activities) -> Select:
    """Seats given and places waiting, per activity and state, of `which_activities`
    (a condition on `Registration.activity_id`)."""
    counted_states = [*SEAT_HOLDING_STATES, RegistrationState.WAITLISTED]
    return (
        select(Registration.activity_id, Registration.state, func.count())
        # One comparison per state, not IN: a fixed list, not expanded at each execution.
        .where(which_activities, or_(*(Registration.state == state for state in counted_states)))
        .group_by(Registration.activity_id, Registration.state)
    )


@functools.cache
def seat_count_by_id_statement() -> Select:
    return seat_count_statement(Registration.activity_id == bindparam("activity_id"))


@functools.cache
def seat_count_by_ids_statement() -> Select:
    return seat_count_statement(
        Registration.activity_id.in_(bindparam("activity_ids", expanding=True))
    )


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
