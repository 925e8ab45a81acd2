"""Citizens' registrations for activities."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.extensions import db
from eventweek.sessions.models import Activity, string_enum
from eventweek.sqltypes import UtcDateTime


class RegistrationState(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# States that hold a seat: an attendee or a no-show was given one.
SEAT_HOLDING_STATES = (
    RegistrationState.CONFIRMED,
    RegistrationState.ATTENDED,
    RegistrationState.NO_SHOW,
)


class Registration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    state: Mapped[RegistrationState] = mapped_column(
        string_enum(RegistrationState, "registration_state")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=lambda: datetime.now(UTC))

    activity: Mapped[Activity] = relationship()

    __table_args__ = (Index("ix_registration_activity_state", "activity_id", "state"),)
