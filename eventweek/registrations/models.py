"""Citizens' registrations for activities, and the people who hold them."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.extensions import db
from eventweek.sessions.models import Activity, string_enum
from eventweek.sqltypes import UtcDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


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
# States in which a person "holds" an activity: they count for duplicates and overlaps.
ACTIVE_STATES = (RegistrationState.CONFIRMED, RegistrationState.WAITLISTED)


class Registrant(db.Model):
    """One e-mail address that registered: it owns the personal calendar feed.

    The address is erased (set to NULL) when the person erases their data or when the
    retention period ends; the row stays so that the feed link can answer 410.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # The address trimmed and lower-cased: the same person whatever the capitals.
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Random salt from which the feed token is derived with SECRET_KEY (see tokens.py).
    agenda_salt: Mapped[str] = mapped_column(String(64))
    agenda_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    registrations: Mapped[list[Registration]] = relationship(back_populates="registrant")


class Registration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    registrant_id: Mapped[int] = mapped_column(ForeignKey("registrant.id"), index=True)
    state: Mapped[RegistrationState] = mapped_column(
        string_enum(RegistrationState, "registration_state")
    )
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    on_behalf_of: Mapped[str | None] = mapped_column(String(120))
    # Kept after anonymisation, for the outreach statistics.
    by_trusted_person: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Shown at the door (typed, or scanned from the QR code in the confirmation e-mail).
    checkin_code: Mapped[str] = mapped_column(String(12), unique=True)
    # Random salt from which the management token is derived with SECRET_KEY.
    token_salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Indexed: its maximum is part of the programme's version (seats left), read per request.
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow, index=True
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the code was used at the door: "already used at 10:02" needs it, and
    # `updated_at` moves on with any later change (anonymisation).
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    activity: Mapped[Activity] = relationship()
    registrant: Mapped[Registrant] = relationship(back_populates="registrations")

    __table_args__ = (
        Index("ix_registration_activity_state", "activity_id", "state"),
        # One place (confirmed or waiting) per person and activity, even under races.
        Index(
            "uq_registration_active_per_person",
            "activity_id",
            "registrant_id",
            unique=True,
            sqlite_where=text("state IN ('confirmed', 'waitlisted')"),
            postgresql_where=text("state IN ('confirmed', 'waitlisted')"),
        ),
    )

    @property
    def is_erased(self) -> bool:
        return self.anonymised_at is not None
