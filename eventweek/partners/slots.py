"""A stand's bookable help slots: short activities of their own under the stand
(`parent_id`), each with a few seats, that people register for like any session.

A slot takes its stand's place, languages and audience. Slots added to a draft stand
are drafts, submitted with it; slots added to a stand already submitted or published
go to the organisers' review at once. Functions flush and never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from eventweek.accounts.models import User
from eventweek.extensions import db
from eventweek.partners.queries import help_slots
from eventweek.sessions.models import Activity, ActivityKind, ActivityStatus
from eventweek.sessions.operations import create_activity, submit_for_review

# Titles are stored in the three languages, so they are written here, not translated.
TITLE_PREFIXES = {"fr": "Aide personnalisée", "nl": "Persoonlijke hulp", "en": "Personal help"}
TITLE_MAX_LENGTH = 200


def slot_titles(stand: Activity) -> dict[str, str]:
    return {
        f"title_{code}": f"{prefix} – {stand.text('title', code)}"[:TITLE_MAX_LENGTH]
        for code, prefix in TITLE_PREFIXES.items()
    }


def takes_help_slots(activity: Activity) -> bool:
    """A stand (not itself a slot) that is not cancelled."""
    return (
        activity.kind == ActivityKind.STAND
        and activity.parent_id is None
        and activity.status != ActivityStatus.CANCELLED
    )


def fits_in_stand(stand: Activity, start_at: datetime, minutes: int) -> bool:
    return stand.start_at <= start_at and start_at + timedelta(minutes=minutes) <= stand.end_at


def add_help_slot(
    actor: User, stand: Activity, start_at: datetime, minutes: int, seats: int, now: datetime
) -> Activity:
    """A slot of `minutes` from `start_at` with `seats` seats. Refuses (ValueError) an
    activity that takes no slots and a slot outside the stand's hours."""
    if not takes_help_slots(stand):
        raise ValueError("only a stand that is not cancelled takes help slots")
    if minutes <= 0 or seats <= 0 or not fits_in_stand(stand, start_at, minutes):
        raise ValueError("a help slot lies within its stand's hours, with seats")
    slot = create_activity(
        actor,
        stand.edition,
        stand.organisation_id,
        {
            "kind": ActivityKind.STAND,
            "audience": stand.audience,
            **slot_titles(stand),
            "description_fr": stand.description_fr,
            "description_nl": stand.description_nl,
            "description_en": stand.description_en,
            "languages": stand.languages,
            "start_at": start_at,
            "end_at": start_at + timedelta(minutes=minutes),
            "venue_id": stand.venue_id,
            "online_url": stand.online_url,
            "capacity": seats,
            # A few minutes of help: a waiting list would promote people too late to come.
            "waitlist_enabled": False,
            "registration_required": True,
        },
    )
    slot.parent_id = stand.id
    db.session.flush()
    if stand.status != ActivityStatus.DRAFT:
        submit_for_review(actor, slot, now)
    return slot


def submit_with_slots(actor: User, activity: Activity, now: datetime) -> int:
    """Submit a draft for review, with its draft help slots. Returns how many slots
    went with it; refuses (ValueError) what is not a draft."""
    submit_for_review(actor, activity, now)
    slots = help_slots(activity.id, ActivityStatus.DRAFT)
    for slot in slots:
        submit_for_review(actor, slot, now)
    return len(slots)
