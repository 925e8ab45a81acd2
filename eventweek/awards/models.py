"""The award's cycles, categories, criteria, nominations, jurors, recusals and scores."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.accounts.models import User
from eventweek.extensions import db
from eventweek.i18n import Translated
from eventweek.registrations.models import utcnow
from eventweek.sessions.models import Organisation, string_enum
from eventweek.sqltypes import UtcDateTime


class Phase(enum.StrEnum):
    PREPARING = "preparing"
    NOMINATIONS_OPEN = "nominations_open"
    NOMINATIONS_CLOSED = "nominations_closed"
    SCORING_OPEN = "scoring_open"
    SCORING_CLOSED = "scoring_closed"
    RESULTS_PUBLISHED = "results_published"


PHASE_ORDER = list(Phase)


class OutcomeMode(enum.StrEnum):
    RANKING = "ranking"
    MEDALS = "medals"


class CriterionKind(enum.StrEnum):
    JURY = "jury"
    METRIC = "metric"


class MetricTransform(enum.StrEnum):
    PERIOD_VALUE = "period_value"  # the figure over the reference period
    GROWTH = "growth"  # against the previous period of the same length, in percent
    PER_100_BEDS = "per_100_beds"


class AwardCycle(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    phase: Mapped[Phase] = mapped_column(string_enum(Phase, "award_phase"), default=Phase.PREPARING)
    nominations_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Metric criteria read the hospitals' figures over this period.
    reference_start: Mapped[date]
    reference_end: Mapped[date]
    min_jurors: Mapped[int] = mapped_column(default=2)
    normalisation: Mapped[bool] = mapped_column(default=False)
    motivation_max_length: Mapped[int] = mapped_column(default=3000)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    is_demo: Mapped[bool] = mapped_column(default=False)

    categories: Mapped[list[AwardCategory]] = relationship(
        back_populates="cycle", order_by="AwardCategory.id", cascade="all, delete-orphan"
    )
    jurors: Mapped[list[User]] = relationship(secondary="award_juror", order_by=User.email)

    __table_args__ = (
        CheckConstraint("reference_start <= reference_end", name="period_in_order"),
        CheckConstraint("min_jurors >= 1", name="min_jurors_positive"),
    )

    @property
    def scores_frozen(self) -> bool:
        return self.phase == Phase.RESULTS_PUBLISHED


class AwardJuror(db.Model):
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycle.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class JurorAffiliation(db.Model):
    """An organisation a juror works for: they never see its nominations."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)


class AwardCategory(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycle.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    outcome_mode: Mapped[OutcomeMode] = mapped_column(
        string_enum(OutcomeMode, "award_outcome_mode"), default=OutcomeMode.RANKING
    )
    gold_threshold: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    silver_threshold: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    bronze_threshold: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))

    cycle: Mapped[AwardCycle] = relationship(back_populates="categories")
    criteria: Mapped[list[AwardCriterion]] = relationship(
        back_populates="category", order_by="AwardCriterion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("cycle_id", "key", name="category_key"),)

    @property
    def thresholds(self) -> dict[str, float]:
        values = {
            "gold": self.gold_threshold,
            "silver": self.silver_threshold,
            "bronze": self.bronze_threshold,
        }
        return {medal: float(value) for medal, value in values.items() if value is not None}


class AwardCriterion(Translated, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("award_category.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    kind: Mapped[CriterionKind] = mapped_column(string_enum(CriterionKind, "award_criterion_kind"))
    metric_key: Mapped[str | None] = mapped_column(String(64))
    metric_transform: Mapped[MetricTransform | None] = mapped_column(
        string_enum(MetricTransform, "award_metric_transform")
    )

    category: Mapped[AwardCategory] = relationship(back_populates="criteria")

    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint(
            "kind = 'jury' OR (metric_key IS NOT NULL AND metric_transform IS NOT NULL)",
            name="metric_has_key",
        ),
    )


class Nomination(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycle.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("award_category.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    motivation: Mapped[str] = mapped_column(Text)
    projects: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # None until an organiser decides.
    eligible: Mapped[bool | None]
    eligibility_reason: Mapped[str | None] = mapped_column(Text)

    cycle: Mapped[AwardCycle] = relationship()
    category: Mapped[AwardCategory] = relationship()
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id", name="one_per_hospital"),)


class NominationAttachment(db.Model):
    """A PDF sent with a nomination, stored outside the web root under a random name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Recusal(db.Model):
    """A conflict of interest a juror declared: they no longer see or score the nomination."""

    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), primary_key=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Score(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("award_criterion.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("nomination_id", "juror_id", "criterion_id", name="one_score"),
        CheckConstraint("value >= 0 AND value <= 10", name="on_the_scale"),
    )


class JuryComment(db.Model):
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), primary_key=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class TieBreak(db.Model):
    """The jury's decision on tied nominees: the place of each within the tie, and why."""

    category_id: Mapped[int] = mapped_column(ForeignKey("award_category.id"), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), primary_key=True)
    position: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
