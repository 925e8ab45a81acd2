"""Reading figures: the latest per key and scope, a series, one organisation's figure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import selectinload

from eventweek.extensions import db
from eventweek.metrics.keys import METRIC_KEYS, NETWORK_SCOPE, Aggregation
from eventweek.metrics.models import MetricSnapshot
from eventweek.sessions.models import Organisation


def scope_filter(scope: str | None):
    """A WHERE clause for `scope` (`network` or an organisation's slug); None: every scope."""
    if scope is None:
        return True
    if scope == NETWORK_SCOPE:
        return MetricSnapshot.organisation_id.is_(None)
    return MetricSnapshot.organisation_id == (
        select(Organisation.id).where(Organisation.slug == scope).scalar_subquery()
    )


def organisation_exists(slug: str) -> bool:
    if not slug.isprintable():
        # No slug holds control characters, and PostgreSQL refuses a NUL in a query.
        return False
    return (
        db.session.execute(select(Organisation.id).where(Organisation.slug == slug)).first()
        is not None
    )


def series(
    key: str | None = None,
    scope: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[MetricSnapshot]:
    """Snapshots matching the filters, oldest first."""
    query = (
        select(MetricSnapshot)
        .options(selectinload(MetricSnapshot.organisation))
        .where(scope_filter(scope))
        .order_by(MetricSnapshot.key, MetricSnapshot.organisation_id, MetricSnapshot.measured_on)
    )
    if key is not None:
        query = query.where(MetricSnapshot.key == key)
    if since is not None:
        query = query.where(MetricSnapshot.measured_on >= since)
    if until is not None:
        query = query.where(MetricSnapshot.measured_on <= until)
    return list(db.session.execute(query).scalars())


def latest_values(scope: str | None = None) -> list[MetricSnapshot]:
    """The most recent snapshot of every key in every scope (or in `scope`)."""
    # A literal 0, not a parameter: PostgreSQL must see the same expression in GROUP BY.
    scope_id = func.coalesce(MetricSnapshot.organisation_id, literal_column("0"))
    newest = (
        select(
            MetricSnapshot.key,
            scope_id.label("scope_id"),
            func.max(MetricSnapshot.measured_on).label("measured_on"),
        )
        .group_by(MetricSnapshot.key, scope_id)
        .subquery()
    )
    query = (
        select(MetricSnapshot)
        .join(
            newest,
            (newest.c.key == MetricSnapshot.key)
            & (newest.c.scope_id == scope_id)
            & (newest.c.measured_on == MetricSnapshot.measured_on),
        )
        .options(selectinload(MetricSnapshot.organisation))
        .where(scope_filter(scope))
        .order_by(MetricSnapshot.organisation_id.is_not(None), MetricSnapshot.key)
    )
    return list(db.session.execute(query).scalars())


def organisation_figure(
    organisation_id: int, key: str, start: date, end: date
) -> tuple[Decimal | None, bool]:
    """One organisation's figure for `key` over [start, end], and whether it is demo data.

    A flow (documents published) is the sum of the snapshots dated in the period; a
    stock (beds) is the latest snapshot in it. None when the period holds no snapshot.
    """
    rows = db.session.execute(
        select(MetricSnapshot.value, MetricSnapshot.is_demo)
        .where(
            MetricSnapshot.organisation_id == organisation_id,
            MetricSnapshot.key == key,
            MetricSnapshot.measured_on >= start,
            MetricSnapshot.measured_on <= end,
        )
        .order_by(MetricSnapshot.measured_on)
    ).all()
    if not rows:
        return None, False
    is_demo = any(row.is_demo for row in rows)
    if METRIC_KEYS[key].aggregation is Aggregation.FLOW:
        return sum((row.value for row in rows), Decimal(0)), is_demo
    return rows[-1].value, is_demo
