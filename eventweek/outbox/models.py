"""The outbox: every e-mail is a row written in the same transaction as its cause."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventweek.extensions import db
from eventweek.registrations.models import utcnow
from eventweek.sessions.models import string_enum
from eventweek.sqltypes import UtcDateTime


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender until `claimed_until`
    SENT = "sent"  # accepted by the SMTP server; its content has been erased
    FAILED = "failed"  # gave up after too many attempts; an organiser can retry it


class OutboxMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[MessageStatus] = mapped_column(
        string_enum(MessageStatus, "message_status"), default=MessageStatus.PENDING
    )
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "content_type", "data", "encoding"?, "content_id"?}]: data as text,
    # or base64 when "encoding" says so (images).
    attachments: Mapped[list | None] = mapped_column(JSON)
    # Set when the content is rendered at sending time (subject and bodies left empty):
    # what the renderer registered for `kind` needs, e.g. a registration's language.
    render_params: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # Stable across retries, so that a receiving server can drop a duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # When `last_error` happened: the time of the failed attempt, for the outbox page.
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)
