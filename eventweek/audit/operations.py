"""Writing to the audit log. There is deliberately no way to edit or delete an entry."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from eventweek.accounts.models import User
from eventweek.audit.models import AuditEntry
from eventweek.extensions import db


def record(
    actor: User | None, action: str, subject_type: str, subject_id: int | None, **details
) -> AuditEntry:
    """Add an entry to the current transaction; the caller commits with its change.

    `details` hold what changed, e.g. `role={"old": "partner", "new": "organiser"}`;
    enums, dates and decimals are stored as their text.
    """
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=plain(details),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def change(old, new) -> dict:
    """The `{"old": …, "new": …}` shape every changed value takes in `details`."""
    return {"old": old, "new": new}


def plain(value):
    """`value` with enums and dates made JSON-friendly, recursively."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, as typed (weights, thresholds)
    return value
