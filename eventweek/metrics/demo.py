"""The network's published figures, loaded with the demo (and on any fresh install).

The figures in `published_figures.csv` are real, each with its source; only the
consultation goal set here is invented, and it is shown as demo data.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from eventweek.extensions import db
from eventweek.metrics.dashboard import CONSULTATION_KEY
from eventweek.metrics.imports import ImportReport
from eventweek.metrics.models import MetricGoal
from eventweek.metrics.operations import import_file, set_goal

PUBLISHED_FIGURES = Path(__file__).with_name("published_figures.csv")
DEMO_CONSULTATION_GOAL = Decimal(25)


def seed_published_figures() -> ImportReport:
    """Load the published figures (idempotent) and a demo goal unless one is set."""
    # Through the operation, as any import: the audit entry moves the dashboard's version.
    report = import_file(PUBLISHED_FIGURES.read_bytes(), None, PUBLISHED_FIGURES.name)
    has_goal = db.session.execute(
        select(MetricGoal.id).where(MetricGoal.key == CONSULTATION_KEY)
    ).first()
    if not has_goal:
        set_goal(CONSULTATION_KEY, DEMO_CONSULTATION_GOAL, None, is_demo=True)
    return report
