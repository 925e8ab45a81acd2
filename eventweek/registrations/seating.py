"""Seats: how many are left, whether registration is open, who gets one.

The rules at the top are plain functions on plain values. The allocation below them
takes the database lock that makes "never more confirmed than seats" hold with many
server processes at once, then counts, then writes: no count-then-insert without a lock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func, or_, select, text
from sqlalchemy.orm import lazyload

from eventweek.extensions import db
from eventweek.registrations.models import SEAT_HOLDING_STATES, Registration, RegistrationState
from eventweek.sessions.models import Activity, ActivityStatus


@dataclass(frozen=True)
class SeatCount:
    confirmed: int = 0  # every seat given: confirmed, attended or no-show
    waitlisted: int = 0
    attended: int = 0  # checked in at the door (counted in `confirmed` too)


@dataclass(frozen=True)
class Availability:
    seats_left: int | None  # None: no seat limit
    waitlist: bool  # a full activity still takes names on a waiting list
    registration_open: bool
    window: str  # "not_required", "not_yet_open", "open", "closed"

    @property
    def full(self) -> bool:
        return self.seats_left == 0


def registration_window(activity: Activity, now: datetime) -> str:
    if not activity.registration_required:
        return "not_required"
    if activity.registration_opens_at and now < activity.registration_opens_at:
        return "not_yet_open"
    closes_at = activity.registration_closes_at or activity.start_at
    if now >= closes_at:
        return "closed"
    return "open"


def availability(activity: Activity, seats: SeatCount, now: datetime) -> Availability:
    """What a person can do about this activity right now."""
    seats_left = None
    if activity.capacity is not None:
        seats_left = max(activity.capacity - seats.confirmed, 0)
    window = registration_window(activity, now)
    has_room = seats_left is None or seats_left > 0 or activity.waitlist_enabled
    return Availability(
        seats_left=seats_left,
        waitlist=activity.waitlist_enabled and activity.capacity is not None,
        registration_open=(
            window == "open" and activity.status == ActivityStatus.PUBLISHED and has_room
        ),
        window=window,
    )


# Counting: seats given and places waiting.


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
    # The caller's changes first (a place just cancelled frees its seat), as an ORM query
    # would: the statements below run on the connection, which does not flush.
    db.session.flush()
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


# Allocation: lock → recheck → write, in the caller's transaction.


def lock_activity(activity_id: int) -> Activity | None:
    """Lock the activity's seats until the transaction ends, and return it fresh.

    PostgreSQL locks the activity's row (SELECT … FOR UPDATE): allocations for the same
    activity wait for each other, others go on. SQLite has one writer at a time: its
    write lock is taken now, before anything is counted, and a second process waits for
    it (busy timeout) instead of counting stale seats.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        take_sqlite_write_lock(activity_id)
    return db.session.execute(
        locked_activity_statement(), {"activity_id": activity_id}
    ).scalar_one_or_none()


@functools.cache
def locked_activity_statement() -> Select:
    # Built once: every registration runs it, and building it (options, lock) cost more
    # than SQLAlchemy's compiled cache saves.
    return (
        select(Activity)
        .where(Activity.id == bindparam("activity_id"))
        # Its languages (a second query) are not needed to count seats: loaded when read,
        # which on SQLite is after the lock is released.
        .options(lazyload(Activity.language_rows))
        .with_for_update(of=Activity)
        .execution_options(populate_existing=True)
    )


def take_sqlite_write_lock(activity_id: int) -> None:
    """SQLite's database-wide write lock, for the rest of the transaction.

    BEGIN IMMEDIATE when no transaction is open (the usual case: the sqlite3 module
    opens one only before a first write); it writes nothing. Inside a transaction that
    has begun, a write that changes nothing: raw SQL, so that the ORM's onupdate does
    not mark the activity as changed (it used to, on every registration: its calendar
    entries' DTSTAMP moved and their cache missed).
    """
    connection = db.session.connection()
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.execute(
        text("UPDATE activity SET id = id WHERE id = :activity_id"), {"activity_id": activity_id}
    )


def allocate(activity: Activity, seats: SeatCount) -> RegistrationState | None:
    """The state a new registration gets, from `seats` counted with the activity locked.

    CONFIRMED while a seat is free, WAITLISTED once full if the activity keeps a
    waiting list, None when full without one.
    """
    if activity.capacity is None or seats.confirmed < activity.capacity:
        return RegistrationState.CONFIRMED
    if activity.waitlist_enabled:
        return RegistrationState.WAITLISTED
    return None


def promote_from_waitlist(activity: Activity) -> list[Registration]:
    """Give free seats to the waiting list, first come first served; call with the lock held."""
    waiting = select(Registration).where(
        Registration.activity_id == activity.id,
        Registration.state == RegistrationState.WAITLISTED,
    )
    if activity.capacity is not None:
        free = activity.capacity - seat_counts([activity.id])[activity.id].confirmed
        if free <= 0:
            return []
        waiting = waiting.limit(free)
    promoted = list(db.session.execute(waiting.order_by(Registration.id)).scalars())
    for registration in promoted:
        registration.state = RegistrationState.CONFIRMED
    db.session.flush()
    return promoted


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting; None when not on the waiting list."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    return db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.activity_id == registration.activity_id,
            Registration.state == RegistrationState.WAITLISTED,
            Registration.id <= registration.id,
        )
    ).scalar_one()
