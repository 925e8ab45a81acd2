"""Every change to an activity: one function each, audited, with its e-mails.

A partner's change to a published activity that touches its time, place or capacity is
held as `pending_changes` for an organiser to review, while the published version stays
online for the people already registered; other changes apply at once. When a published
activity moves or is cancelled, everyone holding a place (confirmed or waiting) is told in
their language, with the updated calendar entry (same UID, higher SEQUENCE).

Functions flush and never commit; the caller commits with `commit_and_deliver()`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from eventweek.accounts.models import Role, User
from eventweek.audit.operations import change, record
from eventweek.extensions import db
from eventweek.links import external_url
from eventweek.outbox.delivery import enqueue
from eventweek.registrations.emails import queue_registration_email
from eventweek.registrations.models import ACTIVE_STATES, Registration
from eventweek.registrations.seating import lock_activity, promote_from_waitlist
from eventweek.sessions.models import Activity, ActivityStatus, Edition, Venue

# Everything a form may change on an activity.
EDITABLE_FIELDS = (
    "kind",
    "audience",
    "title_fr",
    "title_nl",
    "title_en",
    "description_fr",
    "description_nl",
    "description_en",
    "start_at",
    "end_at",
    "venue_id",
    "online_url",
    "capacity",
    "waitlist_enabled",
    "registration_required",
    "registration_opens_at",
    "registration_closes_at",
    "languages",
)
# Changes that the people holding a place must be told about.
TIME_AND_PLACE = ("start_at", "end_at", "venue_id", "online_url")
# Changes a partner cannot publish alone once the activity is public.
REVIEWED = (*TIME_AND_PLACE, "capacity")
DATETIME_FIELDS = ("start_at", "end_at", "registration_opens_at", "registration_closes_at")


@dataclass(frozen=True)
class Change:
    """What an edit changes: {field: (old, new)}; once applied to a public activity, how
    many people were told of a move (`informed`) and given a seat from the waiting list
    (`promoted`)."""

    fields: dict[str, tuple[Any, Any]]
    informed: int = 0
    promoted: int = 0

    @property
    def moves(self) -> bool:
        return any(name in self.fields for name in TIME_AND_PLACE)

    def new_values(self, names=EDITABLE_FIELDS) -> dict[str, Any]:
        return {name: new for name, (_old, new) in self.fields.items() if name in names}

    def for_audit(self) -> dict[str, dict]:
        return {name: change(old, new) for name, (old, new) in self.fields.items()}


def as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def differences(activity: Activity, values: dict[str, Any]) -> Change:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return Change(
        {
            name: (getattr(activity, name), value)
            for name, value in values.items()
            if getattr(activity, name) != value
        }
    )


def apply(activity: Activity, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(activity, name, value)


def pending_values(activity: Activity) -> dict[str, Any]:
    """The changes waiting for review, with their datetimes restored."""
    return {
        name: datetime.fromisoformat(value) if name in DATETIME_FIELDS and value else value
        for name, value in (activity.pending_changes or {}).items()
    }


def create_activity(
    actor: User, edition: Edition, organisation_id: int, values: dict[str, Any]
) -> Activity:
    """A new draft."""
    activity = Activity(
        edition=edition, organisation_id=organisation_id, status=ActivityStatus.DRAFT
    )
    apply(activity, values)
    db.session.add(activity)
    db.session.flush()
    record(actor, "activity.created", "activity", activity.id, title=activity.title_fr)
    return activity


def edit_as_partner(
    actor: User, activity: Activity, values: dict[str, Any], now: datetime
) -> Change:
    """A partner's edit. Drafts change freely. On a public activity, changes of time,
    place or capacity wait for review while the published version stays online;
    other changes (text, languages…) are published at once."""
    change = differences(activity, values)
    if not change.fields:
        return change
    if activity.status in (ActivityStatus.DRAFT, ActivityStatus.SUBMITTED):
        apply(activity, change.new_values())
        record(actor, "activity.edited", "activity", activity.id, changes=change.for_audit())
        db.session.flush()
        return change
    immediate = change.new_values([n for n in EDITABLE_FIELDS if n not in REVIEWED])
    reviewed = change.new_values(REVIEWED)
    if immediate:
        apply(activity, immediate)
        record(
            actor,
            "activity.edited",
            "activity",
            activity.id,
            changes=Change({n: change.fields[n] for n in immediate}).for_audit(),
        )
    if reviewed:
        waiting = {
            **(activity.pending_changes or {}),
            **{n: as_json(v) for n, v in reviewed.items()},
        }
        activity.pending_changes = waiting
        activity.submitted_at = now
        record(
            actor,
            "activity.changes_submitted",
            "activity",
            activity.id,
            changes=Change({n: change.fields[n] for n in reviewed}).for_audit(),
        )
    db.session.flush()
    return change


def submit_for_review(actor: User, activity: Activity, now: datetime) -> None:
    if activity.status != ActivityStatus.DRAFT:
        raise ValueError("only a draft can be submitted")
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = now
    activity.review_comment = None
    record(actor, "activity.submitted", "activity", activity.id)
    db.session.flush()


def publish(actor: User, activity: Activity, now: datetime) -> Change:
    """Publish a submitted activity, or apply the changes waiting on a published one."""
    if activity.status not in (ActivityStatus.SUBMITTED, ActivityStatus.PUBLISHED):
        raise ValueError("only a submitted activity or pending changes can be published")
    if activity.status == ActivityStatus.PUBLISHED and not activity.pending_changes:
        raise ValueError("nothing waits for review")
    change = differences(activity, pending_values(activity))
    was_public = activity.status == ActivityStatus.PUBLISHED
    activity.status = ActivityStatus.PUBLISHED
    activity.pending_changes = None
    activity.review_comment = None
    record(actor, "activity.published", "activity", activity.id, changes=change.for_audit())
    if was_public:
        return apply_and_notify(activity, change, now)
    apply(activity, change.new_values())
    db.session.flush()
    return change


def send_back(actor: User, activity: Activity, comment: str) -> None:
    """Return a submission (or refuse waiting changes) with a comment; the partner is told."""
    if activity.status == ActivityStatus.SUBMITTED:
        activity.status = ActivityStatus.DRAFT
    elif not activity.pending_changes:
        raise ValueError("nothing waits for review")
    refused = activity.pending_changes
    activity.pending_changes = None
    activity.review_comment = comment
    record(actor, "activity.sent_back", "activity", activity.id, comment=comment, refused=refused)
    db.session.flush()
    for partner in organisation_partners(activity.organisation_id):
        queue_review_returned(partner, activity, comment)


def edit_as_organiser(
    actor: User, activity: Activity, values: dict[str, Any], now: datetime
) -> Change:
    """An organiser's edit applies at once; people holding a place are told of a move."""
    change = differences(activity, values)
    if not change.fields:
        return change
    record(
        actor,
        "activity.moved" if change.moves else "activity.edited",
        "activity",
        activity.id,
        changes=change.for_audit(),
    )
    return apply_and_notify(activity, change, now)


