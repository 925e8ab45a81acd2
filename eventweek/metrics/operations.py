"""Changes to the figures, each written to the audit log with who made it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from eventweek.accounts.models import User
from eventweek.audit.operations import change, record
from eventweek.extensions import db
from eventweek.metrics.imports import ImportReport, import_figures
from eventweek.metrics.models import MetricGoal


def import_file(raw: bytes, actor: User | None, filename: str, *, is_demo=False) -> ImportReport:
    """Import a CSV file (see imports.py) and log it; ImportRefused leaves nothing behind."""
    report = import_figures(raw, is_demo=is_demo)
    record(
        actor,
        "metrics.imported",
        "metric_snapshot",
        None,
        file=filename[:200],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    return report


def set_goal(key: str, target: Decimal, actor: User | None, *, is_demo=False) -> MetricGoal:
    goal = db.session.execute(select(MetricGoal).where(MetricGoal.key == key)).scalar_one_or_none()
    old = str(goal.target.normalize()) if goal else None
    if goal is None:
        goal = MetricGoal(key=key, target=target)
        db.session.add(goal)
    goal.target = target
    goal.is_demo = is_demo
    db.session.flush()
    record(
        actor, "metrics.goal_set", "metric_goal", goal.id, key=key, target=change(old, str(target))
    )
    return goal
