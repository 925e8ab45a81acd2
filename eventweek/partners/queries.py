"""Read-only queries of the partner area: always within one organisation."""

from __future__ import annotations

from sqlalchemy import select

from eventweek.extensions import db
from eventweek.sessions.models import Activity, ActivityStatus, Edition, Venue


def own_activity(organisation_id: int, activity_id: int) -> Activity | None:
    """The activity if it belongs to the organisation; None whatever else it is."""
    return db.session.execute(
        select(Activity).where(
            Activity.id == activity_id, Activity.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def organisation_activities(organisation_id: int, edition: Edition) -> list[Activity]:
    """The organisation's activities of the edition by time, each stand's help slots
    right after it."""
    activities = db.session.execute(
        select(Activity)
        .where(Activity.organisation_id == organisation_id, Activity.edition_id == edition.id)
        .order_by(Activity.start_at, Activity.id)
    ).scalars()
    return slots_after_stands(list(activities))


def slots_after_stands(activities: list[Activity]) -> list[Activity]:
    """`activities` in their order, except that help slots follow their stand."""
    listed = {activity.id for activity in activities}
    slots: dict[int, list[Activity]] = {}
    for activity in activities:
        if activity.parent_id in listed:
            slots.setdefault(activity.parent_id, []).append(activity)
    ordered = []
    for activity in activities:
        if activity.parent_id not in listed:
            ordered.append(activity)
            ordered.extend(slots.get(activity.id, []))
    return ordered


def help_slots(stand_id: int, status: ActivityStatus | None = None) -> list[Activity]:
    query = select(Activity).where(Activity.parent_id == stand_id)
    if status is not None:
        query = query.where(Activity.status == status)
    return list(db.session.execute(query.order_by(Activity.start_at, Activity.id)).scalars())


def all_venues() -> list[Venue]:
    return list(db.session.execute(select(Venue).order_by(Venue.name, Venue.street)).scalars())
