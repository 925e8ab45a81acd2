"""Every change of a registration's state: one function each.

Each takes the lock it needs, rechecks, writes, and adds its e-mails to the outbox in
the same transaction; the caller (a view or a CLI command) commits once, with
`commit_and_deliver`. None of them commits.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from eventweek.accounts.models import User
from eventweek.audit.operations import record
from eventweek.extensions import db
from eventweek.outbox.delivery import discard_pending
from eventweek.registrations.checkin import CheckinVerdict, admission, new_checkin_code
from eventweek.registrations.emails import queue_registration_email
from eventweek.registrations.models import (
    ACTIVE_STATES,
    Registrant,
    Registration,
    RegistrationState,
    utcnow,
)
from eventweek.registrations.seating import (
    allocate,
    lock_activity,
    promote_from_waitlist,
    registration_window,
    seat_counts,
    waitlist_position,
)
from eventweek.registrations.tokens import derive_token, new_salt, token_hash
from eventweek.sessions.models import Activity, ActivityStatus

Row = TypeVar("Row", Registrant, Registration)
# The INSERT with ON CONFLICT of each database the app runs on.
UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    FULL = "full"
    ALREADY_REGISTERED = "already_registered"
    OVERLAP = "overlap"  # holds another activity at the same time: ask to confirm
    CLOSED = "closed"  # not published, cancelled, past or outside its window


@dataclass(frozen=True)
class RegistrationRequest:
    activity_id: int
    full_name: str
    email: str
    language: str
    phone: str | None = None
    accessibility_needs: str | None = None
    on_behalf_of: str | None = None
    confirm_overlap: bool = False


@dataclass
class RegistrationResult:
    outcome: Outcome
    registration: Registration | None = None
    waitlist_position: int | None = None
    overlapping: list[Activity] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        """Whether the transaction holds something to commit."""
        return self.outcome in (
            Outcome.CONFIRMED,
            Outcome.WAITLISTED,
            Outcome.ALREADY_REGISTERED,
        )


def email_key(email: str) -> str:
    return email.strip().lower()


def register(request: RegistrationRequest, now: datetime) -> RegistrationResult:
    """Register a person for an activity: a seat, a place on the waiting list, or a refusal."""
    # The e-mails queued below are rendered when sent, not here: on SQLite every
    # registration waits while another holds the lock.
    checkin_code = new_checkin_code()
    activity = lock_activity(request.activity_id)
    if activity is None or not accepts_registrations(activity, now):
        return RegistrationResult(Outcome.CLOSED)

    registrant = find_registrant(request.email)
    if registrant is not None:
        existing = db.session.execute(
            select(Registration).where(
                Registration.activity_id == activity.id,
                Registration.registrant_id == registrant.id,
                Registration.state.in_(ACTIVE_STATES),
            )
        ).scalar_one_or_none()
        if existing is not None:
            queue_registration_email("link_resent", existing)
            return RegistrationResult(
                Outcome.ALREADY_REGISTERED, existing, waitlist_position(existing)
            )
        overlapping = overlapping_activities(registrant, activity)
        if overlapping and not request.confirm_overlap:
            return RegistrationResult(Outcome.OVERLAP, overlapping=overlapping)

    # Seats given and places waiting, in one statement, under the lock.
    seats = seat_counts([activity.id])[activity.id]
    state = allocate(activity, seats)
    if state is None:
        return RegistrationResult(Outcome.FULL)
    registrant = registrant or create_registrant(request.email)
    salt = new_salt()
    written_at = utcnow()
    registration = insert_registration(
        activity,
        registrant,
        state=state,
        full_name=request.full_name,
        phone=request.phone or None,
        language=request.language,
        accessibility_needs=request.accessibility_needs or None,
        on_behalf_of=request.on_behalf_of or None,
        by_trusted_person=bool(request.on_behalf_of),
        consent_at=now,
        checkin_code=checkin_code,
        token_salt=salt,
        token_hash=token_hash(derive_token(current_app.config["SECRET_KEY"], "manage", salt)),
        created_at=written_at,
        updated_at=written_at,  # the programme's version reads it: the clock, not `now`
        cancelled_at=None,
        reminder_queued_at=None,
        checked_in_at=None,
        anonymised_at=None,
    )
    if state == RegistrationState.CONFIRMED:
        queue_registration_email("confirmation", registration)
        return RegistrationResult(Outcome.CONFIRMED, registration)
    # Everyone waiting registered before, under this lock: this place is the next one.
    position = seats.waitlisted + 1
    queue_registration_email("waitlisted", registration, position=position)
    return RegistrationResult(Outcome.WAITLISTED, registration, position)


def accepts_registrations(activity: Activity, now: datetime) -> bool:
    return (
        activity.status == ActivityStatus.PUBLISHED and registration_window(activity, now) == "open"
    )


def find_registrant(email: str) -> Registrant | None:
    return db.session.execute(
        registrant_by_key_statement(), {"email_key": email_key(email)}
    ).scalar_one_or_none()


@functools.cache
def registrant_by_key_statement() -> Select:
    # Built once, like the seat lock's: every registration looks its address up.
    return select(Registrant).where(Registrant.email_key == bindparam("email_key"))


def create_registrant(email: str) -> Registrant:
    """A new registrant; if another request just created the same one, that one.

    One INSERT … ON CONFLICT DO NOTHING: two first registrations with one address at
    once (for different activities) cannot both insert it, and neither fails. (A
    savepoint around a plain INSERT cost two more round trips, on every new address.)
    """
    salt = new_salt()
    values = {
        "email": email.strip(),
        "email_key": email_key(email),
        "agenda_salt": salt,
        "agenda_token_hash": token_hash(
            derive_token(current_app.config["SECRET_KEY"], "agenda", salt)
        ),
        "created_at": utcnow(),
        "erased_at": None,
    }
    created_id = (
        db.session.connection()
        .execute(create_registrant_statement(db.session.get_bind().dialect.name), values)
        .scalar_one_or_none()
    )
    if created_id is None:
        return find_registrant(email)
    return attached(Registrant(id=created_id, **values))


@functools.cache
def create_registrant_statement(dialect_name: str):
    # Built once per dialect: every registration with a new address runs it.
    return (
        UPSERT_INSERTS[dialect_name](Registrant)
        .on_conflict_do_nothing(index_elements=[Registrant.email_key])
        .returning(Registrant.id)
    )


def insert_registration(activity: Activity, registrant: Registrant, **values) -> Registration:
    """A new registration, written at once; `values` holds every other column but its id."""
    values |= {"activity_id": activity.id, "registrant_id": registrant.id}
    registration_id = (
        db.session.connection().execute(insert_registration_statement(), values).scalar_one()
    )
    registration = attached(Registration(id=registration_id, **values))
    # Held by the registration, as if loaded with it: the session keeps an object only
    # while something refers to it, and the page reads them after the commit.
    set_committed_value(registration, "activity", activity)
    set_committed_value(registration, "registrant", registrant)
    return registration


@functools.cache
def insert_registration_statement():
    return insert(Registration).returning(Registration.id)


def attached(row: Row) -> Row:
    """`row`, just inserted with Core and given every column, in the session as if loaded.

    Every registration inserts one or two rows: the unit of work's flush of one object
    cost several times its INSERT (benchmarks/README.md).
    """
    make_transient_to_detached(row)
    db.session.add(row)
    return row


def overlapping_activities(registrant: Registrant, activity: Activity) -> list[Activity]:
    return list(
        db.session.execute(
            select(Activity)
            .join(Registration, Registration.activity_id == Activity.id)
            .where(
                Registration.registrant_id == registrant.id,
                Registration.state.in_(ACTIVE_STATES),
                Activity.id != activity.id,
                Activity.start_at < activity.end_at,
                Activity.end_at > activity.start_at,
            )
        ).scalars()
    )


def cancel(registration: Registration, now: datetime, *, notify: bool = True) -> list[Registration]:
    """Cancel a place; a freed seat goes to the waiting list at once. Returns who was promoted."""
    activity = lock_activity(registration.activity_id)
    db.session.refresh(registration)  # recheck under the lock
    if registration.state not in ACTIVE_STATES:
        return []
    registration.state = RegistrationState.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    if notify:
        queue_registration_email("cancelled", registration)
    if now >= activity.start_at:
        return []  # too late for anyone on the waiting list to come
    promoted = promote_from_waitlist(activity)
    for person in promoted:
        queue_registration_email("promoted", person)
    return promoted


def anonymise(registration: Registration, now: datetime) -> None:
    """Erase a registration's personal data, keeping what the statistics count."""
    registration.full_name = ""
    registration.phone = None
    registration.accessibility_needs = None
    registration.on_behalf_of = None
    registration.anonymised_at = now
    discard_pending(registration.id)
    db.session.flush()
    registrant = registration.registrant
    still_needed = db.session.execute(
        select(Registration.id)
        .where(
            Registration.registrant_id == registrant.id,
            Registration.anonymised_at.is_(None),
        )
        .limit(1)
    ).first()
    if still_needed is None:
        registrant.email = None
        registrant.email_key = None
        registrant.erased_at = now
    db.session.flush()


