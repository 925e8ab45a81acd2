"""Metric snapshots: one figure, for one scope, on one date, with its source."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.extensions import db
from eventweek.metrics.keys import NETWORK_SCOPE
from eventweek.registrations.models import utcnow
from eventweek.sessions.models import Organisation, string_enum
from eventweek.sqltypes import UtcDateTime


class Qualifier(enum.StrEnum):
    """How exact a published figure is: "more than 17,000" is not 17,000."""

    EXACT = "exact"
    ABOUT = "about"
    MORE_THAN = "more_than"


class MetricSnapshot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The day the figure describes; for a flow, the last day of its period.
    measured_on: Mapped[date] = mapped_column(index=True)
    # NULL: the whole network; otherwise one organisation (a hospital).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    key: Mapped[str] = mapped_column(String(64))
    # Decimal, never float: 83,687,905 documents must stay that number.
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    unit: Mapped[str] = mapped_column(String(32))
    qualifier: Mapped[Qualifier] = mapped_column(
        string_enum(Qualifier, "metric_qualifier"), default=Qualifier.EXACT
    )
    source: Mapped[str] = mapped_column(String(500))
    # Invented for the demo (hospital-level figures): shown as demo data wherever it appears.
    is_demo: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        # One figure per date, scope and key: importing a file twice changes nothing.
        # Two partial indexes, because NULL (the network) is never equal to NULL.
        Index(
            "uq_metric_network",
            "measured_on",
            "key",
            unique=True,
            sqlite_where=text("organisation_id IS NULL"),
            postgresql_where=text("organisation_id IS NULL"),
        ),
        Index(
            "uq_metric_organisation",
            "measured_on",
            "organisation_id",
            "key",
            unique=True,
            sqlite_where=text("organisation_id IS NOT NULL"),
            postgresql_where=text("organisation_id IS NOT NULL"),
        ),
        Index("ix_metric_key_scope", "key", "organisation_id"),
    )

    @property
    def scope(self) -> str:
        return self.organisation.slug if self.organisation else NETWORK_SCOPE

    @property
    def approximate(self) -> bool:
        return self.qualifier != Qualifier.EXACT


class MetricGoal(db.Model):
    """A target the organisers set for a network figure (the consultation rate)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    target: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
