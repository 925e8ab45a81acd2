"""The week's own outreach: registrations and attendance, from the registrations table.

Counts only, never people: these figures are public.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from eventweek.extensions import db
from eventweek.registrations.models import Registration, RegistrationState
from eventweek.sessions.models import BRUSSELS, Activity, ActivityStatus, Edition


@dataclass
class Outreach:
    """Registrations of one session, or of a group of sessions added up."""

    confirmed: int = 0  # given a seat: still confirmed, or attended, or absent
    waitlisted: int = 0  # still waiting for a seat: the demand beyond capacity
    attended: int = 0
    no_show: int = 0
    by_trusted_person: int = 0

    @property
    def registrations(self) -> int:
        return self.confirmed + self.waitlisted

    @property
    def no_show_rate(self) -> float | None:
        """Share of the seats given that stayed empty, once the door was checked."""
        checked = self.attended + self.no_show
        return self.no_show / checked if checked else None

    @property
    def trusted_person_share(self) -> float | None:
        return self.by_trusted_person / self.registrations if self.registrations else None

    def add(self, other: Outreach) -> None:
        self.confirmed += other.confirmed
        self.waitlisted += other.waitlisted
        self.attended += other.attended
        self.no_show += other.no_show
        self.by_trusted_person += other.by_trusted_person


@dataclass
class EditionOutreach:
    sessions: list[tuple[Activity, Outreach]]
    by_kind: dict[str, Outreach] = field(default_factory=dict)
    by_day: dict[date, Outreach] = field(default_factory=dict)
    total: Outreach = field(default_factory=Outreach)


def count_into(outreach: Outreach, state: RegistrationState, trusted: bool, count: int) -> None:
    if state == RegistrationState.CANCELLED:
        return
    if state == RegistrationState.WAITLISTED:
        outreach.waitlisted += count
    else:
        outreach.confirmed += count
    if state == RegistrationState.ATTENDED:
        outreach.attended += count
    if state == RegistrationState.NO_SHOW:
        outreach.no_show += count
    if trusted:
        outreach.by_trusted_person += count


def edition_outreach(edition: Edition) -> EditionOutreach:
    """Per session, per kind and per day, for the public sessions that take registrations.

    Two queries, whatever the number of sessions.
    """
    counts = db.session.execute(
        select(
            Registration.activity_id,
            Registration.state,
            Registration.by_trusted_person,
            func.count(),
        )
        .join(Activity, Activity.id == Registration.activity_id)
        .where(Activity.edition_id == edition.id)
        .group_by(Registration.activity_id, Registration.state, Registration.by_trusted_person)
    ).all()
    per_activity: dict[int, Outreach] = defaultdict(Outreach)
    for activity_id, state, trusted, count in counts:
        count_into(per_activity[activity_id], state, trusted, count)
    activities = db.session.execute(
        select(Activity)
        .where(
            Activity.edition_id == edition.id,
            Activity.status.in_([ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED]),
            or_(Activity.registration_required, Activity.id.in_(list(per_activity))),
        )
        .order_by(Activity.start_at, Activity.id)
    ).scalars()
    result = EditionOutreach(sessions=[])
    for activity in activities:
        outreach = per_activity[activity.id]
        result.sessions.append((activity, outreach))
        result.by_kind.setdefault(activity.kind.value, Outreach()).add(outreach)
        result.by_day.setdefault(activity.start_at.astimezone(BRUSSELS).date(), Outreach()).add(
            outreach
        )
        result.total.add(outreach)
    result.by_day = dict(sorted(result.by_day.items()))
    return result