def erase(registration: Registration, now: datetime) -> None:
    """The person asked to erase their data: free their place, then anonymise."""
    cancel(registration, now, notify=False)
    anonymise(registration, now)


def purge_expired(now: datetime, retention_days: int) -> int:
    """Anonymise registrations whose activity ended more than `retention_days` ago."""
    limit = now - timedelta(days=retention_days)
    expired = db.session.execute(
        select(Registration)
        .join(Activity, Registration.activity_id == Activity.id)
        .where(Registration.anonymised_at.is_(None), Activity.end_at < limit)
    ).scalars()
    count = 0
    for registration in expired:
        anonymise(registration, now)
        count += 1
    return count


def queue_reminders(now: datetime) -> int:
    """Queue a reminder for each confirmed place in a session starting in 24 to 48 hours.

    Each registration is reminded once: the conditional update claims it, so two runs
    at the same time do not both queue it.
    """
    candidates = db.session.execute(
        select(Registration)
        .join(Activity, Registration.activity_id == Activity.id)
        .where(
            Registration.state == RegistrationState.CONFIRMED,
            Registration.reminder_queued_at.is_(None),
            Registration.anonymised_at.is_(None),
            Activity.status == ActivityStatus.PUBLISHED,
            Activity.start_at >= now + timedelta(hours=24),
            Activity.start_at <= now + timedelta(hours=48),
        )
    ).scalars()
    queued = 0
    for registration in list(candidates):
        claimed = db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminder_queued_at.is_(None))
            .values(reminder_queued_at=now)
        )
        if claimed.rowcount == 1:
            queue_registration_email("reminder", registration)
            queued += 1
    return queued


