"""The audit log: who changed what, and when. Entries are written once and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.accounts.models import User
from eventweek.extensions import db
from eventweek.registrations.models import utcnow
from eventweek.sqltypes import UtcDateTime


class AuditEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # None for changes made from the command line or by the system itself.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # A dotted verb: "user.created", "user.role_changed", "activity.published"…
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    # What changed, as {"field": {"old": …, "new": …}} or plain facts ({"email": …}).
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_entry_subject", "subject_type", "subject_id"),)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def refuse_changes(_mapper, _connection, entry: AuditEntry) -> None:
    raise RuntimeError(f"audit entry {entry.id} is written once and never changed")
