"""The week's programme: editions, organisations, venues and activities.

The programme item is called `Activity` because "session" already means the HTTP
session and the SQLAlchemy session.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.extensions import db
from eventweek.i18n import Translated
from eventweek.sqltypes import UtcDateTime

BRUSSELS = ZoneInfo("Europe/Brussels")


class ActivityKind(enum.StrEnum):
    INFO_SESSION = "info_session"
    STAND = "stand"
    CONFERENCE = "conference"
    AWARD_CEREMONY = "award_ceremony"
    STRATEGIC_MORNING = "strategic_morning"
    WEBINAR = "webinar"


class Audience(enum.StrEnum):
    CITIZENS = "citizens"
    PROFESSIONALS = "professionals"
    ALL = "all"


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class OrganisationKind(enum.StrEnum):
    HOSPITAL = "hospital"
    MUTUALITY = "mutuality"
    NETWORK = "network"
    AUTHORITY = "authority"
    COMPANY = "company"


# Languages a session can be held in: those of the interface.
SPOKEN_LANGUAGES = ("fr", "nl", "en")


def string_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """Store an enum by its value as a VARCHAR with a CHECK, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Edition(db.Model):
    """One year's week, Monday to Friday in June."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")

    activities: Mapped[list[Activity]] = relationship(back_populates="edition")

    __table_args__ = (CheckConstraint("first_day <= last_day", name="days_in_order"),)

    @property
    def days(self) -> list[date]:
        return [
            date.fromordinal(ordinal)
            for ordinal in range(self.first_day.toordinal(), self.last_day.toordinal() + 1)
        ]


class Organisation(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(string_enum(OrganisationKind, "org_kind"))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str | None] = mapped_column(String(300))


def postal_address(street: str, postcode: str, city: str) -> str:
    return f"{street}, {postcode} {city}"


class Venue(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accessibility_fr: Mapped[str] = mapped_column(Text, default="")
    accessibility_nl: Mapped[str] = mapped_column(Text, default="")
    accessibility_en: Mapped[str] = mapped_column(Text, default="")
    # True where the address is invented for the demo (the mutualities' rooms are not public).
    is_demo: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("name", "street", name="name_street"),)

    @property
    def full_address(self) -> str:
        return postal_address(self.street, self.postcode, self.city)

    @property
    def map_url(self) -> str:
        if self.lat is not None and self.lon is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={self.lat}&mlon={self.lon}"
                f"#map=17/{self.lat}/{self.lon}"
            )
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.full_address})


class Activity(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    kind: Mapped[ActivityKind] = mapped_column(string_enum(ActivityKind, "activity_kind"))
    audience: Mapped[Audience] = mapped_column(string_enum(Audience, "audience"))
    status: Mapped[ActivityStatus] = mapped_column(
        string_enum(ActivityStatus, "activity_status"), default=ActivityStatus.DRAFT, index=True
    )
    title_fr: Mapped[str] = mapped_column(String(200))
    title_nl: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    registration_required: Mapped[bool] = mapped_column(default=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # True where times, capacity or place are invented for the demo.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # A stand's bookable help slots are activities of their own, under the stand.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    # Review: a partner's changes of time, place or capacity to a published activity
    # wait here (JSON, datetimes in ISO 8601) while the published version stays online.
    # SQL NULL when nothing waits (not JSON null), so that queries can test IS NULL.
    pending_changes: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Bumped by SQLAlchemy on every UPDATE (and guards against lost concurrent edits);
    # the calendar feeds use it as SEQUENCE.
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=lambda: datetime.now(UTC), onupdate=lambda: datetime.now(UTC)
    )

    edition: Mapped[Edition] = relationship(back_populates="activities")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    venue: Mapped[Venue | None] = relationship(lazy="joined")
    language_rows: Mapped[list[ActivityLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ActivityLanguage.code"
    )

    __mapper_args__ = {"version_id_col": revision}
    __table_args__ = (
        CheckConstraint("start_at < end_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        unknown = set(codes) - set(SPOKEN_LANGUAGES)
        if unknown:
            raise ValueError(f"unknown language codes: {sorted(unknown)}")
        self.language_rows = [ActivityLanguage(code=code) for code in sorted(set(codes))]

    @property
    def is_online(self) -> bool:
        return self.venue_id is None and bool(self.online_url)

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(BRUSSELS)

    @property
    def local_end(self) -> datetime:
        return self.end_at.astimezone(BRUSSELS)


class ActivityLanguage(db.Model):
    """A language an activity is held in; one row per language so filters stay in SQL."""

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
