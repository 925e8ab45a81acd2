"""Seat allocation and the waiting list, on the real database."""

from datetime import UTC, datetime

from sqlalchemy import select

from eventweek.extensions import db
from eventweek.outbox.models import OutboxMessage
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.registrations.operations import (
    Outcome,
    RegistrationRequest,
    create_registrant,
    register,
)
from eventweek.registrations.seating import (
    allocate,
    lock_activity,
    promote_from_waitlist,
    seat_counts,
    waitlist_position,
)
from tests.factories import make_activity

NOW = datetime.now(UTC)


def add(activity, state: RegistrationState, number: int) -> Registration:
    registration = Registration(
        activity=activity,
        registrant=create_registrant(f"seat{number}@example.org"),
        state=state,
        full_name=f"Person {number}",
        language="fr",
        consent_at=NOW,
        checkin_code=f"CODE{number:04d}",
        token_salt=f"salt{number}",
        token_hash=f"hash{number}",
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def allocate_now(activity) -> RegistrationState | None:
    """`allocate` with the seats counted as the registration counts them."""
    return allocate(activity, seat_counts([activity.id])[activity.id])


def test_allocate_confirms_until_full_then_waitlists_or_refuses(app_context):
    activity = make_activity(capacity=2)
    assert allocate_now(activity) == RegistrationState.CONFIRMED
    add(activity, RegistrationState.CONFIRMED, 1)
    add(activity, RegistrationState.ATTENDED, 2)  # an attendee holds a seat too
    assert allocate_now(activity) == RegistrationState.WAITLISTED
    activity.waitlist_enabled = False
    assert allocate_now(activity) is None
    add(activity, RegistrationState.CANCELLED, 3)  # a cancelled place frees nothing twice
    assert allocate_now(activity) is None


def test_no_seat_limit_always_confirms(app_context):
    activity = make_activity(capacity=None)
    for number in range(5):
        add(activity, RegistrationState.CONFIRMED, number)
    assert allocate_now(activity) == RegistrationState.CONFIRMED


def test_promotion_follows_arrival_order_and_fills_every_free_seat(app_context):
    activity = make_activity(capacity=1)
    add(activity, RegistrationState.CONFIRMED, 1)
    waiting = [add(activity, RegistrationState.WAITLISTED, n) for n in (2, 3, 4)]
    assert [waitlist_position(r) for r in waiting] == [1, 2, 3]
    assert promote_from_waitlist(lock_activity(activity.id)) == []  # still full

    activity.capacity = 3  # an organiser adds two seats
    db.session.flush()
    promoted = promote_from_waitlist(lock_activity(activity.id))
    assert promoted == waiting[:2]
    assert [r.state for r in waiting] == [
        RegistrationState.CONFIRMED,
        RegistrationState.CONFIRMED,
        RegistrationState.WAITLISTED,
    ]
    assert waitlist_position(waiting[2]) == 1
    assert waitlist_position(waiting[0]) is None
    db.session.rollback()


def test_a_seat_freed_in_this_transaction_is_counted_free(app_context):
    # Seats are counted on the connection: the session's changes not yet written must be
    # flushed first, or the place just cancelled still holds its seat.
    activity = make_activity(capacity=1)
    holder = add(activity, RegistrationState.CONFIRMED, 1)
    waiting = add(activity, RegistrationState.WAITLISTED, 2)
    holder.state = RegistrationState.CANCELLED
    assert seat_counts([activity.id])[activity.id].confirmed == 0
    assert promote_from_waitlist(activity) == [waiting]
    db.session.rollback()


def test_a_new_place_on_the_waiting_list_is_the_one_counted_afterwards(app_context):
    # The registration gives the new place from the count it made under the lock; it
    # must be the place that `waitlist_position` counts later (cancelled places skipped).
    activity = make_activity(capacity=1)
    add(activity, RegistrationState.CONFIRMED, 1)
    add(activity, RegistrationState.WAITLISTED, 2)
    add(activity, RegistrationState.CANCELLED, 3)
    add(activity, RegistrationState.WAITLISTED, 4).state = RegistrationState.CANCELLED
    add(activity, RegistrationState.WAITLISTED, 5)
    request = RegistrationRequest(
        activity_id=activity.id, full_name="Newcomer", email="new@example.org", language="nl"
    )
    result = register(request, NOW)
    assert result.outcome == Outcome.WAITLISTED
    message = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.registration_id == result.registration.id)
    ).scalar_one()
    assert result.waitlist_position == message.render_params["position"] == 3
    assert waitlist_position(result.registration) == 3
