"""Reading the audit log: newest first, filtered by action and by subject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from eventweek.audit.models import AuditEntry
from eventweek.extensions import db


@dataclass(frozen=True)
class Detail:
    """One line of an entry's details: a change (`old` → `new`) or a plain fact (`value`)."""

    name: str
    value: Any = None
    old: Any = None
    new: Any = None
    is_change: bool = False


def entries(
    action: str | None = None, subject_type: str | None = None, subject_id: int | None = None
) -> Select:
    """The entries matching the filters given, newest first, with their actors loaded."""
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    return query


def actions() -> list[str]:
    """Every action the log holds, for the filter."""
    return list(
        db.session.execute(
            select(AuditEntry.action).distinct().order_by(AuditEntry.action)
        ).scalars()
    )


def subject_types() -> list[str]:
    """Every kind of subject the log holds, for the filter."""
    return list(
        db.session.execute(
            select(AuditEntry.subject_type).distinct().order_by(AuditEntry.subject_type)
        ).scalars()
    )


def details(entry_details: dict | None) -> list[Detail]:
    """An entry's details as lines, in the order they were recorded.

    A group of changes (`changes={"start_at": {"old": …, "new": …}, …}`) gives one line
    per changed field.
    """
    lines = []
    for name, value in (entry_details or {}).items():
        if is_change(value):
            lines.append(Detail(name, old=value["old"], new=value["new"], is_change=True))
        elif isinstance(value, dict) and value and all(map(is_change, value.values())):
            lines.extend(
                Detail(field, old=item["old"], new=item["new"], is_change=True)
                for field, item in value.items()
            )
        else:
            lines.append(Detail(name, value=value))
    return lines


def is_change(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"old", "new"}
