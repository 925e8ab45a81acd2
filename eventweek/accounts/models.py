"""Staff accounts: the week's organisers, the partners' people and the jurors.

Citizens never have an account: they register with their e-mail address alone.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventweek.extensions import db
from eventweek.registrations.models import utcnow
from eventweek.sessions.models import Organisation, string_enum
from eventweek.sqltypes import UtcDateTime


class Role(enum.StrEnum):
    ORGANISER = "organiser"  # runs the week: every page and every change
    PARTNER = "partner"  # publishes its own organisation's stands and sessions
    JUROR = "juror"  # scores the Connected Health Award


class User(UserMixin, db.Model):
    # Not "user": a reserved word in PostgreSQL, where `SELECT * FROM user` quietly
    # answers with the connected role instead of this table.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Trimmed and lower-cased on the way in: one account per address whatever the capitals.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Werkzeug's `scrypt:…$salt$hash` string; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(string_enum(Role, "user_role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # An inactive account cannot sign in, and a session it holds stops working.
    is_active: Mapped[bool] = mapped_column(default=True)
    # Seeded for the local demo; refused at sign-in unless DEMO_ACCOUNTS_ENABLED or debug.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Failed sign-ins in a row; from LOCK_AFTER on, each one locks the account for longer.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "role != 'partner' OR organisation_id IS NOT NULL", name="partner_has_organisation"
        ),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
