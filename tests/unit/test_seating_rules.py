from datetime import UTC, datetime, timedelta

from eventweek.registrations.seating import SeatCount, availability
from eventweek.sessions.models import Activity, ActivityStatus

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def activity(**values) -> Activity:
    fields = {
        "status": ActivityStatus.PUBLISHED,
        "capacity": 10,
        "waitlist_enabled": True,
        "registration_required": True,
        "start_at": NOW + timedelta(days=20),
        "end_at": NOW + timedelta(days=20, hours=2),
        "registration_opens_at": None,
        "registration_closes_at": None,
    }
    return Activity(**{**fields, **values})


def test_seats_left_counts_confirmed_places():
    result = availability(activity(), SeatCount(confirmed=7, waitlisted=0), NOW)
    assert result.seats_left == 3
    assert result.registration_open
    assert result.window == "open"


def test_a_full_activity_with_a_waiting_list_stays_open():
    result = availability(activity(), SeatCount(confirmed=10, waitlisted=4), NOW)
    assert result.seats_left == 0 and result.full
    assert result.waitlist and result.registration_open


def test_a_full_activity_without_waiting_list_is_closed():
    result = availability(activity(waitlist_enabled=False), SeatCount(confirmed=10), NOW)
    assert result.full and not result.waitlist and not result.registration_open


def test_no_limit_means_no_seat_count():
    result = availability(activity(capacity=None), SeatCount(confirmed=500), NOW)
    assert result.seats_left is None and not result.waitlist and result.registration_open


def test_the_window_opens_and_closes():
    later = activity(registration_opens_at=NOW + timedelta(days=1))
    assert availability(later, SeatCount(), NOW).window == "not_yet_open"
    closed = activity(registration_closes_at=NOW - timedelta(minutes=1))
    assert availability(closed, SeatCount(), NOW).window == "closed"
    started = activity(start_at=NOW - timedelta(hours=1), end_at=NOW + timedelta(hours=1))
    assert not availability(started, SeatCount(), NOW).registration_open


def test_cancelled_or_walk_in_activities_take_no_registration():
    assert not availability(
        activity(status=ActivityStatus.CANCELLED), SeatCount(), NOW
    ).registration_open
    walk_in = availability(activity(registration_required=False), SeatCount(), NOW)
    assert walk_in.window == "not_required" and not walk_in.registration_open