def check_in(
    actor: User, registration: Registration, activity_id: int, now: datetime
) -> CheckinVerdict:
    """Mark `registration` attended at the door of activity `activity_id`, once.

    Refuses (and changes nothing) a code of another session, a cancelled or waiting
    place, a code already used, a cancelled session: see `checkin.admission`. Two
    scans of one code at once check in once: the second finds it already used.
    """
    lock_activity(registration.activity_id)
    db.session.refresh(registration)  # recheck under the lock
    verdict = admission(registration, activity_id)
    if verdict != CheckinVerdict.ADMITTED:
        return verdict
    registration.state = RegistrationState.ATTENDED
    registration.checked_in_at = now
    db.session.flush()
    record(
        actor, "registration.checked_in", "registration", registration.id, activity_id=activity_id
    )
    return verdict


def mark_no_shows(activity: Activity, now: datetime, actor: User | None = None) -> int:
    """Once `activity` has ended, its confirmed people who were not checked in become
    no-shows. Returns how many. Refuses (ValueError) before the end; a cancelled
    activity has no no-shows."""
    if now < activity.end_at:
        raise ValueError("the activity has not ended yet")
    if activity.status != ActivityStatus.PUBLISHED:
        return 0
    lock_activity(activity.id)  # a check-in at the last minute is not overwritten
    marked = db.session.execute(
        update(Registration)
        .where(
            Registration.activity_id == activity.id,
            Registration.state == RegistrationState.CONFIRMED,
        )
        .values(state=RegistrationState.NO_SHOW, updated_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if marked:
        record(actor, "registration.no_shows_marked", "activity", activity.id, count=marked)
    db.session.flush()
    return marked


def mark_all_no_shows(now: datetime) -> tuple[int, int]:
    """`mark_no_shows` for every published activity that has ended with confirmed
    people left. Returns (people marked, activities)."""
    ended = db.session.execute(
        select(Activity)
        .where(
            Activity.status == ActivityStatus.PUBLISHED,
            Activity.end_at <= now,
            Activity.id.in_(
                select(Registration.activity_id).where(
                    Registration.state == RegistrationState.CONFIRMED
                )
            ),
        )
        .order_by(Activity.id)
    ).scalars()
    activities = list(ended)
    return sum(mark_no_shows(activity, now) for activity in activities), len(activities)


def find_by_token(token: str) -> Registration | None:
    # Looked up by the token's SHA-256 in an index: timing tells nothing about the token
    # itself, since a caller cannot choose the hash's prefix.
    return db.session.execute(
        select(Registration).where(Registration.token_hash == token_hash(token))
    ).scalar_one_or_none()


def find_registrant_by_agenda_token(token: str) -> Registrant | None:
    return db.session.execute(
        select(Registrant).where(Registrant.agenda_token_hash == token_hash(token))
    ).scalar_one_or_none()
