"""Read-only queries on the outbox, for the organisers' outbox page.

They return counts, kinds of error and times only: never an address or a message's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from eventweek.extensions import db
from eventweek.outbox.models import MessageStatus, OutboxMessage


@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    sending: int
    # Given up on, with their content: what "retry" puts back in the queue.
    failed: int
    # Given up on because their registrant's data was erased: nothing left to send.
    discarded: int
    sent: int
    last_error: str | None
    last_error_at: datetime | None
    oldest_pending_at: datetime | None

    def oldest_pending_age(self, now: datetime) -> timedelta | None:
        if self.oldest_pending_at is None:
            return None
        return max(now - self.oldest_pending_at, timedelta(0))


def summary() -> OutboxSummary:
    """Counts per status, the most recent delivery error and the oldest waiting message."""
    has_content = OutboxMessage.recipient.is_not(None)
    counts = {
        (status, kept): count
        for status, kept, count in db.session.execute(
            select(OutboxMessage.status, has_content, func.count()).group_by(
                OutboxMessage.status, has_content
            )
        )
    }

    def count(status: MessageStatus, kept: bool | None = None) -> int:
        return sum(
            number
            for (row_status, row_kept), number in counts.items()
            if row_status == status and (kept is None or bool(row_kept) == kept)
        )

    last_error = db.session.execute(
        select(OutboxMessage.last_error, OutboxMessage.last_error_at)
        # An erased message's "error" is the erasure, not a delivery problem.
        .where(OutboxMessage.last_error_at.is_not(None), has_content)
        .order_by(OutboxMessage.last_error_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    ).first()
    oldest_pending_at = db.session.execute(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == MessageStatus.PENDING
        )
    ).scalar_one()
    return OutboxSummary(
        pending=count(MessageStatus.PENDING),
        sending=count(MessageStatus.SENDING),
        failed=count(MessageStatus.FAILED, kept=True),
        discarded=count(MessageStatus.FAILED, kept=False),
        sent=count(MessageStatus.SENT),
        last_error=last_error[0] if last_error else None,
        last_error_at=last_error[1] if last_error else None,
        oldest_pending_at=oldest_pending_at,
    )
