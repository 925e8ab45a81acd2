"""Seat rules: how many seats are left and whether registration is open.

Plain functions on plain values; the allocation itself (which takes database locks)
lives beside them in this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventweek.sessions.models import Activity, ActivityStatus


@dataclass(frozen=True)
class SeatCount:
    confirmed: int = 0
    waitlisted: int = 0


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