def cancel_activity(actor: User, activity: Activity, now: datetime, reason: str = "") -> int:
    """Cancel an activity; everyone holding a place is told. Returns how many were told."""
    if activity.status == ActivityStatus.CANCELLED:
        return 0
    was_public = activity.status == ActivityStatus.PUBLISHED
    activity.status = ActivityStatus.CANCELLED
    activity.pending_changes = None
    record(actor, "activity.cancelled", "activity", activity.id, reason=reason)
    db.session.flush()
    return notify_holders(activity, "activity_cancelled") if was_public else 0


def apply_and_notify(activity: Activity, change: Change, now: datetime) -> Change:
    """Apply `change` to a public activity under its seat lock, then tell those concerned:
    a move goes to everyone holding a place, added seats go to the waiting list.
    Returns `change` with how many were told."""
    lock_activity(activity.id)
    apply(activity, change.new_values())
    db.session.flush()  # bumps the revision: the calendar entries sent carry it
    if activity.status != ActivityStatus.PUBLISHED:
        return change
    informed = notify_holders(activity, "moved") if change.moves else 0
    promoted = []
    if "capacity" in change.fields and now < activity.start_at:
        promoted = promote_from_waitlist(activity)
        for person in promoted:
            queue_registration_email("promoted", person)
    return replace(change, informed=informed, promoted=len(promoted))


def holders(activity_id: int) -> Select:
    """The registrations told of a move or a cancellation: every place held, confirmed
    or waiting, whose holder's data is not erased."""
    return select(Registration).where(
        Registration.activity_id == activity_id,
        Registration.state.in_(ACTIVE_STATES),
        Registration.anonymised_at.is_(None),
    )


def holder_count(activity: Activity) -> int:
    """How many people a move or cancellation of `activity` would tell now (only a
    published activity's holders are told)."""
    if activity.status != ActivityStatus.PUBLISHED:
        return 0
    return db.session.execute(
        select(func.count()).select_from(holders(activity.id).subquery())
    ).scalar_one()


def notify_holders(activity: Activity, kind: str) -> int:
    count = 0
    for registration in db.session.execute(holders(activity.id)).scalars():
        queue_registration_email(kind, registration)
        count += 1
    return count


def find_or_create_venue(actor: User, values: dict[str, str]) -> Venue:
    """The venue with this name and street (a place is unique by both), created if new."""
    venue = db.session.execute(
        select(Venue).where(Venue.name == values["name"], Venue.street == values["street"])
    ).scalar_one_or_none()
    if venue is not None:
        return venue
    venue = Venue(**values)
    db.session.add(venue)
    db.session.flush()
    record(actor, "venue.created", "venue", venue.id, name=venue.name)
    return venue


def organisation_partners(organisation_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.organisation_id == organisation_id,
                User.role == Role.PARTNER,
                User.is_active.is_(True),
            )
        ).scalars()
    )


def queue_review_returned(partner: User, activity: Activity, comment: str) -> None:
    with force_locale("fr"):
        subject = _("Your activity needs changes: %(title)s", title=activity.title_fr)
        context = {
            "activity": activity,
            "comment": comment,
            "edit_url": external_url("partner.edit_activity", activity_id=activity.id),
        }
        enqueue(
            kind="review_returned",
            recipient=partner.email,
            subject=subject,
            body_text=render_template("emails/review_returned.txt", **context),
            body_html=render_template("emails/review_returned.html", **context),
        )
